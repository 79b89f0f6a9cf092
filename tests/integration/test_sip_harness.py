"""The SIPp harness itself, against the real Asterisk: keypresses and an agent who never answers."""

from __future__ import annotations

import pytest

from kcc.sipp import Caller, Digit, Pause
from kcc.sipp.runner import PortAllocator
from site_config import SiteConfig
from tests.integration.ami_watch import AmiWatch
from tests.integration.conftest import staffed_phone

# The app_queue fallback path: no controller while these run.
pytestmark = pytest.mark.usefixtures("fallback_only")


def test_caller_keypresses_arrive_as_rfc2833_digits(
    ami: AmiWatch, sip_target: str, ports: PortAllocator
) -> None:
    start = ami.mark()
    steps = (Pause(1.0), Digit("1"), Pause(0.5), Digit("2"), Pause(0.5), Digit("#"))
    with Caller(
        target=sip_target, ports=ports, caller_id="0235110002", steps=steps, hangup_after_s=1.0
    ) as caller:
        digits = []
        for _ in range(3):
            end = ami.wait_for(
                "DTMFEnd",
                15,
                since=start,
                where=lambda f: f.get("Direction") == "Received" and f not in digits,
            )
            digits.append(end)
        assert [d["Digit"] for d in digits] == ["1", "2", "#"]
        assert all(d["CallerIDNum"] == "0235110002" for d in digits)
        assert caller.wait(30).ok


def test_agent_who_never_answers_is_passed_by_and_the_caller_stays(
    ami: AmiWatch, site: SiteConfig, sip_target: str, ports: PortAllocator
) -> None:
    queue = f"kcc-{site.ivr.general_topic}"
    with staffed_phone(ami, site, sip_target, ports, seat=1, agent_id="1002", answer_after_s=None):
        start = ami.mark()
        with Caller(
            target=sip_target,
            ports=ports,
            caller_id="0235110003",
            hangup_after_s=site.norms.ring_no_answer_s + 4,
        ) as caller:
            called = ami.wait_for("AgentCalled", 15, since=start)
            assert called["MemberName"] == "1002"
            rna = ami.wait_for("AgentRingNoAnswer", site.norms.ring_no_answer_s + 5, since=start)
            assert int(rna["RingTime"]) >= site.norms.ring_no_answer_s - 1
            # autopause: the member who did not answer is paused
            ami.wait_for(
                "QueueMemberPause",
                5,
                since=start,
                where=lambda f: f.get("MemberName") == "1002" and f.get("Paused") == "1",
            )
            abandon = ami.wait_for("QueueCallerAbandon", 30, since=start)
            assert abandon["Queue"] == queue
            assert caller.wait(30).ok
