"""Folding the controller's events (docs/events.md) into live call and agent records.

Theory of operation: `realtime_stats.ingest.entries.decode` turns one Redis Stream entry into
a frozen `Event`; the records live in `realtime_stats.fold_records`. `EventFold.apply`
takes events one at a time, in stream order, and keeps every queued call as a
`TrackedCall` (a `CallRecord` plus what tells when it is final), every call still in or
ended in the IVR as an `IvrCall`, each agent's state intervals, and each back-office ring
as a `BackOfficeRing` (its events are handled in `realtime_stats.ingest.fold_backoffice`). It
does no I/O: it returns `Changes` naming what moved, and `collect` hands those records to
the store (`realtime_stats.store`).

Each event builds new frozen records first and only then replaces the old ones, so an
event that would make an impossible record (`RecordError`) is skipped whole and the fold
keeps what it had. Nothing raises out of `apply`: problems are counted and the last few
reasons kept. An event whose stream id is not after the last applied one is a replay and
changes nothing, so re-reading the stream after a restart is safe.

A call is final when it has ended and, if answered, its agent has finished the after-call
work for it or moved on: only then is `after_call_seconds` known.
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from types import MappingProxyType

from contract.vocabulary import AgentState
from realtime_stats.figures.backoffice_records import BackOfficeRing, RingKey
from realtime_stats.figures.records import AgentInterval, CallRecord, IvrStep, RecordError
from realtime_stats.figures.tracked_records import (
    IntervalKey,
    IvrCall,
    MenuStep,
    TrackedCall,
    TrackedInterval,
)
from realtime_stats.ingest import fold_backoffice
from realtime_stats.ingest.changes import Changes
from realtime_stats.ingest.entries import KNOWN_VERSIONS, Event
from realtime_stats.ingest.fold_step import FoldUpdate
from realtime_stats.store.batches import FoldSnapshot, SaveBatch
from realtime_stats.store.position import StreamId

# While an agent talks on a call or wraps it up, the call's handling is not finished.
_HANDLING = frozenset({AgentState.TALKING, AgentState.AFTER_CALL_WORK})


@dataclass(frozen=True, slots=True, kw_only=True)
class FoldCounts:
    """How many stream entries the fold took, and why it skipped the others."""

    applied: int = 0
    replayed: int = 0
    unknown_version: int = 0
    unknown_type: int = 0
    rejected: int = 0
    malformed: int = 0
    unmatched: int = 0


class EventFold:
    """The live records of the day, built from the event stream; see the module docstring."""

    def __init__(self, *, keep_problems: int = 50) -> None:
        self._calls: dict[str, TrackedCall] = {}
        self._ivr: dict[str, IvrCall] = {}
        # Per agent, intervals by start in time order; the last one may still be open.
        self._intervals: dict[str, dict[datetime, TrackedInterval]] = {}
        self._handling: dict[str, str] = {}  # agent -> the answered call not yet done with
        self._rings: dict[RingKey, BackOfficeRing] = {}
        self._last: StreamId | None = None
        self._counts: Counter[str] = Counter()
        self._problems: deque[str] = deque(maxlen=keep_problems)

    # --- reading ---

    @property
    def last_stream_id(self) -> StreamId | None:
        return self._last

    @property
    def counts(self) -> FoldCounts:
        return FoldCounts(**self._counts)

    @property
    def problems(self) -> tuple[str, ...]:
        """The most recent reasons events were skipped, oldest first."""
        return tuple(self._problems)

    def calls(self) -> list[CallRecord]:
        return [tracked.record for tracked in self._calls.values()]

    def tracked_call(self, call_id: str) -> TrackedCall | None:
        return self._calls.get(call_id)

    def ivr_call(self, call_id: str) -> IvrCall | None:
        return self._ivr.get(call_id)

    def ivr_calls(self) -> list[IvrCall]:
        return list(self._ivr.values())

    def intervals(self) -> list[AgentInterval]:
        return [t.interval for per in self._intervals.values() for t in per.values()]

    def tracked_interval(self, key: IntervalKey) -> TrackedInterval | None:
        return self._intervals.get(key.agent_id, {}).get(key.start)

    def rings(self) -> list[BackOfficeRing]:
        return list(self._rings.values())

    def ring(self, key: RingKey) -> BackOfficeRing | None:
        return self._rings.get(key)

    def collect(self, changes: Changes) -> SaveBatch:
        """The current version of every record `changes` names, for the store."""
        calls = [c for c in map(self._calls.get, sorted(changes.calls)) if c is not None]
        ivr = [c for c in map(self._ivr.get, sorted(changes.calls)) if c is not None]
        found = (self.tracked_interval(key) for key in sorted(changes.intervals))
        return SaveBatch(
            stream_id=changes.stream_id,
            calls=tuple(calls),
            ivr_calls=tuple(ivr),
            intervals=tuple(i for i in found if i is not None),
            rings=tuple(r for r in map(self._rings.get, sorted(changes.rings)) if r is not None),
        )

    # --- changing ---

    def apply(self, event: Event) -> Changes:
        """Fold one event in; never raises for a bad event, it is counted instead."""
        if self._last is not None and event.stream_id <= self._last:
            self._counts["replayed"] += 1
            return Changes()
        self._last = event.stream_id
        moved = Changes(event.stream_id)
        if event.v not in KNOWN_VERSIONS:
            self._problem("unknown_version", event, f"schema version {event.v!r} is unknown")
            return moved
        handler = _HANDLERS.get(event.type)
        if handler is None:
            self._counts["unknown_type"] += 1
            return moved
        try:
            update = handler(self, event)
        except RecordError as exc:
            self._problem("rejected", event, str(exc))
            return moved
        if update.note is not None:
            self._problem("unmatched", event, update.note)
        self._counts["applied"] += 1
        return self._commit(event.stream_id, update)

    def reject(self, stream_id: StreamId, reason: str) -> Changes:
        """Count a stream entry that could not be decoded and move past it."""
        if self._last is not None and stream_id <= self._last:
            return Changes()
        self._last = stream_id
        self._counts["malformed"] += 1
        self._problems.append(f"{stream_id}: {reason}")
        return Changes(stream_id)

    def restore(self, snapshot: FoldSnapshot) -> None:
        """Start from what the store kept (only on an empty fold)."""
        if self._last is not None or self._calls or self._ivr or self._intervals or self._rings:
            raise RuntimeError("EventFold.restore needs an empty fold")
        self._calls = {t.record.call_id: t for t in snapshot.calls}
        self._rings = {r.key: r for r in snapshot.rings}
        self._ivr = {c.call_id: c for c in snapshot.ivr_calls}
        for tracked in sorted(snapshot.intervals, key=lambda t: t.interval.start):
            self._intervals.setdefault(tracked.interval.agent_id, {})[tracked.key.start] = tracked
        unfinished = [t.record for t in snapshot.calls if t.record.answered_at and not t.agent_done]
        for record in sorted(unfinished, key=lambda r: r.answered_at or r.entered_at):
            if record.agent_id is not None:
                self._handling[record.agent_id] = record.call_id
        self._last = snapshot.last_stream_id

    def forget_before(self, moment: datetime) -> None:
        """Drop what is finished before `moment` (a day roll); live records stay."""
        self._calls = {
            k: c for k, c in self._calls.items() if not (c.final and c.record.entered_at < moment)
        }
        self._ivr = {k: c for k, c in self._ivr.items() if not (c.ended and c.started_at < moment)}
        self._rings = fold_backoffice.forget_before(self._rings, moment)
        for agent, per in self._intervals.items():
            self._intervals[agent] = {
                start: t
                for start, t in per.items()
                if t.interval.end is None or t.interval.end > moment
            }

    def _problem(self, counter: str, event: Event, reason: str) -> None:
        self._counts[counter] += 1
        self._problems.append(f"{event.stream_id} {event.type}: {reason}")

    def _commit(self, stream_id: StreamId, update: FoldUpdate) -> Changes:
        finalized = {
            cid
            for cid, c in update.calls.items()
            if c.final and not (cid in self._calls and self._calls[cid].final)
        }
        self._calls.update(update.calls)
        for cid, ivr in update.ivr.items():
            if ivr is None:
                self._ivr.pop(cid, None)
            else:
                self._ivr[cid] = ivr
                finalized.update({cid} if ivr.ended else ())
        for tracked in update.intervals:
            self._intervals.setdefault(tracked.interval.agent_id, {})[tracked.key.start] = tracked
        for agent, call_id in update.handling.items():
            if call_id is None:
                self._handling.pop(agent, None)
            else:
                self._handling[agent] = call_id
        self._rings.update(update.rings)
        return Changes(
            stream_id,
            frozenset(update.calls) | frozenset(update.ivr),
            frozenset(t.key for t in update.intervals),
            frozenset(finalized),
            frozenset(update.rings),
        )

    # --- one handler per event type; each raises RecordError for an impossible event ---

    def _call_id(self, event: Event) -> str:
        if event.call_id is None:
            raise RecordError(f"{event.type} without a call_id")
        return event.call_id

    def _queued_call(self, event: Event) -> TrackedCall:
        call_id = self._call_id(event)
        tracked = self._calls.get(call_id)
        if tracked is None:
            raise RecordError(f"call {call_id}: {event.type} for a call that never queued")
        return tracked

    def _started(self, event: Event) -> FoldUpdate:
        call_id = self._call_id(event)
        if call_id in self._calls or call_id in self._ivr:
            raise RecordError(f"call {call_id}: started twice")
        return FoldUpdate(ivr={call_id: IvrCall(call_id=call_id, started_at=event.at)})

    def _ivr_step(self, event: Event) -> FoldUpdate:
        call_id, node = self._call_id(event), event.value("node")
        if node is None:
            raise RecordError(f"call {call_id}: ivr step without a node")
        step = MenuStep(node, event.value("digit"), event.value("outcome"), event.at)
        tracked = self._calls.get(call_id)
        if tracked is not None:
            steps = (*tracked.steps, step)
            record = replace(tracked.record, ivr_steps=_ivr_steps(steps))
            return FoldUpdate(calls={call_id: replace(tracked, record=record, steps=steps)})
        # A call whose `call.started` is no longer in the stream still keeps its steps.
        ivr = self._ivr.get(call_id) or IvrCall(call_id=call_id, started_at=event.at)
        if ivr.ended:
            raise RecordError(f"call {call_id}: ivr step after the call ended")
        return FoldUpdate(ivr={call_id: replace(ivr, steps=(*ivr.steps, step))})

    def _queued(self, event: Event) -> FoldUpdate:
        call_id = self._call_id(event)
        ivr = self._ivr.get(call_id)
        if call_id in self._calls:
            raise RecordError(f"call {call_id}: queued twice")
        if ivr is not None and ivr.ended:
            raise RecordError(f"call {call_id}: queued after it ended in the IVR")
        steps = ivr.steps if ivr is not None else ()
        record = CallRecord(
            call_id=call_id,
            entered_at=event.at,
            topic_id=event.value("topic"),
            municipality_id=event.value("municipality"),
            fell_back_from_department=event.value("fell_back_from"),
            ivr_steps=_ivr_steps(steps),
        )
        return FoldUpdate(
            calls={call_id: TrackedCall(record=record, steps=steps)},
            ivr={call_id: None} if ivr is not None else {},
        )

    def _answered(self, event: Event) -> FoldUpdate:
        tracked = self._queued_call(event)
        agent = event.agent_id
        if agent is None:
            raise RecordError(f"call {tracked.record.call_id}: answered without an agent_id")
        if tracked.record.answered_at is not None:
            raise RecordError(f"call {tracked.record.call_id}: answered twice")
        record = replace(tracked.record, answered_at=event.at, agent_id=agent)
        update = self._release(agent, keep=record.call_id)
        update.calls[record.call_id] = replace(tracked, record=record)
        update.handling[agent] = record.call_id
        return update

    def _transferred(self, event: Event) -> FoldUpdate:
        tracked = self._queued_call(event)
        call = tracked.record
        if call.answered_at is None or call.transferred:
            raise RecordError(f"call {call.call_id}: transferred but not answered or twice")
        record = replace(
            call,
            transferred=True,
            transfer_department=event.value("department"),
            talk_seconds=(event.at - call.answered_at).total_seconds(),
        )
        return FoldUpdate(calls={call.call_id: replace(tracked, record=record)})

    def _recording(self, event: Event) -> FoldUpdate:
        tracked = self._queued_call(event)
        record = replace(tracked.record, recorded=True)
        return FoldUpdate(calls={record.call_id: replace(tracked, record=record)})

    def _ended(self, event: Event) -> FoldUpdate:
        call_id = self._call_id(event)
        if call_id in self._calls:
            return self._ended_in_queue(self._calls[call_id], event)
        ivr = self._ivr.get(call_id)
        if ivr is None or ivr.ended:
            raise RecordError(f"call {call_id}: ended {'twice' if ivr else 'but never started'}")
        ended = replace(
            ivr, ended_at=event.at, end_phase=event.value("phase"), ended_by=event.value("by")
        )
        return FoldUpdate(ivr={call_id: ended})

    def _ended_in_queue(self, tracked: TrackedCall, event: Event) -> FoldUpdate:
        call = tracked.record
        if call.ended_at is not None:
            raise RecordError(f"call {call.call_id}: ended twice")
        talk = call.talk_seconds
        if call.answered_at is not None and not call.transferred:
            talk = (event.at - call.answered_at).total_seconds()
        record = replace(call, ended_at=event.at, talk_seconds=talk)
        return FoldUpdate(calls={call.call_id: replace(tracked, record=record)})

    def _agent_state(self, event: Event) -> FoldUpdate:
        agent, text = event.agent_id, event.value("state") or ""
        if agent is None:
            raise RecordError("agent.state without an agent_id")
        try:
            state = AgentState(text)
        except ValueError:
            allowed = ", ".join(s.value for s in AgentState)
            raise RecordError(
                f"agent {agent}: state {text!r} is unknown; allowed: {allowed}"
            ) from None
        reason = event.value("reason") if state is AgentState.PAUSED else None
        interval = AgentInterval(agent_id=agent, state=state, start=event.at, pause_reason=reason)
        new = TrackedInterval(interval=interval, call_id=event.call_id)
        current = self._current(agent)
        if current is not None and (current.interval, current.call_id) == (
            replace(new.interval, start=current.interval.start),
            new.call_id,
        ):
            return FoldUpdate()  # the same state repeated: nothing new to record
        update = self._release(agent, keep=new.call_id if state in _HANDLING else None)
        if current is not None:
            self._close(current, event.at, update)
        update.intervals.append(new)
        if state in _HANDLING and new.call_id is not None:
            update.handling[agent] = new.call_id
        return update

    def _current(self, agent: str) -> TrackedInterval | None:
        """The agent's open interval (a restored day may end with a closed one)."""
        per = self._intervals.get(agent)
        last = next(reversed(per.values())) if per else None
        return last if last is not None and last.interval.end is None else None

    def _close(self, current: TrackedInterval, at: datetime, update: FoldUpdate) -> None:
        """End the agent's open interval at `at`; after-call work is added to its call."""
        if current.interval.start == at:
            return  # a zero-length interval: the new one, with the same key, replaces it
        update.intervals.append(replace(current, interval=replace(current.interval, end=at)))
        if current.interval.state is not AgentState.AFTER_CALL_WORK or current.call_id is None:
            return
        tracked = update.calls.get(current.call_id) or self._calls.get(current.call_id)
        if tracked is None or tracked.record.answered_at is None:
            update.note = f"after-call work for call {current.call_id}, not an answered call here"
            return
        seconds = (at - current.interval.start).total_seconds()
        record = replace(
            tracked.record, after_call_seconds=tracked.record.after_call_seconds + seconds
        )
        update.calls[current.call_id] = replace(tracked, record=record)

    def _release(self, agent: str, *, keep: str | None) -> FoldUpdate:
        """The agent moved on from the call it was handling, unless that call is `keep`."""
        update = FoldUpdate()
        call_id = self._handling.get(agent)
        if call_id is None or call_id == keep:
            return update
        update.handling[agent] = None
        tracked = self._calls.get(call_id)
        if tracked is not None:
            update.calls[call_id] = replace(tracked, agent_done=True)
        return update

    def _backoffice(self, event: Event) -> FoldUpdate:
        ring = fold_backoffice.HANDLERS[event.type](self._rings, event)
        return FoldUpdate(rings={ring.key: ring})

    def _no_record(self, event: Event) -> FoldUpdate:
        """Known types that change no record (announcements, offers, skills)."""
        return FoldUpdate()


def _ivr_steps(steps: Iterable[MenuStep]) -> tuple[IvrStep, ...]:
    return tuple(IvrStep(s.node, s.at) for s in steps)


_HANDLERS: Mapping[str, Callable[[EventFold, Event], FoldUpdate]] = MappingProxyType(
    {
        "call.started": EventFold._started,
        "call.ivr_step": EventFold._ivr_step,
        "call.queued": EventFold._queued,
        "call.announced": EventFold._no_record,
        "call.offered": EventFold._no_record,
        "call.not_answered": EventFold._no_record,
        "call.answered": EventFold._answered,
        "call.transferred": EventFold._transferred,
        "call.recording": EventFold._recording,
        "call.ended": EventFold._ended,
        "agent.state": EventFold._agent_state,
        "agent.topics": EventFold._no_record,
        **dict.fromkeys(fold_backoffice.HANDLERS, EventFold._backoffice),
    }
)
