"""What a call in progress brings to the agent's screen, folded from the stream events.

The controller publishes every step of a call (``contract.events``); the desk reads the
same events as they are published, so the screen pop shows exactly what the stream and
the stats service see: the municipality and topic the caller chose, the IVR path, when
they joined the queue (the wait), the department they fell back from, and how often the
number called in the last 7 days (counted by ``acd.desk.history`` when the call
started; the number itself goes no further than that count).

``CallScreen`` is one call's record; ``fold`` returns the new record for an event, or
the old one when the event says nothing new. Pure: no I/O, no clock.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from contract.events import (
    BackOfficeRinging,
    CallAnswered,
    CallIvrStep,
    CallOffered,
    CallQueued,
    CallRecording,
    CallStarted,
    CallTransferred,
    StreamEvent,
)
from contract.vocabulary import RecordingState


@dataclass(frozen=True, slots=True)
class IvrStep:
    node: str
    digit: str | None
    outcome: str


@dataclass(frozen=True, slots=True, kw_only=True)
class CallScreen:
    """One call as an agent's screen shows it."""

    call_id: str
    started_at: datetime
    ivr_path: tuple[IvrStep, ...] = ()
    topic: str | None = None
    municipality: str | None = None
    fell_back_from: str | None = None
    queued_at: datetime | None = None
    offered_at: datetime | None = None
    offered_to: str | None = None
    answered_at: datetime | None = None
    calls_last_7_days: int | None = None  # None: a withheld number, nothing to count
    recording: bool = False  # a segment runs now
    recorded: bool = False  # some segment ran
    recording_trouble: str = ""  # why the last start or the storing failed
    transferred_to: str | None = None

    @property
    def waited_s(self) -> float | None:
        """From joining the queue to the phone ringing (or to now, while still waiting)."""
        if self.queued_at is None or self.offered_at is None:
            return None
        return max(0.0, (self.offered_at - self.queued_at).total_seconds())


def begin(event: StreamEvent, calls_last_7_days: int | None) -> CallScreen:
    """The record a first event of a call opens (``call.started`` or a direct call)."""
    return CallScreen(
        call_id=event.call_id, started_at=event.at, calls_last_7_days=calls_last_7_days
    )


def fold(screen: CallScreen, event: StreamEvent) -> CallScreen:
    """``screen`` after ``event`` of the same call."""
    match event:
        case CallIvrStep():
            step = IvrStep(event.node, event.digit, event.outcome.value)
            return replace(screen, ivr_path=(*screen.ivr_path, step))
        case CallQueued():
            return replace(
                screen,
                topic=event.topic,
                municipality=event.municipality or screen.municipality,
                fell_back_from=event.fell_back_from,
                queued_at=screen.queued_at or event.at,  # a ring-no-answer keeps the place
            )
        case CallOffered():
            return replace(screen, offered_at=event.at, offered_to=event.agent_id)
        case CallAnswered():
            return replace(screen, answered_at=event.at)
        case CallRecording():
            return _recording(screen, event)
        case CallTransferred():
            return replace(screen, transferred_to=event.extension or event.department)
        case CallStarted() | BackOfficeRinging():
            return screen
    return screen


def _recording(screen: CallScreen, event: CallRecording) -> CallScreen:
    if event.state is RecordingState.STARTED:
        return replace(screen, recording=True, recorded=True, recording_trouble="")
    if event.state is RecordingState.FAILED:
        return replace(screen, recording=False, recording_trouble=event.reason)
    return replace(screen, recording=False)
