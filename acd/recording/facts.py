"""What the controller's own events say of a recent call, for its recording.

``CallFactsBook`` is an event sink teed after the publisher (``acd.controller``): from
the stream events it keeps each recent call's topic, municipality and position, and its
timeline, the moments the player shows on the recording's time axis (the IVR's steps,
the queue, each waiting message, offers, the answer, a colleague's rings, the transfer,
the recording's own starts and stops, the hang-up), each with a short Dutch label and
never the caller's number. Bounded: the oldest calls are forgotten first.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from contract.events import (
    BackOfficeAnswered,
    BackOfficeEnded,
    BackOfficeNotAnswered,
    BackOfficeRinging,
    CallAnnounced,
    CallAnswered,
    CallEnded,
    CallIvrStep,
    CallNotAnswered,
    CallOffered,
    CallQueued,
    CallRecording,
    CallStarted,
    CallTransferred,
    StreamEvent,
)
from contract.vocabulary import RecordingState
from recordings.take import Mark

FACTS_KEPT = 2000  # calls remembered
MARKS_KEPT = 200  # moments a call (a loop in the IVR is cut off at the loop guard's 50)

_OUTCOMES = {
    "chosen": "gekozen",
    "no_input": "geen toets",
    "invalid": "ongeldige toets",
    "played": "afgespeeld",
    "closed": "gesloten",
    "calamity": "calamiteitenbericht",
    "menu_off": "menu uit",
    "loop_guard": "naar de algemene wachtrij",
}
_RECORDING = {
    RecordingState.STARTED: "Opname gestart",
    RecordingState.STOPPED: "Opname gestopt",
    RecordingState.STORED: "",
    RecordingState.FAILED: "Opname mislukt",
}


@dataclass(frozen=True, slots=True)
class CallFacts:
    topic: str | None = None
    municipality: str | None = None
    position_id: str | None = None
    marks: tuple[Mark, ...] = ()


def _ivr(e: CallIvrStep, names: Mapping[str, str]) -> str:
    if e.digit:
        return f"Menu {e.node}: toets {e.digit}"
    return f"Menu {e.node}: {_OUTCOMES.get(e.outcome.value, e.outcome.value)}"


_LABELS: dict[type, Callable[[Any, Mapping[str, str]], str]] = {
    CallStarted: lambda e, n: "Oproep binnen",
    CallIvrStep: _ivr,
    CallQueued: lambda e, n: f"In de wachtrij: {n.get(e.topic, e.topic)}",
    CallAnnounced: lambda e, n: f"Wachtbericht: positie {e.position}",
    CallOffered: lambda e, n: f"Aangeboden aan {e.agent_id} ({e.position_id})",
    CallNotAnswered: lambda e, n: f"Niet opgenomen door {e.agent_id}",
    CallAnswered: lambda e, n: "Aangenomen",
    BackOfficeRinging: lambda e, n: f"Collega {e.extension} gaat over",
    BackOfficeAnswered: lambda e, n: f"Collega {e.extension} neemt op",
    BackOfficeNotAnswered: lambda e, n: f"Collega {e.extension} neemt niet op",
    BackOfficeEnded: lambda e, n: f"Overleg met collega {e.extension} beëindigd",
    CallTransferred: lambda e, n: f"Doorverbonden naar {e.extension or e.department or '?'}",
    CallRecording: lambda e, n: _RECORDING[e.state],
    CallEnded: lambda e, n: "Opgehangen",
}


class CallFactsBook:
    """Recent calls' facts and timelines, from the controller's events (a sink)."""

    def __init__(self, topic_names: Mapping[str, str], kept: int = FACTS_KEPT) -> None:
        self._facts: OrderedDict[str, CallFacts] = OrderedDict()
        self._names, self._kept = topic_names, kept

    def publish(self, event: StreamEvent) -> None:
        if not event.call_id:
            return
        label = _LABELS.get(type(event))
        text = label(event, self._names) if label is not None else ""
        match event:
            case CallQueued():
                self._learn(event, text, topic=event.topic, municipality=event.municipality)
            case CallAnswered():
                self._learn(event, text, position_id=event.position_id)
            case _ if text:
                self._learn(event, text)

    def _learn(self, event: StreamEvent, label: str, **facts: str | None) -> None:
        known = self._facts.pop(event.call_id, CallFacts())
        marks = known.marks
        if label and len(marks) < MARKS_KEPT:
            marks = (*marks, Mark(event.at, event.TYPE, label))
        self._facts[event.call_id] = replace(known, marks=marks, **facts)
        while len(self._facts) > self._kept:
            self._facts.popitem(last=False)

    def of(self, call_id: str) -> CallFacts:
        return self._facts.get(call_id, CallFacts())
