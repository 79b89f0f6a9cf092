"""What the event fold keeps and hands on: tracked calls, IVR calls, agent intervals and
back-office rings (`realtime_stats.figures.backoffice_records`).

Frozen records built by `realtime_stats.fold.EventFold`; `Changes` names what one batch
moved, `SaveBatch` is what the store writes, `FoldSnapshot` what it gives back at start.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from itertools import pairwise
from typing import NamedTuple

from realtime_stats.figures.backoffice_records import BackOfficeRing, RingKey
from realtime_stats.figures.records import AgentInterval, CallRecord, RecordError
from realtime_stats.stream_events import StreamId


class MenuStep(NamedTuple):
    """One IVR step as published: the node, the digit pressed (None: none) and the outcome."""

    node: str
    digit: str | None
    outcome: str | None
    at: datetime


class IntervalKey(NamedTuple):
    """An agent interval's identity: an agent is in one state from any given instant."""

    agent_id: str
    start: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class IvrCall:
    """A call that has not joined a queue: still in the IVR, or ended there (`end_phase`)."""

    call_id: str
    started_at: datetime
    steps: tuple[MenuStep, ...] = ()
    ended_at: datetime | None = None
    end_phase: str | None = None
    ended_by: str | None = None

    def __post_init__(self) -> None:
        owner = f"IvrCall {self.call_id}"
        times = [self.started_at, *(s.at for s in self.steps)]
        if self.ended_at is not None:
            times.append(self.ended_at)
        if any(t.tzinfo is None for t in times) or any(b < a for a, b in pairwise(times)):
            raise RecordError(f"{owner}: start, steps and end must be aware and in time order")

    @property
    def ended(self) -> bool:
        return self.ended_at is not None


@dataclass(frozen=True, slots=True, kw_only=True)
class TrackedCall:
    """A queued call, its IVR steps as published, and whether its agent is done with it."""

    record: CallRecord
    steps: tuple[MenuStep, ...] = ()
    agent_done: bool = False

    @property
    def final(self) -> bool:
        ended = self.record.ended_at is not None
        return ended and (self.record.answered_at is None or self.agent_done)


@dataclass(frozen=True, slots=True, kw_only=True)
class TrackedInterval:
    """An agent interval and the call it was for (ringing, talking, after-call work)."""

    interval: AgentInterval
    call_id: str | None = None

    @property
    def key(self) -> IntervalKey:
        return IntervalKey(self.interval.agent_id, self.interval.start)


@dataclass(frozen=True, slots=True)
class Changes:
    """What one event (or a merged batch) changed; `stream_id` None means a no-op replay."""

    stream_id: StreamId | None = None
    calls: frozenset[str] = frozenset()
    intervals: frozenset[IntervalKey] = frozenset()
    finalized: frozenset[str] = frozenset()
    rings: frozenset[RingKey] = frozenset()

    @property
    def agents(self) -> frozenset[str]:
        return frozenset(key.agent_id for key in self.intervals)

    @property
    def records_changed(self) -> bool:
        return bool(self.calls or self.intervals or self.rings)

    def __or__(self, other: Changes) -> Changes:
        ids = [i for i in (self.stream_id, other.stream_id) if i is not None]
        return Changes(
            max(ids) if ids else None,
            self.calls | other.calls,
            self.intervals | other.intervals,
            self.finalized | other.finalized,
            self.rings | other.rings,
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class FoldSnapshot:
    """What the store gives back to rebuild a fold after a restart."""

    calls: tuple[TrackedCall, ...] = ()
    ivr_calls: tuple[IvrCall, ...] = ()
    intervals: tuple[TrackedInterval, ...] = ()
    rings: tuple[BackOfficeRing, ...] = ()
    last_stream_id: StreamId | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class SaveBatch:
    """The records to write for some `Changes`, with the stream position they reach."""

    stream_id: StreamId | None
    calls: tuple[TrackedCall, ...] = ()
    ivr_calls: tuple[IvrCall, ...] = ()
    intervals: tuple[TrackedInterval, ...] = ()
    rings: tuple[BackOfficeRing, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class FoldCounts:
    applied: int = 0
    replayed: int = 0
    unknown_version: int = 0
    unknown_type: int = 0
    rejected: int = 0
    malformed: int = 0
    unmatched: int = 0


# A handler builds the new records for one event; `EventFold._commit` then installs them.
@dataclass
class FoldUpdate:
    calls: dict[str, TrackedCall] = field(default_factory=dict)
    ivr: dict[str, IvrCall | None] = field(default_factory=dict)  # None: the call left the IVR
    intervals: list[TrackedInterval] = field(default_factory=list)
    handling: dict[str, str | None] = field(default_factory=dict)
    rings: dict[RingKey, BackOfficeRing] = field(default_factory=dict)
    note: str | None = None  # a part of the event that had nothing to attach to
