"""The real controller's FastAGI against forged calls: a host that is not Asterisk is cut
off, and a call for a channel the real Asterisk does not have is closed without a command.

Real calls through Asterisk (every other IVR and queue test) are the other half: they
pass the same check, against the same Asterisk, with their real channels."""

from __future__ import annotations

import contextlib
import socket
import time
from typing import Any

from acd.agi.testing import asterisk_env, encode_env
from site_config import SiteConfig
from tests.integration.acd_harness import ControlApi, ControllerRunner


def _agent(api: ControlApi, agent_id: str) -> dict[str, Any]:
    return next(a for a in api.state()["agents"] if a["agent_id"] == agent_id)


def _answer(sock: socket.socket) -> bytes:
    """What the controller sends before it closes (b"" for nothing); a reset is nothing."""
    sock.settimeout(10)
    received = b""
    try:
        while chunk := sock.recv(4096):
            received += chunk
    except ConnectionResetError:
        pass
    return received


def test_a_forged_feature_login_for_a_channel_asterisk_lacks_is_closed_unanswered(
    site: SiteConfig, api: ControlApi, controller: ControllerRunner
) -> None:
    svc = site.services
    before = _agent(api, "1001")["state"]
    env = asterisk_env(
        "feature",
        agi_extension="*511001",
        agi_channel="PJSIP/201-0000fff1",
        agi_uniqueid="1781500000.999",
        agi_context="kcc-positions",
    )
    with socket.create_connection((svc.agi_bind_host, svc.agi_port), timeout=5) as sock:
        sock.sendall(encode_env(env))
        assert _answer(sock) == b""  # not one command: no PIN prompt, no login
    assert _agent(api, "1001")["state"] == before
    assert "Asterisk has no such channel" in controller.log_text()


def test_a_host_that_is_not_asterisk_is_cut_off(
    site: SiteConfig, api: ControlApi, controller: ControllerRunner
) -> None:
    svc = site.services
    assert "127.0.0.2" not in svc.agi_peers
    with socket.socket() as sock:
        sock.bind(("127.0.0.2", 0))
        sock.settimeout(5)
        sock.connect((svc.agi_bind_host, svc.agi_port))
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            sock.sendall(encode_env(asterisk_env("ivr")))
        assert _answer(sock) == b""
    # Refused by the server for its address, before the channel was even asked about.
    refused = "FastAGI connection from 127.0.0.2 refused: not an allowed peer"
    deadline = time.monotonic() + 10
    while refused not in controller.log_text() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert refused in controller.log_text()
    assert api.state()["agents"]  # the controller serves on
