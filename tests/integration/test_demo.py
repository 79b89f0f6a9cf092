"""`make demo`: the whole stack comes up, prints the wallboard URL, and Ctrl-C ends everything."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.integration.sites import write_site

# Ports of their own, so this runs beside the session stack and a developer's `make up`.
DEMO_SERVICES = {
    "sip_port": 5260,
    "ami_port": 5238,
    "agi_port": 4773,
    "http_port": 8223,
    "control_port": 8224,
    "rtp_port_start": 22000,
    "rtp_port_end": 22999,
    "redis_url": "redis://127.0.0.1:6590/0",
}
INSTANCE = "demotest"


def _our_processes() -> list[str]:
    """Command lines of processes this demo could have left: its Asterisk, SIPp, Redis."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmd = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if f"/kcc/{INSTANCE}/" in cmd or ":5260" in cmd or "6590" in cmd or "8223" in cmd:
            found.append(cmd)
    return found


def test_demo_prints_the_wallboard_and_ctrl_c_leaves_nothing(tmp_path: Path) -> None:
    site = write_site(tmp_path, services_override=DEMO_SERVICES)
    env = {**os.environ, "KCC_STATE_DIR": str(tmp_path / "state")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "kcc", "demo", "--site", str(site), "--instance", INSTANCE],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    output: list[str] = []
    try:
        url = _read_until_wallboard(proc, output, timeout_s=120)
        assert url.startswith("http://127.0.0.1:8223/wallboard")
        with urllib.request.urlopen(url, timeout=10) as response:
            assert response.status == 200
        assert any("logged in at tic1" in line for line in output), output
        proc.send_signal(signal.SIGINT)
        rest, _ = proc.communicate(timeout=60)
        output.append(rest)
        assert proc.returncode == 0, "".join(output)
        assert "every process it started has ended" in rest
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert _our_processes() == []


def _read_until_wallboard(proc: subprocess.Popen[str], output: list[str], timeout_s: float) -> str:
    assert proc.stdout is not None
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line and proc.poll() is not None:
            raise AssertionError("demo exited early:\n" + "".join(output))
        output.append(line)
        if line.startswith("wallboard: "):
            return line.split(" ", 1)[1].strip()
    raise AssertionError("no wallboard URL within the deadline:\n" + "".join(output))
