"""The recorder on fakes: the API's key pressed over AMI, the phone's key, keeping."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from acd.agents.machine import Leg, LegState
from acd.ami.actions import Getvar, PlayDtmf
from acd.ami.fake import FakeAmi, Reply, channel, event, failure, success
from acd.audit import AuditLog
from acd.clock import FakeClock, settle
from acd.recording.consumer import RecordingEvents
from acd.recording.facts import CallFactsBook
from acd.recording.remote_key import BEEP_S, BRIDGED_WITHIN_S, KEY_ANSWER_S
from acd.recording.service import CaptureFolder, Recorder
from contract import MemorySink
from contract.dialplan import RECORD_KEY, Var, capture_name
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


class Dialplan:
    """Asterisk's side of the agent's channel: ``BRIDGEPEER`` while bridged, and the
    ``kcc-record`` subroutine (asterisk_conf/dialplan.py) run by the digits ``#3``
    played into it: MixMonitor toggled (``KCC_REC_MONITOR``), then the ``UserEvent``."""

    def __init__(self, ami: FakeAmi) -> None:
        self.variables: dict[str, str] = {}
        self.digits = ""
        self.bridged = True
        self.answers = True  # False: the key runs nothing (no feature, no event)
        self.consumer: RecordingEvents | None = None
        ami.answer(Getvar, self.getvar)
        ami.answer(PlayDtmf, self.play)

    def getvar(self, action: Getvar) -> Reply:
        if action.variable == "BRIDGEPEER":
            return success(Variable="BRIDGEPEER", Value=LEG.caller_channel if self.bridged else "")
        return success(Variable=action.variable, Value=self.variables.get(action.variable, ""))

    def play(self, action: PlayDtmf) -> Reply:
        if not action.receive or action.channel != LEG.uniqueid:
            return failure("Channel not found")
        self.digits += action.digit
        if self.digits.endswith(RECORD_KEY):
            self.digits = ""
            if self.answers:
                self.toggle()
        return success("DTMF successfully queued")

    def toggle(self) -> None:
        assert self.consumer is not None
        v = self.variables
        started = not v.get(Var.REC_MONITOR)
        if started:
            v[Var.REC_SEGMENT] = str(int(v.get(Var.REC_SEGMENT, "0")) + 1)
            v[Var.REC_FILE] = capture_name("c1", "201", LEG.uniqueid, int(v[Var.REC_SEGMENT]))
        v[Var.REC_MONITOR] = f"mm{v[Var.REC_SEGMENT]}" if started else ""
        headers = [
            *channel(name="PJSIP/201-00000001", uniqueid=LEG.uniqueid),
            ("UserEvent", "KccRecording"),
            ("Call", "c1"),
            ("Segment", v[Var.REC_SEGMENT]),
            ("Agent", "1001"),
            ("State", "started" if started else "stopped"),
        ]
        if started:
            headers.append(("File", v[Var.REC_FILE]))
        self.consumer.on_event(event("UserEvent", headers))


@dataclass
class Rig:
    recorder: Recorder
    ami: FakeAmi
    sink: MemorySink
    clock: FakeClock
    dialplan: Dialplan
    consumer: RecordingEvents
    audit: Path


def rig(tmp_path: Path, shelf: Shelf | None = None) -> Rig:
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
    dialplan = Dialplan(ami)
    audit = tmp_path / "audit"
    consumer = RecordingEvents(recorder, clock, AuditLog(audit, retention_days=30, today=T0.date()))
    dialplan.consumer = consumer
    return Rig(recorder, ami, sink, clock, dialplan, consumer, audit)


def build(tmp_path: Path, shelf: Shelf | None = None) -> tuple[Recorder, FakeAmi, MemorySink]:
    r = rig(tmp_path, shelf)
    return r.recorder, r.ami, r.sink


def audited(folder: Path) -> list[dict[str, object]]:
    return [
        json.loads(line) for f in sorted(folder.glob("*")) for line in f.read_text().splitlines()
    ]


def recording_states(sink: MemorySink) -> list[str]:
    return [e.state.value for e in sink.of_type(CallRecording)]


def hang_up(uniqueid: str) -> object:
    return event(
        "Hangup",
        [*channel(name="PJSIP/201-1", uniqueid=uniqueid), ("Cause", "16"), ("Cause-txt", "x")],
    )


async def test_the_api_presses_the_phones_key_and_follows_its_event(tmp_path: Path) -> None:
    r = rig(tmp_path)
    assert await r.recorder.start("1001") is None
    assert [(p.channel, p.digit, p.receive) for p in r.ami.sent_of(PlayDtmf)] == [
        ("kcc-c1-1", "#", True),
        ("kcc-c1-1", "3", True),
    ]
    tape = r.recorder.tape("kcc-c1-1")
    assert tape is not None and tape.running is not None
    assert tape.running.file == capture_name("c1", "201", "kcc-c1-1", 1)
    assert await r.recorder.start("1001") == "agent 1001's call is being recorded already"
    assert len(r.ami.sent_of(PlayDtmf)) == 2  # on when on: the key is not pressed
    await r.clock.advance(BEEP_S)  # the start's beep has played
    assert await r.recorder.stop("1001") is None
    assert len(r.ami.sent_of(PlayDtmf)) == 4
    assert await r.recorder.stop("1001") == "agent 1001's call is not being recorded"
    assert len(r.ami.sent_of(PlayDtmf)) == 4  # off when off: nor here
    await r.clock.advance(BEEP_S)
    assert await r.recorder.start("1001") is None
    tape = r.recorder.tape("kcc-c1-1")
    assert tape is not None and tape.running is not None and tape.running.file.endswith("_2.raw")
    assert recording_states(r.sink) == ["started", "stopped", "started"]
    assert await r.recorder.start("1003") == "agent 1003 is in no call"
    # The API's presses are audited by the route, not as the phone's key.
    assert audited(r.audit) == []


async def test_a_stop_right_after_a_start_waits_until_the_start_beep_has_played(
    tmp_path: Path,
) -> None:
    # The subroutine beeps after its UserEvent; keys pressed during that Playback are
    # lost (a stop sent at once after a start was lost so on a real call).
    r = rig(tmp_path)
    assert await r.recorder.start("1001") is None
    await r.clock.advance(BEEP_S / 2)
    stopping = asyncio.ensure_future(r.recorder.stop("1001"))
    await settle()
    assert len(r.ami.sent_of(PlayDtmf)) == 2 and not stopping.done()  # still beeping
    await r.clock.advance(BEEP_S / 2)
    assert await stopping is None
    assert len(r.ami.sent_of(PlayDtmf)) == 4
    assert recording_states(r.sink) == ["started", "stopped"]


async def test_a_press_asterisk_refuses_is_answered_and_published(tmp_path: Path) -> None:
    recorder, ami, sink = build(tmp_path)
    ami.answer(PlayDtmf, lambda a: failure("Channel not found"))
    refused = await recorder.start("1001")
    assert refused is not None and "Channel not found" in refused
    (failed,) = sink.of_type(CallRecording)
    assert failed.state is RecordingState.FAILED and failed.reason == refused


async def test_a_key_without_its_event_is_refused_after_a_short_wait(tmp_path: Path) -> None:
    r = rig(tmp_path)
    r.dialplan.answers = False
    r.clock.call_later(KEY_ANSWER_S + 0.1, lambda: None)  # so advance has a step to take
    pending = asyncio.ensure_future(r.recorder.start("1001"))
    await settle()
    assert len(r.ami.sent_of(PlayDtmf)) == 2 and not pending.done()
    await r.clock.advance(KEY_ANSWER_S + 0.1)
    refused = await pending
    assert refused is not None and "did not answer the recording key (#3) within 3 s" in refused
    assert recording_states(r.sink) == ["failed"]
    assert not r.recorder.awaits_key("kcc-c1-1")


async def test_a_late_event_is_answered_when_it_comes(tmp_path: Path) -> None:
    r = rig(tmp_path)
    r.dialplan.answers = False
    r.clock.call_later(0.5, r.dialplan.toggle)  # the subroutine answers after 0.5 s
    pending = asyncio.ensure_future(r.recorder.start("1001"))
    await settle()
    await r.clock.advance(0.5)
    assert await pending is None
    assert recording_states(r.sink) == ["started"]


async def test_a_segment_asterisk_runs_unheard_of_is_not_toggled_off(tmp_path: Path) -> None:
    r = rig(tmp_path)
    r.dialplan.variables[Var.REC_MONITOR] = "mm9"  # recording, but the tape does not know
    assert await r.recorder.start("1001") == "agent 1001's call is being recorded already"
    assert r.ami.sent_of(PlayDtmf) == []


async def test_a_segment_asterisk_ended_unheard_of_is_stopped_without_the_key(
    tmp_path: Path,
) -> None:
    r = rig(tmp_path)
    await r.recorder.start("1001")
    r.dialplan.variables[Var.REC_MONITOR] = ""  # MixMonitor ended without the key
    assert await r.recorder.stop("1001") is None
    assert len(r.ami.sent_of(PlayDtmf)) == 2  # the key would have started a segment
    assert recording_states(r.sink) == ["started", "stopped"]


async def test_the_key_waits_for_the_bridge_then_gives_up(tmp_path: Path) -> None:
    r = rig(tmp_path)
    r.dialplan.bridged = False
    r.clock.call_later(BRIDGED_WITHIN_S + 1, lambda: None)
    pending = asyncio.ensure_future(r.recorder.start("1001"))
    for _ in range(int(BRIDGED_WITHIN_S / 0.1) + 2):
        await settle()
        await r.clock.advance(0.1)
    refused = await pending
    assert refused is not None and "not connected yet" in refused
    assert r.ami.sent_of(PlayDtmf) == []


async def test_the_key_is_pressed_once_the_leg_is_bridged(tmp_path: Path) -> None:
    r = rig(tmp_path)
    r.dialplan.bridged = False
    r.clock.call_later(0.3, lambda: setattr(r.dialplan, "bridged", True))
    pending = asyncio.ensure_future(r.recorder.start("1001"))
    for _ in range(5):
        await settle()
        await r.clock.advance(0.1)
    assert await pending is None
    assert len(r.ami.sent_of(PlayDtmf)) == 2


async def test_a_second_ask_while_the_key_is_pressed_changes_nothing(tmp_path: Path) -> None:
    r = rig(tmp_path)
    r.dialplan.answers = False
    r.clock.call_later(0.5, r.dialplan.toggle)
    first = asyncio.ensure_future(r.recorder.start("1001"))
    await settle()
    assert await r.recorder.start("1001") == (
        "agent 1001's recording key is being pressed already; try again in a moment"
    )
    await r.clock.advance(0.5)
    assert await first is None
    assert len(r.ami.sent_of(PlayDtmf)) == 2
    assert recording_states(r.sink) == ["started"]  # the second ask published no failure


async def test_the_automatic_policy_presses_the_same_key(tmp_path: Path) -> None:
    r = rig(tmp_path)
    r.recorder.start_soon("1001", "c9")  # the agent is on c1 by now: nothing to record
    r.recorder.start_soon("1001", "c1")
    await settle()
    assert [p.digit for p in r.ami.sent_of(PlayDtmf)] == ["#", "3"]
    assert recording_states(r.sink) == ["started"]
    assert audited(r.audit) == []
    await r.recorder.close()


async def test_the_hang_up_keeps_the_tape_with_the_calls_facts(tmp_path: Path) -> None:
    shelf = Shelf()
    r = rig(tmp_path, shelf)
    await r.recorder.start("1001")
    name = capture_name("c1", "201", "kcc-c1-1", 1)
    (tmp_path / name).write_bytes(b"\0" * 3200)
    (tmp_path / f"{name}.closed").touch()
    r.consumer.on_event(hang_up("kcc-c1-1"))
    await r.clock.advance(0.1)  # the started segment's check looks again: the tape is gone
    await r.recorder.idle()
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
    assert recording_states(r.sink) == ["started", "stopped", "stored"]
    assert r.sink.of_type(CallRecording)[-1].recording_id == "c1"


async def test_a_tape_that_cannot_be_kept_is_failed_and_left_for_the_sweep(
    tmp_path: Path,
) -> None:
    r = rig(tmp_path, Shelf(fail=True))
    await r.recorder.start("1001")
    (tmp_path / (capture_name("c1", "201", "kcc-c1-1", 1) + ".closed")).touch()
    r.consumer.on_event(hang_up("kcc-c1-1"))
    await r.clock.advance(0.1)
    await r.recorder.idle()
    failed = r.sink.of_type(CallRecording)[-1]
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
