"""What the statistics are computed from: one record per queued call, one per agent state.

The ACD controller turns Asterisk events into these frozen records; the statistics never
see an AMI message. A record is checked when it is built, so an impossible call (answered
before it was queued, talk time on an unanswered call) fails at the controller with the
call id and the field named, instead of quietly bending a figure on the wallboard.

All timestamps are stored in UTC (see `periods` for why); callers may pass any
timezone-aware datetime. An agent's state is the contract's `AgentState`, the word the
events and the ACD use.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from itertools import pairwise
from typing import NamedTuple

from contract.vocabulary import AgentState
from realtime_stats.figures.periods import PeriodError, as_utc


class RecordError(ValueError):
    """A record that cannot describe a real call or agent state."""


class IvrStep(NamedTuple):
    """One step the caller took in the IVR before queueing, e.g. ("municipality", t)."""

    step: str
    at: datetime


def _utc(owner: str, name: str, value: datetime) -> datetime:
    try:
        return as_utc(f"{owner}: {name}", value)
    except PeriodError as exc:
        raise RecordError(str(exc)) from None


def _seconds(owner: str, name: str, value: float) -> None:
    if not math.isfinite(value) or value < 0:
        raise RecordError(f"{owner}: {name} must be a finite number >= 0, got {value!r}")


@dataclass(frozen=True, slots=True, kw_only=True)
class CallRecord:
    """One call offered to the TIC queue, live or finished.

    `call_id` is the Asterisk Linkedid, shared by every leg of the call. `entered_at` is
    when the caller joined the queue (after the IVR). A call with neither `answered_at`
    nor `ended_at` is still waiting; one that ended unanswered is abandoned.
    `talk_seconds` and `after_call_seconds` are the agent's handling of the call.
    `transferred` marks a warm transfer to a back office (`transfer_department`);
    `fell_back_from_department` marks a back-office call that was not picked up there and
    fell back into the TIC queue. `end_unknown` marks a call whose end was never
    published (the controller process that had it stopped): `ended_at` is when the next
    one started, and the call is neither abandoned nor completed (docs/metrics.md).
    """

    call_id: str
    entered_at: datetime
    municipality_id: str | None = None
    topic_id: str | None = None
    answered_at: datetime | None = None
    ended_at: datetime | None = None
    agent_id: str | None = None
    talk_seconds: float = 0.0
    after_call_seconds: float = 0.0
    transferred: bool = False
    transfer_department: str | None = None
    fell_back_from_department: str | None = None
    ivr_steps: tuple[IvrStep, ...] = ()
    recorded: bool = False
    end_unknown: bool = False

    def __post_init__(self) -> None:
        if not self.call_id:
            raise RecordError("CallRecord: call_id must not be empty")
        if self.end_unknown and self.ended_at is None:
            raise RecordError(f"CallRecord {self.call_id}: end_unknown on a call not ended")
        owner = f"CallRecord {self.call_id}"
        self._normalise_times(owner)
        self._check_order(owner)
        _seconds(owner, "talk_seconds", self.talk_seconds)
        _seconds(owner, "after_call_seconds", self.after_call_seconds)
        self._check_handling(owner)

    def _normalise_times(self, owner: str) -> None:
        object.__setattr__(self, "entered_at", _utc(owner, "entered_at", self.entered_at))
        for name in ("answered_at", "ended_at"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, _utc(owner, name, value))
        steps = tuple(
            IvrStep(s.step, _utc(owner, f"ivr step {s.step!r}", s.at)) for s in self.ivr_steps
        )
        object.__setattr__(self, "ivr_steps", steps)

    def _check_order(self, owner: str) -> None:
        if self.answered_at is not None and self.answered_at < self.entered_at:
            raise RecordError(f"{owner}: answered_at is before entered_at")
        last = self.answered_at or self.entered_at
        if self.ended_at is not None and self.ended_at < last:
            raise RecordError(
                f"{owner}: ended_at is before {'answered_at' if self.answered_at else 'entered_at'}"
            )
        if any(b.at < a.at for a, b in pairwise(self.ivr_steps)):
            raise RecordError(f"{owner}: ivr_steps are not in time order")

    def _check_handling(self, owner: str) -> None:
        if self.answered_at is None:
            if self.talk_seconds or self.after_call_seconds:
                raise RecordError(
                    f"{owner}: talk/after-call seconds on a call that was never answered"
                )
            if self.transferred:
                raise RecordError(f"{owner}: transferred is set on a call that was never answered")
        if self.transfer_department is not None and not self.transferred:
            raise RecordError(f"{owner}: transfer_department is set but transferred is False")

    @property
    def answered(self) -> bool:
        return self.answered_at is not None

    @property
    def abandoned(self) -> bool:
        """The caller hung up before any agent answered (not a call whose end is unknown)."""
        return self.answered_at is None and self.ended_at is not None and not self.end_unknown

    @property
    def waiting(self) -> bool:
        """Still in the queue: neither answered nor ended."""
        return self.answered_at is None and self.ended_at is None

    @property
    def fell_back(self) -> bool:
        return self.fell_back_from_department is not None

    def waiting_at(self, now: datetime) -> bool:
        """In the queue at `now`: entered by then and neither answered nor gone yet."""
        now = _utc(f"CallRecord {self.call_id}", "now", now)
        left = self.answered_at or self.ended_at
        return self.entered_at <= now and (left is None or left > now)

    def wait_seconds(self, now: datetime | None = None) -> float | None:
        """Time in the queue: until answer, until hang-up, or (still waiting) until `now`."""
        until = self.answered_at or self.ended_at
        if until is None:
            if now is None:
                return None
            until = _utc(f"CallRecord {self.call_id}", "now", now)
        return max(0.0, (until - self.entered_at).total_seconds())


@dataclass(frozen=True, slots=True, kw_only=True)
class AgentInterval:
    """An agent in one state from `start` until `end` (None: still in that state now)."""

    agent_id: str
    state: AgentState
    start: datetime
    end: datetime | None = None
    pause_reason: str | None = None

    def __post_init__(self) -> None:
        if not self.agent_id:
            raise RecordError("AgentInterval: agent_id must not be empty")
        owner = f"AgentInterval {self.agent_id} {self.state.value}"
        object.__setattr__(self, "start", _utc(owner, "start", self.start))
        if self.end is not None:
            object.__setattr__(self, "end", _utc(owner, "end", self.end))
            if self.end < self.start:
                raise RecordError(f"{owner}: end is before start")
        if self.pause_reason is not None and self.state is not AgentState.PAUSED:
            raise RecordError(f"{owner}: pause_reason is only allowed in state PAUSED")

    def seconds_within(self, start: datetime, end: datetime) -> float:
        """Seconds of this interval inside [start, end); an open interval runs on to `end`."""
        own_end = end if self.end is None else min(self.end, end)
        return max(0.0, (own_end - max(self.start, start)).total_seconds())
