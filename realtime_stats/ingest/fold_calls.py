"""The fold's call part: `call.*` events into tracked calls and IVR-only calls.

A call starts as an `IvrCall` (`call.started`, its menu steps); `call.queued` makes it a
`TrackedCall` around a `CallRecord`, which answer, transfer, recording and end fill in.
A call that ends without queueing stays an `IvrCall` that ended in the IVR. A
`controller.started` ends every call still going on, its end unknown. Handlers read
the `FoldState` and return a `FoldUpdate`; they raise `RecordError` for an impossible
event (queued twice, answered before it queued, ended twice ...), which the fold then
skips whole. Events that change no record (announcements, offers) have no handler here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from contract.events import (
    CallAnswered,
    CallEnded,
    CallIvrStep,
    CallQueued,
    CallRecording,
    CallStarted,
    CallTransferred,
    ControllerStarted,
)
from contract.vocabulary import RecordingState
from realtime_stats.figures.records import CallRecord, IvrStep, RecordError
from realtime_stats.figures.tracked_records import IvrCall, MenuStep, TrackedCall
from realtime_stats.ingest.fold_agents import release
from realtime_stats.ingest.fold_step import FoldState, FoldUpdate


def started(state: FoldState, event: CallStarted) -> FoldUpdate:
    call_id = event.call_id
    if call_id in state.calls or call_id in state.ivr:
        raise RecordError(f"call {call_id}: started twice")
    return FoldUpdate(ivr={call_id: IvrCall(call_id=call_id, started_at=event.at)})


def ivr_step(state: FoldState, event: CallIvrStep) -> FoldUpdate:
    call_id = event.call_id
    step = MenuStep(event.node, event.digit, event.outcome.value, event.at)
    tracked = state.calls.get(call_id)
    if tracked is not None:
        steps = (*tracked.steps, step)
        record = replace(tracked.record, ivr_steps=_ivr_steps(steps))
        return FoldUpdate(calls={call_id: replace(tracked, record=record, steps=steps)})
    # A call whose `call.started` is no longer in the stream still keeps its steps.
    ivr = state.ivr.get(call_id) or IvrCall(call_id=call_id, started_at=event.at)
    if ivr.ended:
        raise RecordError(f"call {call_id}: ivr step after the call ended")
    return FoldUpdate(ivr={call_id: replace(ivr, steps=(*ivr.steps, step))})


def queued(state: FoldState, event: CallQueued) -> FoldUpdate:
    call_id = event.call_id
    ivr = state.ivr.get(call_id)
    if call_id in state.calls:
        raise RecordError(f"call {call_id}: queued twice")
    if ivr is not None and ivr.ended:
        raise RecordError(f"call {call_id}: queued after it ended in the IVR")
    steps = ivr.steps if ivr is not None else ()
    record = CallRecord(
        call_id=call_id,
        entered_at=event.at,
        topic_id=event.topic,
        municipality_id=event.municipality,
        fell_back_from_department=event.fell_back_from,
        ivr_steps=_ivr_steps(steps),
    )
    return FoldUpdate(
        calls={call_id: TrackedCall(record=record, steps=steps)},
        ivr={call_id: None} if ivr is not None else {},
    )


def answered(state: FoldState, event: CallAnswered) -> FoldUpdate:
    tracked = _queued_call(state, event)
    if tracked.record.answered_at is not None:
        raise RecordError(f"call {tracked.record.call_id}: answered twice")
    agent = event.agent_id
    record = replace(tracked.record, answered_at=event.at, agent_id=agent)
    update = release(state, agent, keep=record.call_id)
    update.calls[record.call_id] = replace(tracked, record=record)
    update.handling[agent] = record.call_id
    return update


def transferred(state: FoldState, event: CallTransferred) -> FoldUpdate:
    tracked = _queued_call(state, event)
    call = tracked.record
    if call.answered_at is None or call.transferred:
        raise RecordError(f"call {call.call_id}: transferred but not answered or twice")
    record = replace(
        call,
        transferred=True,
        transfer_department=event.department,
        talk_seconds=(event.at - call.answered_at).total_seconds(),
    )
    return FoldUpdate(calls={call.call_id: replace(tracked, record=record)})


def recording(state: FoldState, event: CallRecording) -> FoldUpdate:
    """A queued call is recorded from its first segment on. A direct back-office call
    has no call record of its own (its rings are counted), so its recording is not."""
    tracked = state.calls.get(event.call_id)
    if tracked is None or event.state is not RecordingState.STARTED or tracked.record.recorded:
        return FoldUpdate()
    record = replace(tracked.record, recorded=True)
    return FoldUpdate(calls={record.call_id: replace(tracked, record=record)})


def ended(state: FoldState, event: CallEnded) -> FoldUpdate:
    call_id = event.call_id
    if call_id in state.calls:
        return _ended_in_queue(state.calls[call_id], event)
    ivr = state.ivr.get(call_id)
    if ivr is None or ivr.ended:
        raise RecordError(f"call {call_id}: ended {'twice' if ivr else 'but never started'}")
    ended = replace(ivr, ended_at=event.at, end_phase=event.phase.value, ended_by=event.by.value)
    return FoldUpdate(ivr={call_id: ended})


def _ended_in_queue(tracked: TrackedCall, event: CallEnded) -> FoldUpdate:
    call = tracked.record
    if call.ended_at is not None:
        raise RecordError(f"call {call.call_id}: ended twice")
    talk = call.talk_seconds
    if call.answered_at is not None and not call.transferred:
        talk = (event.at - call.answered_at).total_seconds()
    record = replace(call, ended_at=event.at, talk_seconds=talk)
    return FoldUpdate(calls={call.call_id: replace(tracked, record=record)})


def controller_started(state: FoldState, event: ControllerStarted) -> FoldUpdate:
    """A new controller knows no call from before it: every call still going on ends now,
    its end unknown (docs/metrics.md), so none stays live on the wallboard."""
    update = FoldUpdate()
    for call_id, tracked in state.calls.items():
        call = tracked.record
        if call.ended_at is None:
            ended = max(event.at, call.answered_at or call.entered_at)
            record = replace(call, ended_at=ended, end_unknown=True)
            update.calls[call_id] = replace(tracked, record=record, agent_done=True)
    for agent, call_id in state.handling.items():
        update.handling[agent] = None
        if call_id not in update.calls and call_id in state.calls:
            update.calls[call_id] = replace(state.calls[call_id], agent_done=True)
    for call_id, ivr in state.ivr.items():
        if not ivr.ended:
            ended = max([event.at, ivr.started_at, *(s.at for s in ivr.steps)])
            update.ivr[call_id] = replace(ivr, ended_at=ended, end_phase=LOST_PHASE)
    return update


LOST_PHASE = "lost"
"""An IVR call's `end_phase` when its end never came (a controller restart)."""


def _queued_call(state: FoldState, event: CallAnswered | CallTransferred) -> TrackedCall:
    tracked = state.calls.get(event.call_id)
    if tracked is None:
        raise RecordError(f"call {event.call_id}: {event.TYPE} for a call that never queued")
    return tracked


def _ivr_steps(steps: Iterable[MenuStep]) -> tuple[IvrStep, ...]:
    return tuple(IvrStep(s.node, s.at) for s in steps)
