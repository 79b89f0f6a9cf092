"""The cached Debian sid root file system that carries Asterisk 22."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DEFAULT_ROOTFS = Path("/var/cache/kcc/rootfs-sid")


def rootfs_path() -> Path:
    return Path(os.environ.get("KCC_ROOTFS", str(DEFAULT_ROOTFS)))


def ensure_rootfs() -> Path:
    """Build the rootfs when it is missing or broken; returns its path."""
    root = rootfs_path()
    script = REPO / "scripts" / "build-rootfs.sh"
    env = {**os.environ, "KCC_ROOTFS": str(root)}
    subprocess.run(["bash", str(script)], check=True, env=env, stdout=subprocess.DEVNULL)
    return root
