"""Which part of the event fold takes each event: `handle`, by the event's class.

Call events go to `fold_calls`, agent states to `fold_agents`, back-office events to
`fold_backoffice`, callback notes to `fold_callbacks`; `controller.started` to the calls',
rings' and agents' parts in turn; events that change no record get an
empty update, and a class this fold does not know gets None (the fold counts it as an
unknown type). `realtime_stats.ingest.fold.EventFold` installs what comes back.
"""

from __future__ import annotations

from contract.events import (
    AgentStateChanged,
    AgentTopicsChanged,
    BackOfficeAnswered,
    BackOfficeEnded,
    BackOfficeNotAnswered,
    BackOfficeRinging,
    CallAnnounced,
    CallAnswered,
    CallbackDone,
    CallbackNoted,
    CallEnded,
    CallIvrStep,
    CallNotAnswered,
    CallOffered,
    CallQueued,
    CallRecording,
    CallStarted,
    CallTransferred,
    ControllerStarted,
    StreamEvent,
)
from realtime_stats.figures.backoffice_records import BackOfficeRing
from realtime_stats.figures.callback_records import CallbackNote
from realtime_stats.ingest import fold_agents, fold_backoffice, fold_callbacks, fold_calls
from realtime_stats.ingest.fold_step import FoldState, FoldUpdate


def handle(state: FoldState, event: StreamEvent) -> FoldUpdate | None:
    """What `event` changes, by its class; None for a class this fold does not know."""
    match event:
        case CallStarted():
            return fold_calls.started(state, event)
        case CallIvrStep():
            return fold_calls.ivr_step(state, event)
        case CallQueued():
            return fold_calls.queued(state, event)
        case CallAnswered():
            return fold_calls.answered(state, event)
        case CallTransferred():
            return fold_calls.transferred(state, event)
        case CallRecording():
            return fold_calls.recording(state, event)
        case CallEnded():
            return fold_calls.ended(state, event)
        case AgentStateChanged():
            return fold_agents.state_changed(state, event)
        case CallAnnounced() | CallOffered() | CallNotAnswered() | AgentTopicsChanged():
            return FoldUpdate()  # known, but they change no record
        case BackOfficeRinging():
            return _ring(fold_backoffice.ringing(state.rings, event))
        case BackOfficeAnswered():
            return _ring(fold_backoffice.answered(state.rings, event))
        case BackOfficeNotAnswered():
            return _ring(fold_backoffice.not_answered(state.rings, event))
        case BackOfficeEnded():
            return _ring(fold_backoffice.ended(state.rings, event))
        case CallbackNoted():
            return _note(fold_callbacks.noted(state.notes, event))
        case CallbackDone():
            return _note(fold_callbacks.done(state.notes, event))
        case ControllerStarted():
            return _restarted(state, event)
    return None


def _restarted(state: FoldState, event: ControllerStarted) -> FoldUpdate:
    """What the previous controller left open it can no longer end: its calls, its rings
    and its agents' states all end at the new one's start."""
    update = fold_calls.controller_started(state, event)
    update.rings.update(fold_backoffice.controller_started(state.rings, event.at))
    fold_agents.controller_started(state, event.at, update)  # after the calls: it reads them
    return update


def _ring(ring: BackOfficeRing) -> FoldUpdate:
    return FoldUpdate(rings={ring.key: ring})


def _note(note: CallbackNote) -> FoldUpdate:
    return FoldUpdate(notes={note.note_id: note})
