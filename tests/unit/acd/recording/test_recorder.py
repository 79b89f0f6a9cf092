"""The recorder on fakes: the API's start and stop over AMI, the key's UserEvent, keeping."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from acd.agents.machine import Leg, LegState
from acd.ami.actions import Getvar, MixMonitor, Setvar, StopMixMonitor
from acd.ami.fake import FakeAmi, channel, event, failure, success
from acd.audit import AuditLog
from acd.clock import FakeClock, settle
from acd.recording.consumer import RecordingEvents
from acd.recording.facts import CallFactsBook
from acd.recording.service import CaptureFolder, Recorder
from contract import MemorySink
from contract.dialplan import capture_name
from contract.events import CallAnswered, CallQueued, CallRecording
from contract.vocabulary import RecordingState
from recordings.take import Take

T0 = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
LEG = Leg("kcc-c1-1", "c1", "1001", "201", "PJSIP/trunk-1", LegState.TALKING)


class Shelf:
    def __init__(self, fail: bool = False) -> None:
        self.takes: list[Take] = []
        self.fail = fail

    def keep(self, take: Take) -> str:
        if self.fail:
            raise OSError("disk full")
        self.takes.append(take)
        return take.call_id

    def close(self) -> None:
        pass


def build(tmp_path: Path, shelf: Shelf | None = None) -> tuple[Recorder, FakeAmi, MemorySink]:
    ami, sink, clock = FakeAmi(), MemorySink(), FakeClock(T0)
    facts = CallFactsBook({"burgerzaken": "Burgerzaken"})
    facts.publish(CallQueued(at=T0, call_id="c1", topic="burgerzaken", municipality="haarlem"))
    facts.publish(CallAnswered(at=T0, call_id="c1", agent_id="1001", position_id="tic1"))
    recorder = Recorder(
        ami,
        sink,
        clock,
        shelf or Shelf(),
        CaptureFolder(tmp_path, PurePosixPath("/kcc/t/recordings")),
        facts,
        talking_leg_of=lambda agent: LEG if agent == "1001" else None,
        agent_at=lambda ext: "1002" if ext == "202" else "",
    )
    variables: dict[str, str] = {}
    ami.answer(Getvar, lambda a: success(Variable=a.variable, Value=variables.get(a.variable, "")))

    def setvar(a: Setvar) -> object:
        variables[a.variable] = a.value
        return success()

    ami.answer(Setvar, setvar)  # type: ignore[arg-type]
    ami.answer(MixMonitor, lambda a: success(MixMonitorID="mm1"))
    ami.answer(StopMixMonitor, lambda a: success())
    return recorder, ami, sink


def recording_states(sink: MemorySink) -> list[str]:
    return [e.state.value for e in sink.of_type(CallRecording)]


def hang_up(uniqueid: str) -> object:
    return event(
        "Hangup",
        [*channel(name="PJSIP/201-1", uniqueid=uniqueid), ("Cause", "16"), ("Cause-txt", "x")],
    )


async def test_the_api_starts_a_numbered_segment_in_the_capture_folder(tmp_path: Path) -> None:
    recorder, ami, sink = build(tmp_path)
    assert await recorder.start("1001") is None
    (monitor,) = ami.sent_of(MixMonitor)
    name = capture_name("c1", "201", "kcc-c1-1", 1)
    assert monitor.file == f"/kcc/t/recordings/{name}"
    assert monitor.options == "bDi(KCC_REC_MONITOR)"
    assert monitor.command == f"touch /kcc/t/recordings/{name}.closed"
    assert {(s.variable, s.value) for s in ami.sent_of(Setvar)} >= {
        ("KCC_REC_SEGMENT", "1"),
        ("KCC_REC_CALL", "c1"),
    }
    assert await recorder.start("1001") == "agent 1001's call is being recorded already"
    assert await recorder.stop("1001") is None
    assert ami.sent_of(StopMixMonitor)[0].channel == "kcc-c1-1"
    assert await recorder.stop("1001") == "agent 1001's call is not being recorded"
    assert await recorder.start("1001") is None
    assert ami.sent_of(MixMonitor)[-1].file.endswith("_2.raw")
    assert recording_states(sink) == ["started", "stopped", "started"]
    assert await recorder.start("1003") == "agent 1003 is in no call"


async def test_a_start_asterisk_refuses_is_answered_and_published(tmp_path: Path) -> None:
    recorder, ami, sink = build(tmp_path)
    ami.answer(MixMonitor, lambda a: failure("Could not start monitoring channel"))
    refused = await recorder.start("1001")
    assert refused is not None and "Could not start monitoring channel" in refused
    (failed,) = sink.of_type(CallRecording)
    assert failed.state is RecordingState.FAILED and failed.reason == refused


async def test_the_hang_up_keeps_the_tape_with_the_calls_facts(tmp_path: Path) -> None:
    shelf = Shelf()
    recorder, _, sink = build(tmp_path, shelf)
    consumer = RecordingEvents(
        recorder, FakeClock(T0), AuditLog(tmp_path / "audit", retention_days=30, today=T0.date())
    )
    await recorder.start("1001")
    name = capture_name("c1", "201", "kcc-c1-1", 1)
    (tmp_path / name).write_bytes(b"\0" * 3200)
    (tmp_path / f"{name}.closed").touch()
    consumer.on_event(hang_up("kcc-c1-1"))
    await recorder.idle()
    (take,) = shelf.takes
    assert (take.call_id, take.source, take.extension, take.agent_id) == (
        "c1",
        "kcc-c1-1",
        "201",
        "1001",
    )
    assert (take.topic, take.municipality, take.position_id) == ("burgerzaken", "haarlem", "tic1")
    assert [m.label for m in take.timeline] == [
        "In de wachtrij: Burgerzaken",
        "Aangenomen",
    ]
    assert [p.path.name for p in take.pieces] == [name]
    assert recording_states(sink) == ["started", "stopped", "stored"]
    assert sink.of_type(CallRecording)[-1].recording_id == "c1"


async def test_a_tape_that_cannot_be_kept_is_failed_and_left_for_the_sweep(
    tmp_path: Path,
) -> None:
    recorder, _, sink = build(tmp_path, Shelf(fail=True))
    consumer = RecordingEvents(
        recorder, FakeClock(T0), AuditLog(tmp_path / "audit", retention_days=30, today=T0.date())
    )
    await recorder.start("1001")
    (tmp_path / (capture_name("c1", "201", "kcc-c1-1", 1) + ".closed")).touch()
    consumer.on_event(hang_up("kcc-c1-1"))
    await recorder.idle()
    failed = sink.of_type(CallRecording)[-1]
    assert failed.state is RecordingState.FAILED and "disk full" in failed.reason


async def test_the_phones_key_is_followed_and_the_seated_agent_named(tmp_path: Path) -> None:
    recorder, _, sink = build(tmp_path)
    consumer = RecordingEvents(
        recorder, FakeClock(T0), AuditLog(tmp_path / "audit", retention_days=30, today=T0.date())
    )
    name = capture_name("q1", "202", "PJSIP-x", 1)
    key = [
        *channel(name="PJSIP/202-00000001", uniqueid="u202"),
        ("UserEvent", "KccRecording"),
        ("Call", "q1"),
        ("Segment", "1"),
        ("Agent", ""),
        ("State", "started"),
        ("File", name),
    ]
    consumer.on_event(event("UserEvent", key))
    (started,) = sink.of_type(CallRecording)
    assert (started.call_id, started.extension, started.agent_id) == ("q1", "202", "1002")
    stop = [(k, "stopped" if k == "State" else v) for k, v in key if k != "File"]
    consumer.on_event(event("UserEvent", stop))
    assert recording_states(sink) == ["started", "stopped"]
    logged = [
        json.loads(line)
        for f in sorted((tmp_path / "audit").glob("*"))
        for line in f.read_text().splitlines()
    ]
    assert [(e["user"], e["via"], e["action"], e["detail"]["on"]) for e in logged] == [
        ("agent 1002", "phone", "recording", "true"),
        ("agent 1002", "phone", "recording", "false"),
    ]


async def test_a_malformed_key_event_is_invalid_not_a_crash(tmp_path: Path) -> None:
    recorder, _, sink = build(tmp_path)
    consumer = RecordingEvents(
        recorder, FakeClock(T0), AuditLog(tmp_path / "audit", retention_days=30, today=T0.date())
    )
    bad = [
        *channel(name="PJSIP/202-1", uniqueid="u1"),
        ("UserEvent", "KccRecording"),
        ("Call", "q1"),
        ("Segment", "one"),
        ("State", "started"),
    ]
    consumer.on_event(event("UserEvent", bad))
    assert sink.of_type(CallRecording) == []


async def test_the_sweep_keeps_what_a_gone_channel_left(tmp_path: Path) -> None:
    shelf = Shelf()
    recorder, ami, _ = build(tmp_path, shelf)
    ami.answer(Getvar, lambda a: failure("No such channel"))
    for n in (1, 2):
        name = capture_name("q7", "202", "PJSIP-9", n)
        (tmp_path / name).write_bytes(b"\0" * 32000)
        (tmp_path / f"{name}.closed").touch()
    (tmp_path / "notes.txt").write_text("not ours")
    await recorder.sweep()
    await recorder.idle()
    (take,) = shelf.takes
    assert (take.call_id, take.extension, take.agent_id) == ("q7", "202", "1002")
    assert [p.path.name[-5:] for p in take.pieces] == ["1.raw", "2.raw"]
    assert abs((take.pieces[0].stopped_at - take.pieces[0].started_at).total_seconds() - 1) < 0.01


async def test_the_sweep_leaves_a_channel_still_in_its_call(tmp_path: Path) -> None:
    shelf = Shelf()
    recorder, ami, _ = build(tmp_path, shelf)
    ami.answer(Getvar, lambda a: success(Value="Up"))
    (tmp_path / capture_name("q8", "202", "PJSIP-8", 1)).write_bytes(b"\0" * 320)
    await recorder.sweep()
    await settle()
    assert shelf.takes == []


async def test_a_segment_asterisk_does_not_write_is_failed_while_the_call_goes_on(
    tmp_path: Path,
) -> None:
    recorder, _, sink = build(tmp_path)
    clock = recorder._clock  # the recorder's FakeClock
    assert isinstance(clock, FakeClock)
    await recorder.start("1001")
    await clock.advance(1.0)
    assert recording_states(sink) == ["started"]
    await clock.advance(1.5)
    await recorder.idle()
    assert recording_states(sink) == ["started", "failed"]
    assert "schijf vol" in sink.of_type(CallRecording)[-1].reason


async def test_a_segment_with_audio_is_not_failed(tmp_path: Path) -> None:
    recorder, _, sink = build(tmp_path)
    clock = recorder._clock
    assert isinstance(clock, FakeClock)
    await recorder.start("1001")
    (tmp_path / capture_name("c1", "201", "kcc-c1-1", 1)).write_bytes(b"\\0" * 640)
    await clock.advance(3.0)
    await recorder.idle()
    assert recording_states(sink) == ["started"]
