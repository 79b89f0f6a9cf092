"""One-button recording through the real path: SIPp caller and agent, Asterisk, the controller.

The agent's phone presses ``#3`` (RFC 2833) during the call; Asterisk's MixMonitor
writes the segment, the controller stores it encrypted and catalogued.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kcc.sipp.runner import PortAllocator
from kcc.sipp.scenarios import Digit, Pause
from kcc.stack.asterisk import Asterisk
from site_config import SiteConfig
from tests.integration.acd_harness import (
    ControlApi,
    EventLog,
    call_id_of,
    of_type,
    place,
    seated_agent,
)
from tests.integration.ivr_timing import IvrTiming

pytestmark = pytest.mark.integration

KEY = (Digit("#"), Digit("3"))


def test_probe_the_recording_key_writes_a_segment(
    site: SiteConfig,
    sip_target: str,
    ports: PortAllocator,
    tmp_path: Path,
    events: EventLog,
    api: ControlApi,
    timing: IvrTiming,
    asterisk: Asterisk,
) -> None:
    caller, number = place(sip_target, ports, tmp_path, timing.to_topic("1", "1"))
    with caller:
        call_id = call_id_of(events, number)
        with seated_agent(
            api, site, sip_target, ports, agent_id="1001", position_id="tic1",
            answer_after_s=0.5, talk_s=2.0,
            steps=(Pause(2), *KEY, Pause(4), *KEY),
        ):  # fmt: skip
            events.wait(of_type("call.answered", call_id=call_id), timeout_s=60)
            assert caller.wait(60).ok
    files = sorted(p.name for p in asterisk.capture_dir.iterdir())
    print(files)
    raw = [p for p in asterisk.capture_dir.glob(f"{call_id}_*.raw")]
    assert raw, files
    print([(p.name, p.stat().st_size / 32000) for p in raw])
    assert 0
