"""The trunk in the real Asterisk: only the public entries, no staff feature, and a
security log that records what was refused.

The unit tests check the generated files (tests/unit/asterisk_conf/test_trunk_guard.py);
these check that Asterisk 22 reads them that way.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from kcc.sipp import Caller
from kcc.sipp.runner import AgentPhone, PortAllocator, SippError
from kcc.stack.asterisk import Asterisk
from site_config import SiteConfig
from tests.integration.ami_watch import AmiWatch

# Refused calls need no controller; the fallback path is what is left without one.
pytestmark = pytest.mark.usefixtures("fallback_only")


def _wait_in(path: Path, pattern: str, timeout_s: float = 10) -> str:
    deadline = time.monotonic() + timeout_s
    text = ""
    while time.monotonic() < deadline:
        text = path.read_text(errors="replace") if path.exists() else ""
        if re.search(pattern, text):
            return text
        time.sleep(0.2)
    raise AssertionError(f"{pattern!r} not in {path} within {timeout_s} s:\n{text[-2000:]}")


def test_the_trunk_endpoint_refuses_transfer_and_subscribe(ami: AmiWatch) -> None:
    endpoint = ami.command("pjsip show endpoint trunk")
    assert re.search(r"^\s*allow_transfer\s*:\s*false\s*$", endpoint, re.M), endpoint
    assert re.search(r"^\s*allow_subscribe\s*:\s*false\s*$", endpoint, re.M), endpoint
    identify = ami.command("pjsip show identify trunk-identify")
    assert "127.0.0.1" in identify, identify


@pytest.mark.parametrize("dialled", ["a position", "*54", "*511001", "*8"])
def test_the_trunk_cannot_dial_a_position_or_a_feature_code(
    asterisk: Asterisk,
    ami: AmiWatch,
    site: SiteConfig,
    sip_target: str,
    ports: PortAllocator,
    dialled: str,
) -> None:
    if dialled == "a position":
        dialled = site.positions[0].extension
    start = ami.mark()
    with Caller(
        target=sip_target, ports=ports, caller_id="0235119001", dial=dialled, hangup_after_s=1
    ) as caller:
        result = caller.wait(30)
    assert not result.ok, "the trunk reached an internal extension or a feature code"
    # No channel of the trunk ran anything: no dialplan application started.
    started = [
        f
        for f in ami.events[start:]
        if f.get("Event") == "Newexten" and "trunk" in f.get("Channel", "")
    ]
    assert started == [], started
    if dialled != "*8":  # PJSIP takes the pickup extension in any context, then finds no call
        messages = asterisk.host_path(f"{asterisk.paths.log}/messages.log")
        _wait_in(
            messages,
            rf"to extension '{re.escape(dialled)}' rejected because extension not found in "
            r"context 'kcc-trunk'",
        )


def test_a_failed_login_is_in_the_security_log(
    asterisk: Asterisk, site: SiteConfig, sip_target: str, ports: PortAllocator
) -> None:
    extension = site.positions[0].extension
    phone = AgentPhone(target=sip_target, ports=ports, extension=extension, password="wrong")
    with pytest.raises(SippError), phone:
        pass
    text = _wait_in(asterisk.security_log_path, rf'AccountID="{extension}"')
    assert 'Service="PJSIP"' in text
