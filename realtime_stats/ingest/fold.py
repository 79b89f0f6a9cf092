"""Folding the controller's events (docs/events.md) into live call, agent, ring and note records.

Theory of operation: `realtime_stats.ingest.entries.read_entry` turns one Redis Stream
entry into a `StreamEntry` (its position and the contract's typed event) or an
`UnreadableEntry`. `EventFold.apply` takes entries one at a time, in stream order, and
keeps every queued call as a `TrackedCall` (a `CallRecord` plus what tells when it is
final), every call still in or ended in the IVR as an `IvrCall`, each agent's state
intervals, each back-office ring as a `BackOfficeRing` and each callback note as a
`CallbackNote`. `handle` (`fold_dispatch`) sends each event, by its class, to its
handler: call events to `fold_calls`, agent states to `fold_agents`, back-office events
to `fold_backoffice`, callback notes to `fold_callbacks`. It does no I/O: it returns
`Changes` naming what moved, and `collect` hands those records to the store
(`realtime_stats.store`).

Each event's handler builds new frozen records first and only then does the fold replace
the old ones, so an event that would make an impossible record (`RecordError`) is skipped
whole and the fold keeps what it had. Nothing raises out of `apply`: problems are counted
(`FoldCounts`) and the last few reasons kept. An entry whose stream id is not after the
last applied one is a replay and changes nothing, so re-reading the stream after a
restart is safe. An entry whose writer's stamp (``origin``, ``seq``) is at or below the
last one applied of that origin is a duplicate (the controller sent a broken batch
again) and changes nothing either; the last seq per origin is stored with the records.

A call is final when it has ended and, if answered, its agent has finished the after-call
work for it or moved on: only then is `after_call_seconds` known.
"""

from __future__ import annotations

from collections import Counter, deque
from dataclasses import dataclass
from datetime import datetime

from realtime_stats.figures.backoffice_records import BackOfficeRing, RingKey
from realtime_stats.figures.callback_records import CallbackNote
from realtime_stats.figures.records import AgentInterval, CallRecord, RecordError
from realtime_stats.figures.tracked_records import (
    IntervalKey,
    IvrCall,
    TrackedCall,
    TrackedInterval,
)
from realtime_stats.ingest import fold_backoffice, fold_callbacks
from realtime_stats.ingest.changes import Changes
from realtime_stats.ingest.entries import EntryProblem, ReadEntry, StreamEntry, UnreadableEntry
from realtime_stats.ingest.fold_dispatch import handle
from realtime_stats.ingest.fold_step import FoldState, FoldUpdate
from realtime_stats.store.batches import AppliedSeq, FoldSnapshot, SaveBatch
from realtime_stats.store.position import StreamId


