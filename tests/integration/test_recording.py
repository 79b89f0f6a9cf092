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

import numpy as np
import pytest

from kcc.sipp.runner import AgentPhone, PortAllocator
from kcc.sipp.scenarios import Audio, Digit, Pause
from kcc.sipp.tones import Burst, KeyPress, burst_onsets, write_tone_pcap
from kcc.stack.asterisk import Asterisk
from kcc.stack.stack import recording_keys
from recordings.audio import read_channels
from recordings.catalog import Catalog
from recordings.catalog_rows import RecordingFilter, RecordingRow, SegmentRow
from recordings.keys import KeyRing
from recordings.vault import open_range, plaintext_size
from site_config import SiteConfig, load_site_config
from tests.integration.acd_harness import (
    ControlApi,
    ControllerRunner,
    EventLog,
    call_id_of,
    of_type,
    own_controller,
    place,
    seated_agent,
)
from tests.integration.ami_watch import AmiWatch
from tests.integration.conftest import staffed_phone
from tests.integration.ivr_timing import IvrTiming
from tests.integration.sites import write_site

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


# ---------------------------------------------------------------- known audio

AGENT_HZ, CALLER_HZ = 600.0, 1100.0
AGENT_BURSTS = (7.0, 9.0, 11.0, 13.0)  # seconds after the agent answered
KEYS_AT = (5.0, 15.0)  # "#" then "3" 0.3 s later; the "3" ends 0.1 s after that


def agent_audio(folder: Path) -> Audio:
    """The agent's phone: 600 Hz bursts, #3 at 5 s and at 15 s, 21 s in all, continuous RTP."""
    path = folder / "agent-tones.pcap"
    keys = [k for at in KEYS_AT for k in (KeyPress(at, "#"), KeyPress(at + 0.3, "3"))]
    bursts = [Burst(at, 0.4, AGENT_HZ) for at in AGENT_BURSTS]
    write_tone_pcap(path, bursts, 21.0, keys=keys)
    return Audio(str(path), 21_000)


def caller_audio(folder: Path) -> Audio:
    """The caller: a 1100 Hz burst of 0.3 s at the start of every second, for 2 minutes."""
    path = folder / "caller-tones.pcap"
    write_tone_pcap(path, [Burst(n + 0.0, 0.3, CALLER_HZ) for n in range(120)], 120.0)
    return Audio(str(path), 120_000)


def test_caller_and_agent_are_on_their_own_channels_at_the_right_moments(
    site: SiteConfig,
    sip_target: str,
    ports: PortAllocator,
    tmp_path: Path,
    events: EventLog,
    api: ControlApi,
    timing: IvrTiming,
    controller: ControllerRunner,
    kept: Catalog,
) -> None:
    caller, number = place(
        sip_target, ports, tmp_path, timing.to_topic("1", "1"), audio=caller_audio(tmp_path)
    )
    with caller:
        call_id = call_id_of(events, number)
        with seated_agent(
            api, site, sip_target, ports, agent_id="1001", position_id="tic1",
            answer_after_s=0.5, talk_s=21.5, audio=agent_audio(tmp_path),
        ):  # fmt: skip
            events.wait(of_type("call.answered", call_id=call_id), timeout_s=60)
            assert caller.wait(90).ok
    stored = events.wait(of_type("call.recording", call_id=call_id, state="stored"))[0]
    row = kept.get(stored.fields["recording_id"])
    assert row is not None
    (segment,) = kept.segments(row.id)
    assert abs(segment.duration_s - 10.0) <= 0.5, segment
    agent, callers, rate = read_channels(io.BytesIO(decrypted(controller, row)))
    assert rate == 8000 and len(agent) == len(callers)
    heard = [start for start, _ in burst_onsets(agent.astype(np.float64), rate, AGENT_HZ)]
    # The segment starts as the first "3" ends (5.4 s after the answer).
    expected = [at - (KEYS_AT[0] + 0.4) for at in AGENT_BURSTS]
    assert len(heard) == len(expected), (heard, expected)
    assert all(abs(h - e) <= 0.3 for h, e in zip(heard, expected, strict=True)), (heard, expected)
    caller_bursts = [s for s, _ in burst_onsets(callers.astype(np.float64), rate, CALLER_HZ)]
    assert 8 <= len(caller_bursts) <= 11, caller_bursts
    gaps = np.diff(caller_bursts)
    assert np.all(np.abs(gaps - 1.0) <= 0.15), caller_bursts
    # Each side only on its own channel.
    assert burst_onsets(agent.astype(np.float64), rate, CALLER_HZ) == []
    assert burst_onsets(callers.astype(np.float64), rate, AGENT_HZ) == []


# ---------------------------------------------------------------- other paths


