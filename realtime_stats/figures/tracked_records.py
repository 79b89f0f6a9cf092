"""The records as the event fold tracks them through the day and the store keeps them.

A queued call is a `TrackedCall`: its `CallRecord` plus the IVR steps as published and
whether its agent is done with it, which together say when the record is final. A call
that never queued is an `IvrCall`; an agent interval is a `TrackedInterval`, with the call
it was for. `realtime_stats.ingest.fold.EventFold` builds them from the event stream,
`realtime_stats.store` writes them and gives them back after a restart, and the
queue_log export reads the calls agents' rings were for from them. Frozen and pure.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from itertools import pairwise
from typing import NamedTuple

from realtime_stats.figures.records import AgentInterval, CallRecord, RecordError


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
    """An agent interval, the call it was for (ringing, talking, after-call work) and the
    position (``tic1``) the agent was logged in at."""

    interval: AgentInterval
    call_id: str | None = None
    position_id: str | None = None

    @property
    def key(self) -> IntervalKey:
        return IntervalKey(self.interval.agent_id, self.interval.start)
