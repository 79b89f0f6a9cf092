"""The recorder on fakes: its double of the shelf, of the dialplan's recording key, and the rig."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from acd.agents.machine import Leg, LegState
from acd.ami.actions import Getvar, PlayDtmf
from acd.ami.fake import FakeAmi, Reply, channel, event, failure, success
from acd.audit import AuditLog
from acd.clock import FakeClock
from acd.recording.consumer import RecordingEvents
from acd.recording.facts import CallFactsBook
from acd.recording.service import CaptureFolder, Recorder
from contract import MemorySink
from contract.dialplan import RECORD_KEY, Var, capture_name
from contract.events import CallAnswered, CallQueued, CallRecording
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
