"""bench/results.json: each benchmark merges its own keys, keeping every other one."""

from __future__ import annotations

import fcntl
import json
from pathlib import Path
from typing import Any


def merge_results(path: Path, entries: dict[str, dict[str, Any]]) -> None:
    """Update our keys in ``path`` under an exclusive lock, keeping all others."""
    with path.open("a+", encoding="utf-8") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        handle.seek(0)
        text = handle.read()
        try:
            existing = json.loads(text) if text.strip() else {}
        except json.JSONDecodeError as error:
            raise SystemExit(f"{path}: not valid JSON ({error}); left untouched") from error
        if not isinstance(existing, dict):
            raise SystemExit(f"{path}: top level must be a JSON object; left untouched")
        existing.update(entries)
        handle.seek(0)
        handle.truncate()
        handle.write(json.dumps(existing, indent=2, sort_keys=True) + "\n")