def test_a_callers_keys_record_and_transfer_nothing(
    site: SiteConfig,
    sip_target: str,
    ports: PortAllocator,
    tmp_path: Path,
    events: EventLog,
    api: ControlApi,
    timing: IvrTiming,
    asterisk: Asterisk,
) -> None:
    with seated_agent(
        api, site, sip_target, ports, agent_id="1001", position_id="tic1",
        answer_after_s=0.5, talk_s=14.0,
    ):  # fmt: skip
        steps = [*timing.to_topic("1", "1"), Pause(6), *KEY, Pause(1), Digit("#"), Digit("2")]
        caller, number = place(sip_target, ports, tmp_path, steps, hangup_after_s=None)
        with caller:
            call_id = call_id_of(events, number)
            events.wait(of_type("call.answered", call_id=call_id), timeout_s=60)
            ended = events.wait(of_type("call.ended", call_id=call_id), timeout_s=60)[0]
            assert caller.wait(30).ok
    assert ended.fields["by"] == "agent", "the call went on until the agent hung up"
    kinds = {e.type for e in events.of_call(call_id)}
    assert "call.recording" not in kinds and "call.transferred" not in kinds
    assert [p.name for p in asterisk.capture_dir.glob(f"{call_id}_*")] == []


def test_a_direct_call_to_a_colleague_is_recorded_by_the_colleagues_key(
    sip_target: str,
    ports: PortAllocator,
    tmp_path: Path,
    events: EventLog,
    kept: Catalog,
) -> None:
    colleague = AgentPhone(
        target=sip_target, ports=ports, extension="301", password="demo301",
        answer_after_s=1.0, talk_s=None, steps=(Pause(2), *KEY, Pause(4), *KEY),
    )  # fmt: skip
    with colleague:
        caller, number = place(sip_target, ports, tmp_path, [], dial="301", hangup_after_s=12.0)
        with caller:
            ringing = events.wait(of_type("backoffice.ringing", caller=number), timeout_s=30)
            call_id = ringing[0].call_id
            assert caller.wait(40).ok
    stored = events.wait(of_type("call.recording", call_id=call_id, state="stored"))[0]
    assert stored.fields["extension"] == "301" and stored.agent_id == ""
    row = kept.get(stored.fields["recording_id"])
    assert row is not None and row.extension == "301"
    (segment,) = kept.segments(row.id)
    assert abs(segment.duration_s - 4.25) <= 0.5, segment


def test_the_key_records_on_the_fallback_path_and_the_controller_keeps_it_on_return(
    site: SiteConfig,
    sip_target: str,
    ports: PortAllocator,
    tmp_path: Path,
    controller: ControllerRunner,
    asterisk: Asterisk,
    ami: AmiWatch,
    kept: Catalog,
) -> None:
    before = {r.id for r in kept.list(RecordingFilter())}
    waiting_before = set(asterisk.capture_dir.glob("*_201_*.raw"))
    controller.stop()
    try:
        with staffed_phone(
            ami, site, sip_target, ports, seat=0, agent_id="1001", answer_after_s=0.5,
            talk_s=2.0, steps=(Pause(2), *KEY, Pause(4), *KEY),
        ):  # fmt: skip
            # Without the controller there is no IVR: the general queue of app_queue.
            caller, _ = place(sip_target, ports, tmp_path, [], hangup_after_s=None)
            with caller:
                assert caller.wait(90).ok
        left = set(asterisk.capture_dir.glob("*_201_*.raw")) - waiting_before
        assert len(left) == 1, "the segment waits in the capture folder"
    finally:
        events = EventLog(site.services.redis_url)
        events.mark()  # only what the returning controller publishes
        controller.start()
    try:
        stored = events.wait(of_type("call.recording", state="stored", extension="201"))[0]
    finally:
        events.close()
    row = kept.get(stored.fields["recording_id"])
    assert row is not None and row.id not in before
    (segment,) = kept.segments(row.id)
    assert abs(segment.duration_s - 4.25) <= 0.5, segment
    assert not any(p.exists() for p in left), "kept, then removed from the capture folder"


@pytest.fixture
def recording_burgerzaken(
    controller: ControllerRunner,
    asterisk: Asterisk,
    ami_secret: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[SiteConfig]:
    """The test site recording every Burgerzaken call by itself, its controller running."""
    sample = load_site_config(write_site(tmp_path_factory.mktemp("site-auto")))
    recording = sample.recording.model_dump(mode="json")
    recording["automatic"] = {"mode": "topics", "topics": ["burgerzaken"]}
    with own_controller(
        controller, asterisk, ami_secret, tmp_path_factory, recording=recording
    ) as site:
        yield site


def test_the_sites_policy_records_a_burgerzaken_call_without_the_key(
    recording_burgerzaken: SiteConfig,
    sip_target: str,
    ports: PortAllocator,
    tmp_path: Path,
    events: EventLog,
    api: ControlApi,
    timing: IvrTiming,
) -> None:
    site = recording_burgerzaken
    caller, number = place(sip_target, ports, tmp_path, timing.to_topic("1", "1"))
    with caller:
        call_id = call_id_of(events, number)
        with seated_agent(
            api, site, sip_target, ports, agent_id="1001", position_id="tic1",
            answer_after_s=0.5, talk_s=5.0,
        ):  # fmt: skip
            started = events.wait(of_type("call.recording", call_id=call_id, state="started"))
            assert started[0].agent_id == "1001"
            assert caller.wait(90).ok
    events.wait(of_type("call.recording", call_id=call_id, state="stored"))
