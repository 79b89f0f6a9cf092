"""A real call end to end: SIPp caller -> Asterisk 22 -> queue -> SIPp agent.

No controller runs here, so this is also the fallback path: the FastAGI
connection is refused and the dialplan routes the caller to the app_queue
queue of the general topic, which the test staffs as the controller would.
"""

from __future__ import annotations

import re

import pytest

from kcc.sipp import Caller, Digit, Pause
from kcc.sipp.runner import PortAllocator
from site_config import SiteConfig
from tests.integration.ami_watch import AmiWatch
from tests.integration.conftest import staffed_phone

# The app_queue fallback path: no controller while these run.
pytestmark = pytest.mark.usefixtures("fallback_only")


def _rtp_packets(ami: AmiWatch) -> dict[str, tuple[int, int]]:
    """Received and sent RTP packet counts per channel, from `pjsip show channelstats`."""
    out = ami.command("pjsip show channelstats")
    counts = {}
    for line in out.splitlines():
        # " 70ed53a8 201-00000001  00:00:01 alaw  35  0  0  0.000  50 ..." (receive, transmit)
        m = re.match(
            r"\s*\S+\s+(\S+-[0-9a-f]{8})\s+\S+\s+\S+\s+(\d+)\s+\d+\s+\d+\s+\S+\s+(\d+)", line
        )
        if m:
            counts[m.group(1)] = (int(m.group(2)), int(m.group(3)))
    return counts


def test_caller_reaches_agent_through_queue_with_audio_both_ways(
    ami: AmiWatch, site: SiteConfig, sip_target: str, ports: PortAllocator
) -> None:
    queue = f"kcc-{site.ivr.general_topic}"
    with staffed_phone(
        ami, site, sip_target, ports, seat=0, agent_id="1001", answer_after_s=1.0
    ) as agent:
        start = ami.mark()
        # The caller's 7 s of speech is played again after 5 s (with a key app_queue
        # ignores), so there is caller audio to forward whenever the agent answers.
        with Caller(
            target=sip_target,
            ports=ports,
            caller_id="0235110001",
            steps=[Pause(5), Digit("1")],
            hangup_after_s=8,
        ) as caller:
            join = ami.wait_for("QueueCallerJoin", 15, since=start)
            assert join["Queue"] == queue
            assert join["CallerIDNum"] == "0235110001"
            connect = ami.wait_for("AgentConnect", 20, since=start)
            assert connect["Queue"] == queue
            assert connect["MemberName"] == "1001"
            # A few seconds of audio, measured by Asterisk's RTP counters on both legs.
            legs = {_stats_name(connect["Channel"]), _stats_name(connect["DestChannel"])}
            stats = _wait_rtp(ami, minimum=50, legs=legs)
            assert len(stats) == 2, stats
            for channel, (rx, tx) in stats.items():
                assert rx >= 50 and tx >= 50, (channel, rx, tx, stats)
            complete = ami.wait_for("AgentComplete", 30, since=start)
            assert complete["Reason"] == "caller"
            assert int(complete["TalkTime"]) >= 3
            result = caller.wait(30)
        assert result.ok, result.log
        agent_result = agent.wait(30)
        assert agent_result.ok, agent_result.log


def _stats_name(channel: str) -> str:
    """``PJSIP/201-0000004c`` as `pjsip show channelstats` names it: ``201-0000004c``."""
    return channel.removeprefix("PJSIP/")


def _wait_rtp(ami: AmiWatch, minimum: int, legs: set[str]) -> dict[str, tuple[int, int]]:
    """Poll Asterisk's counters until both legs of this call moved `minimum` packets each way.

    Only this call's channels count: another test's call may still be up.
    """
    import time

    deadline = time.monotonic() + 10
    stats: dict[str, tuple[int, int]] = {}
    while time.monotonic() < deadline:
        stats = {name: c for name, c in _rtp_packets(ami).items() if name in legs}
        if len(stats) == 2 and all(rx >= minimum and tx >= minimum for rx, tx in stats.values()):
            return stats
        time.sleep(0.2)
    return stats