@dataclass(frozen=True, slots=True, kw_only=True)
class FoldCounts:
    """How many stream entries the fold took, and why it skipped the others.

    `applied`: events folded in (an `unmatched` one too); `replayed`: events at or before
    the position already reached; `duplicate`: events written twice (their stamp was
    applied already); `malformed`, `unknown_version`, `unknown_type`: entries
    that hold no event this reader can fold (`EntryProblem`); `rejected`: events that would
    make an impossible record; `unmatched`: applied, but a part had nothing to attach to.
    """

    applied: int = 0
    replayed: int = 0
    duplicate: int = 0
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
        self._arrival: dict[IntervalKey, TrackedInterval] = {}  # the same, as they came
        self._handling: dict[str, str] = {}  # agent -> the answered call not yet done with
        self._rings: dict[RingKey, BackOfficeRing] = {}
        self._notes: dict[str, CallbackNote] = {}  # open ones, and those of the day
        self._last: StreamId | None = None
        self._applied: dict[str, int] = {}  # writer's run (origin) -> last seq applied
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
        """The most recent reasons entries were skipped, oldest first."""
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

    def intervals_as_they_came(self) -> list[AgentInterval]:
        """The intervals of `intervals`, each where it first came: a closed interval
        keeps the place of its open version and new ones go at the end, so the wallboard
        finds what changed by comparing position by position (`day_board.changed`)."""
        return [t.interval for t in self._arrival.values()]

    def positions(self) -> dict[str, str]:
        """Agent id -> the position each logged-in agent is at now (``tic1``)."""
        found = {}
        for agent_id, per in self._intervals.items():
            last = next(reversed(per.values()), None)
            if last is not None and last.interval.end is None and last.position_id:
                found[agent_id] = last.position_id
        return found

    def tracked_interval(self, key: IntervalKey) -> TrackedInterval | None:
        return self._intervals.get(key.agent_id, {}).get(key.start)

    def rings(self) -> list[BackOfficeRing]:
        return list(self._rings.values())

    def ring(self, key: RingKey) -> BackOfficeRing | None:
        return self._rings.get(key)

    def notes(self) -> list[CallbackNote]:
        return list(self._notes.values())

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
            notes=tuple(n for n in map(self._notes.get, sorted(changes.notes)) if n is not None),
            applied=tuple(AppliedSeq(o, self._applied[o]) for o in sorted(changes.origins)),
        )

    # --- changing ---

    def apply(self, entry: ReadEntry) -> Changes:
        """Fold one entry in; never raises for a bad one, it is counted instead."""
        if isinstance(entry, UnreadableEntry):
            return self._skip(entry)
        if self._last is not None and entry.stream_id <= self._last:
            self._counts["replayed"] += 1
            return Changes()
        self._last = entry.stream_id
        if entry.stamp is not None:
            origin, seq = entry.stamp.origin, entry.stamp.seq
            if seq <= self._applied.get(origin, 0):
                self._counts["duplicate"] += 1
                return Changes(entry.stream_id)
            self._applied[origin] = seq
            moved = Changes(entry.stream_id, origins=frozenset({origin}))
        else:
            moved = Changes(entry.stream_id)
        try:
            update = handle(self._state(), entry.event)
        except RecordError as exc:
            self._problem("rejected", entry, str(exc))
            return moved
        if update is None:
            self._counts["unknown_type"] += 1
            return moved
        if update.note is not None:
            self._problem("unmatched", entry, update.note)
        self._counts["applied"] += 1
        return moved | self._commit(entry.stream_id, update)

    def _skip(self, entry: UnreadableEntry) -> Changes:
        """Count an entry that holds no event this fold can take, and move past it."""
        if self._last is not None and entry.stream_id <= self._last:
            # `replayed` counts entries of a version and type that were read before; an
            # entry that could not be read at all was never an event, so it is not counted.
            if entry.problem is not EntryProblem.MALFORMED:
                self._counts["replayed"] += 1
            return Changes()
        self._last = entry.stream_id
        self._counts[entry.problem.value] += 1
        if entry.problem is EntryProblem.MALFORMED:
            self._problems.append(f"{entry.stream_id}: {entry.reason}")
        elif entry.problem is EntryProblem.UNKNOWN_VERSION:
            self._problems.append(f"{entry.stream_id} {entry.type_name}: {entry.reason}")
        return Changes(entry.stream_id)

    def restore(self, snapshot: FoldSnapshot) -> None:
        """Start from what the store kept (only on an empty fold)."""
        held = (self._calls, self._ivr, self._intervals, self._rings, self._notes)
        if self._last is not None or any(held):
            raise RuntimeError("EventFold.restore needs an empty fold")
        self._calls = {t.record.call_id: t for t in snapshot.calls}
        self._rings = {r.key: r for r in snapshot.rings}
        self._notes = {n.note_id: n for n in snapshot.notes}
        self._ivr = {c.call_id: c for c in snapshot.ivr_calls}
        for tracked in sorted(snapshot.intervals, key=lambda t: t.interval.start):
            self._intervals.setdefault(tracked.interval.agent_id, {})[tracked.key.start] = tracked
            self._arrival[tracked.key] = tracked
        unfinished = [t.record for t in snapshot.calls if t.record.answered_at and not t.agent_done]
        for record in sorted(unfinished, key=lambda r: r.answered_at or r.entered_at):
            if record.agent_id is not None:
                self._handling[record.agent_id] = record.call_id
        self._last = snapshot.last_stream_id
        self._applied = {a.origin: a.seq for a in snapshot.applied}

    def forget_before(self, moment: datetime) -> None:
        """Drop what is finished before `moment` (a day roll); live records stay."""
        self._calls = {
            k: c for k, c in self._calls.items() if not (c.final and c.record.entered_at < moment)
        }
        self._ivr = {k: c for k, c in self._ivr.items() if not (c.ended and c.started_at < moment)}
        self._rings = fold_backoffice.forget_before(self._rings, moment)
        self._notes = fold_callbacks.forget_before(self._notes, moment)
        for agent, per in self._intervals.items():
            self._intervals[agent] = {
                start: t
                for start, t in per.items()
                if t.interval.end is None or t.interval.end > moment
            }
        self._arrival = {
            key: t
            for key, t in self._arrival.items()
            if t.interval.end is None or t.interval.end > moment
        }

    def _problem(self, counter: str, entry: StreamEntry, reason: str) -> None:
        self._counts[counter] += 1
        self._problems.append(f"{entry.stream_id} {entry.event.TYPE}: {reason}")

    def _state(self) -> FoldState:
        return FoldState(
            calls=self._calls,
            ivr=self._ivr,
            intervals=self._intervals,
            handling=self._handling,
            rings=self._rings,
            notes=self._notes,
        )

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
            self._arrival[tracked.key] = tracked
        for agent, call_id in update.handling.items():
            if call_id is None:
                self._handling.pop(agent, None)
            else:
                self._handling[agent] = call_id
        self._rings.update(update.rings)
        self._notes.update(update.notes)
        return Changes(
            stream_id,
            frozenset(update.calls) | frozenset(update.ivr),
            frozenset(t.key for t in update.intervals),
            frozenset(finalized),
            frozenset(update.rings),
            frozenset(update.notes),
        )
