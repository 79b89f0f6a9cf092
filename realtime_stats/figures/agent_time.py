"""The agents' time in a period: busy, staffed and paused seconds, per agent and in all.

Theory of operation: each `AgentInterval` adds the seconds it overlaps a period (up to
`now`) to one agent's `AgentTime`; busy states count as staffed too. The sums are
exact (`exact_sum`), so the same intervals give the same seconds to the last bit in
whatever order they are added, or taken out again (`AgentTimeSum`): the wallboard
keeps them as it goes (`realtime_stats.wallboard.day_board`). The team's time is the
exact sum of every interval's seconds, not a sum of the agents' rounded ones.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from contract.vocabulary import AgentState
from realtime_stats.figures.call_tally import Summable
from realtime_stats.figures.exact_sum import ExactSum, exact_sum
from realtime_stats.figures.periods import Period, as_utc
from realtime_stats.figures.records import AgentInterval

_STAFFED_STATES = frozenset(
    {AgentState.AVAILABLE, AgentState.RINGING, AgentState.TALKING, AgentState.AFTER_CALL_WORK}
)
_BUSY_STATES = frozenset({AgentState.TALKING, AgentState.AFTER_CALL_WORK})


@dataclass(frozen=True, slots=True, kw_only=True)
class AgentTime(Summable):
    """Seconds in a period: busy = talking + after-call work; staffed = logged in minus paused."""

    busy_seconds: float = 0.0
    staffed_seconds: float = 0.0
    paused_seconds: float = 0.0


class AgentTimeSum:
    """An `AgentTime` kept as it goes: intervals' seconds added and taken out, in any order.

    `intervals` counts the intervals in it with any seconds, whatever their state: an
    agent with only logged-out time in the period still has figures (all unknown).
    """

    __slots__ = ("_busy", "_paused", "_staffed", "_time", "intervals")

    def __init__(self) -> None:
        self._busy, self._staffed, self._paused = ExactSum(), ExactSum(), ExactSum()
        self._time: AgentTime | None = None  # read on every push, changed on few
        self.intervals = 0

    def add(self, state: AgentState, seconds: float, sign: int = 1) -> None:
        """Add ``seconds`` spent in ``state`` (``sign`` -1: take them out again)."""
        if seconds <= 0:
            return
        self._time = None
        self.intervals += sign
        for total, counts in (
            (self._busy, state in _BUSY_STATES),
            (self._staffed, state in _STAFFED_STATES),
            (self._paused, state is AgentState.PAUSED),
        ):
            if counts:
                (total.add if sign > 0 else total.remove)(seconds)

    def copy(self) -> AgentTimeSum:
        twin = AgentTimeSum()
        twin._busy, twin._staffed, twin._paused = (
            self._busy.copy(),
            self._staffed.copy(),
            self._paused.copy(),
        )
        twin.intervals, twin._time = self.intervals, self._time
        return twin

    def time(self) -> AgentTime:
        if self._time is None:
            self._time = AgentTime(
                busy_seconds=self._busy.value,
                staffed_seconds=self._staffed.value,
                paused_seconds=self._paused.value,
            )
        return self._time


class _Terms:
    """An `AgentTime`'s seconds gathered for one `exact_sum` each: a fresh pass over the
    day's intervals, the same as an `AgentTimeSum` of them."""

    __slots__ = ("busy", "paused", "staffed")

    def __init__(self) -> None:
        self.busy: list[float] = []
        self.staffed: list[float] = []
        self.paused: list[float] = []

    def add(self, state: AgentState, seconds: float) -> None:
        if state in _BUSY_STATES:
            self.busy.append(seconds)
        if state in _STAFFED_STATES:
            self.staffed.append(seconds)
        elif state is AgentState.PAUSED:
            self.paused.append(seconds)

    def time(self) -> AgentTime:
        return AgentTime(
            busy_seconds=exact_sum(self.busy),
            staffed_seconds=exact_sum(self.staffed),
            paused_seconds=exact_sum(self.paused),
        )


def agent_times(
    intervals: Iterable[AgentInterval], period: Period, now: datetime
) -> dict[str, AgentTime]:
    """Per agent, the time spent in each kind of state, clipped to [period.start, min(end, now))."""
    until = min(period.end, as_utc("now", now))
    terms: dict[str, _Terms] = {}
    for interval in intervals:
        seconds = interval.seconds_within(period.start, until)
        if seconds > 0:
            agent = terms.get(interval.agent_id)
            if agent is None:
                agent = terms[interval.agent_id] = _Terms()
            agent.add(interval.state, seconds)
    return {agent: gathered.time() for agent, gathered in terms.items()}


def team_time(intervals: Iterable[AgentInterval], period: Period, now: datetime) -> AgentTime:
    """Every agent's time together, clipped as in `agent_times`."""
    until = min(period.end, as_utc("now", now))
    terms = _Terms()
    for interval in intervals:
        seconds = interval.seconds_within(period.start, until)
        if seconds > 0:
            terms.add(interval.state, seconds)
    return terms.time()
