"""One-button recording through the real path: SIPp caller and agent, Asterisk, the controller.

The agent's phone presses ``#3`` (RFC 2833) during the call, or the agent's page asks
the API; Asterisk's MixMonitor writes the segment, the controller keeps it: joined,
encrypted and catalogued. The test reads it back as a team lead's replay would, through
the catalogue and the key ring, and measures the audio.
"""

from __future__ import annotations

import io
import wave
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from kcc.sipp.runner import PortAllocator
from kcc.sipp.scenarios import Digit, Pause
from kcc.stack.asterisk import Asterisk
from kcc.stack.stack import recording_keys
from recordings.catalog import Catalog
from recordings.catalog_rows import RecordingRow, SegmentRow
from recordings.keys import KeyRing
from recordings.vault import open_range, plaintext_size
from site_config import SiteConfig
from tests.integration.acd_harness import (
    ControlApi,
    ControllerRunner,
    EventLog,
    call_id_of,
    of_type,
    place,
    seated_agent,
)
from tests.integration.ivr_timing import IvrTiming

pytestmark = pytest.mark.integration

KEY = (Digit("#"), Digit("3"))
# Between the two "3"s of the keys below: the pause, then "#" and its 250 ms gap. The
# phone's speech (7 s, sent again after each key) must cover the pause: MixMonitor's
# two-channel file only grows while both directions carry RTP.
BETWEEN_KEYS_S = 6.25


@pytest.fixture
def kept(controller: ControllerRunner) -> Iterator[Catalog]:
    folder = controller.log_dir / "recordings"
    with Catalog.open(folder, lambda: datetime.now(UTC)) as catalog:
        yield catalog


def decrypted(controller: ControllerRunner, row: RecordingRow) -> bytes:
    ring = KeyRing.from_environ({"KCC_RECORDING_KEYS": recording_keys(controller.log_dir)})
    path = controller.log_dir / "recordings" / row.file
    return b"".join(open_range(path, ring, 0, plaintext_size(path)))


def stereo_seconds(wav_bytes: bytes) -> float:
    with wave.open(io.BytesIO(wav_bytes)) as wav:
        assert (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) == (2, 2, 8000)
        return wav.getnframes() / 8000


def test_the_agents_key_records_one_segment_kept_encrypted_and_catalogued(
    site: SiteConfig,
    sip_target: str,
    ports: PortAllocator,
    tmp_path: Path,
    events: EventLog,
    api: ControlApi,
    timing: IvrTiming,
    asterisk: Asterisk,
    controller: ControllerRunner,
    kept: Catalog,
) -> None:
    caller, number = place(sip_target, ports, tmp_path, timing.to_topic("1", "1"))
    with caller:
        call_id = call_id_of(events, number)
        with seated_agent(
            api, site, sip_target, ports, agent_id="1001", position_id="tic1",
            answer_after_s=0.5, talk_s=2.0,
            steps=(Pause(5), *KEY, Pause(6), *KEY),
        ):  # fmt: skip
            events.wait(of_type("call.answered", call_id=call_id), timeout_s=60)
            assert caller.wait(90).ok
    stored = events.wait(of_type("call.recording", call_id=call_id, state="stored"))[0]
    states = [e.fields["state"] for e in events.of_call(call_id) if e.type == "call.recording"]
    assert states == ["started", "stopped", "stored"]
    assert stored.agent_id == "1001" and stored.fields["extension"] == "201"
    row = kept.get(stored.fields["recording_id"])
    assert row is not None
    assert (row.call_id, row.agent_id, row.position_id, row.topic) == (
        call_id, "1001", "tic1", "burgerzaken",
    )  # fmt: skip
    (segment,) = kept.segments(row.id)
    assert isinstance(segment, SegmentRow) and segment.offset_s == 0
    assert abs(segment.duration_s - BETWEEN_KEYS_S) <= 0.5, segment
    audio = decrypted(controller, row)
    assert abs(stereo_seconds(audio) - BETWEEN_KEYS_S) <= 0.5
    assert b"RIFF" not in (controller.log_dir / "recordings" / row.file).read_bytes()[:64]
    leftovers = [p.name for p in asterisk.capture_dir.iterdir() if p.name.startswith(call_id)]
    assert leftovers == [], "plain segments left behind after keeping"


def test_the_agent_page_starts_and_stops_recording_through_the_api(
    site: SiteConfig,
    sip_target: str,
    ports: PortAllocator,
    tmp_path: Path,
    events: EventLog,
    api: ControlApi,
    timing: IvrTiming,
    kept: Catalog,
) -> None:
    agent = ControlApi(site, ("anouk", "demo-anouk"))
    try:
        caller, number = place(sip_target, ports, tmp_path, timing.to_topic("1", "1"))
        with caller:
            call_id = call_id_of(events, number)
            with seated_agent(
                api, site, sip_target, ports, agent_id="1001", position_id="tic1",
                answer_after_s=0.5, talk_s=8.0,
            ):  # fmt: skip
                events.wait(of_type("call.answered", call_id=call_id), timeout_s=60)
                other = ControlApi(site, ("bram", "demo-bram"))
                try:
                    assert other.post("/api/agents/1001/recording", {"on": True}).status_code == 403
                finally:
                    other.close()
                assert agent.post("/api/agents/1001/recording", {"on": True}).status_code == 200
                events.wait(of_type("call.recording", call_id=call_id, state="started"))
                again = agent.post("/api/agents/1001/recording", {"on": True})
                assert again.status_code == 409 and "already" in again.text
                assert agent.post("/api/agents/1001/recording", {"on": False}).status_code == 200
                assert caller.wait(90).ok
        stored = events.wait(of_type("call.recording", call_id=call_id, state="stored"))[0]
        row = kept.get(stored.fields["recording_id"])
        assert row is not None and row.agent_id == "1001"
        assert len(kept.segments(row.id)) == 1
    finally:
        agent.close()
