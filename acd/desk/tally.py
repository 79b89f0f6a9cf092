"""Today's own figures of one agent, counted from their state changes and calls.

The agent page shows the agent how their day goes: calls answered, talk and after-call
work time, the mean handling time, time paused and logged in. They are counted from the
same events the stats service folds; the stats service keeps the durable figures (and
the reports), this tally is the controller's live view and starts again at local
midnight and when the controller restarts.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime

from contract.vocabulary import AgentState


@dataclass(frozen=True, slots=True)
class Tally:
    """One agent's day so far: seconds per state, calls answered and transferred."""

    day: date
    state: AgentState = AgentState.LOGGED_OUT
    since: datetime | None = None
    seconds: dict[AgentState, float] = field(default_factory=dict)
    answered: int = 0
    transferred: int = 0

    def moved(self, state: AgentState, at: datetime) -> Tally:
        """The agent entered ``state`` at ``at``: the time in the old state is counted."""
        counted = dict(self.seconds)
        if self.since is not None and self.state is not AgentState.LOGGED_OUT:
            counted[self.state] = counted.get(self.state, 0.0) + _between(self.since, at)
        return replace(self, state=state, since=at, seconds=counted)

    def at(self, now: datetime) -> dict[AgentState, float]:
        """Seconds per state including the running one up to ``now``."""
        counted = dict(self.seconds)
        if self.since is not None and self.state is not AgentState.LOGGED_OUT:
            counted[self.state] = counted.get(self.state, 0.0) + _between(self.since, now)
        return counted

    def next_day(self, day: date, midnight: datetime) -> Tally:
        """A new day's tally; the agent is still in the state they were in, from midnight."""
        since = midnight if self.state is not AgentState.LOGGED_OUT else None
        return Tally(day, self.state, since)


def _between(start: datetime, end: datetime) -> float:
    return max(0.0, (end - start).total_seconds())


def figures(tally: Tally, now: datetime) -> dict[str, float | int | None]:
    """The page's numbers: counts, and seconds rounded to whole ones."""
    seconds = tally.at(now)
    talk = seconds.get(AgentState.TALKING, 0.0)
    acw = seconds.get(AgentState.AFTER_CALL_WORK, 0.0)
    logged_in = sum(seconds.values())
    return {
        "answered": tally.answered,
        "transferred": tally.transferred,
        "talk_s": round(talk),
        "after_call_work_s": round(acw),
        "mean_handling_s": round((talk + acw) / tally.answered) if tally.answered else None,
        "paused_s": round(seconds.get(AgentState.PAUSED, 0.0)),
        "logged_in_s": round(logged_in),
    }
