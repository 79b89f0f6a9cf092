"""The contact-centre figures, each formula written once (docs/metrics.md cites them).

Theory of operation: pure functions over `CallRecord`s and `AgentInterval`s for a period
[start, end). A call belongs to the period in which it entered the queue. Each call first
becomes a `CallTally` (what it adds to each count); tallies add up per period, per topic,
per municipality, per agent or per half-hour bucket, and the ratios are taken only at the
end with `ratio`, which returns None on a zero denominator. None is shown as a dash: a figure
with nothing to count is unknown, never a made-up 0 % or 100 %.

The wallboard, the Prometheus exporter and the reports must all call these functions
rather than recompute a figure, so the three can never disagree. The back-office figures
(the second pillar, from `BackOfficeRing`s) are in `realtime_stats.figures.backoffice_metrics`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from typing import TypeVar

from realtime_stats.figures.agent_time import AgentTime, agent_times, team_time
from realtime_stats.figures.call_tally import CallTally, tally_calls
from realtime_stats.figures.norms import (
    MetricRules,
    Norm,
    OccupancyNorm,
    Rated,
)
from realtime_stats.figures.periods import Period, as_utc, bucket_index, day_buckets
from realtime_stats.figures.records import AgentInterval, CallRecord

K = TypeVar("K", bound=Hashable)


# --- The formulas. Each figure is defined here and nowhere else. ---


def ratio(numerator: float, denominator: float) -> float | None:
    """numerator / denominator, or None (shown as a dash) when there is nothing to divide by."""
    return None if denominator == 0 else numerator / denominator


def answer_rate(answered: int, offered: int, short_abandoned: int) -> float | None:
    return ratio(answered, offered - short_abandoned)


def measured_service_level(
    answered_within: int, offered: int, short_abandoned: int
) -> float | None:
    """The share of the day's calls answered within the threshold: the norm's service level,
    as measured (Erlang C's prediction is `staffing.predicted_service_level`)."""
    return ratio(answered_within, offered - short_abandoned)


def direct_handling(completed: int, transferred: int) -> float | None:
    return ratio(completed - transferred, completed)


def occupancy(busy_seconds: float, staffed_seconds: float) -> float | None:
    return ratio(busy_seconds, staffed_seconds)


@dataclass(frozen=True, slots=True, kw_only=True)
class Figures:
    """Everything the wallboard and reports show for one period and one group of calls.

    `waiting_now` and `longest_wait_seconds` are live: they cover every call passed in
    that is still waiting at `now`, whatever its period.
    """

    period: Period
    calls: CallTally
    answer_rate: Rated
    service_level: Rated
    direct_handling: Rated
    occupancy: Rated
    average_speed_of_answer_seconds: float | None
    average_talk_seconds: float | None
    average_after_call_seconds: float | None
    waiting_now: int
    longest_wait_seconds: float | None

    @property
    def offered(self) -> int:
        return self.calls.offered

    @property
    def answered(self) -> int:
        return self.calls.answered

    @property
    def abandoned(self) -> int:
        return self.calls.abandoned

    @property
    def short_abandoned(self) -> int:
        return self.calls.short_abandoned


@dataclass(frozen=True, slots=True, kw_only=True)
class AgentFigures:
    """One agent's figures: the calls they answered and their own occupancy."""

    agent_id: str
    period: Period
    calls: CallTally
    time: AgentTime
    direct_handling: Rated
    occupancy: Rated
    average_talk_seconds: float | None
    average_after_call_seconds: float | None


def live_queue(calls: Iterable[CallRecord], now: datetime) -> tuple[int, float | None]:
    """(callers waiting now, longest current wait in seconds or None when nobody waits)."""
    now_utc = as_utc("now", now)
    waits = [(now_utc - c.entered_at).total_seconds() for c in calls if c.waiting_at(now_utc)]
    return len(waits), max(waits, default=None)


def compute_figures(
    calls: Iterable[CallRecord],
    intervals: Iterable[AgentInterval],
    period: Period,
    *,
    now: datetime,
    rules: MetricRules | None = None,
) -> Figures:
    """All figures for `period`; pass no intervals to leave occupancy unknown (per-topic views)."""
    rules = rules or MetricRules()
    calls = tuple(calls)
    waiting, longest = live_queue(calls, now)
    return figures_from(
        period,
        tally_calls(calls, period, rules),
        team_time(intervals, period, now),
        waiting=waiting,
        longest=longest,
        rules=rules,
    )


def figures_from(
    period: Period,
    tally: CallTally,
    team: AgentTime,
    *,
    waiting: int,
    longest: float | None,
    rules: MetricRules,
) -> Figures:
    """The figures of a tally, the agents' time and the live queue: where every ratio is
    taken, for `compute_figures` and for the wallboard's running sums alike."""
    norm = rules.norm
    return Figures(
        period=period,
        calls=tally,
        answer_rate=_rated(answer_rate(tally.answered, tally.offered, tally.short_abandoned), norm),
        service_level=_rated(
            measured_service_level(
                tally.answered_within_threshold, tally.offered, tally.short_abandoned
            ),
            norm,
        ),
        direct_handling=_rated(direct_handling(tally.completed, tally.transferred), norm),
        occupancy=_rated(occupancy(team.busy_seconds, team.staffed_seconds), rules.occupancy_norm),
        average_speed_of_answer_seconds=ratio(tally.answer_wait_seconds, tally.answered),
        average_talk_seconds=ratio(tally.talk_seconds, tally.completed),
        average_after_call_seconds=ratio(tally.after_call_seconds, tally.completed),
        waiting_now=waiting,
        longest_wait_seconds=longest,
    )


def _rated(value: float | None, norm: Norm | OccupancyNorm) -> Rated:
    return Rated(value, norm.status(value))


def _group(
    calls: Iterable[CallRecord], key: Callable[[CallRecord], K]
) -> dict[K, list[CallRecord]]:
    groups: dict[K, list[CallRecord]] = defaultdict(list)
    for call in calls:
        groups[key(call)].append(call)
    return dict(groups)


def figures_per_topic(
    calls: Iterable[CallRecord], period: Period, *, now: datetime, rules: MetricRules | None = None
) -> dict[str | None, Figures]:
    """Figures per queue topic (None: menu switched off or no choice). Occupancy stays None:
    agents are not split by topic."""
    groups = _group(calls, lambda c: c.topic_id)
    return {k: compute_figures(v, (), period, now=now, rules=rules) for k, v in groups.items()}


def figures_per_municipality(
    calls: Iterable[CallRecord], period: Period, *, now: datetime, rules: MetricRules | None = None
) -> dict[str | None, Figures]:
    """Figures per municipality (e.g. Haarlem, Zandvoort); occupancy stays None as per topic."""
    groups = _group(calls, lambda c: c.municipality_id)
    return {k: compute_figures(v, (), period, now=now, rules=rules) for k, v in groups.items()}


def figures_per_agent(
    calls: Iterable[CallRecord],
    intervals: Iterable[AgentInterval],
    period: Period,
    *,
    now: datetime,
    rules: MetricRules | None = None,
) -> dict[str, AgentFigures]:
    """Per agent: the calls they answered and their occupancy. Queue figures (answer rate,
    service level, speed of answer) are left out on purpose: an unanswered call has no agent."""
    rules = rules or MetricRules()
    times = agent_times(intervals, period, now)
    by_agent = _group((c for c in calls if c.agent_id is not None), lambda c: c.agent_id or "")
    result: dict[str, AgentFigures] = {}
    for agent_id in sorted(set(times) | set(by_agent)):
        tally = tally_calls(by_agent.get(agent_id, ()), period, rules)
        time = times.get(agent_id, AgentTime())
        result[agent_id] = agent_figures_from(agent_id, period, tally, time, rules)
    return result


def agent_figures_from(
    agent_id: str, period: Period, tally: CallTally, time: AgentTime, rules: MetricRules
) -> AgentFigures:
    """One agent's figures from their tally and time (`figures_per_agent`, the wallboard)."""
    return AgentFigures(
        agent_id=agent_id,
        period=period,
        calls=tally,
        time=time,
        direct_handling=_rated(direct_handling(tally.completed, tally.transferred), rules.norm),
        occupancy=_rated(occupancy(time.busy_seconds, time.staffed_seconds), rules.occupancy_norm),
        average_talk_seconds=ratio(tally.talk_seconds, tally.completed),
        average_after_call_seconds=ratio(tally.after_call_seconds, tally.completed),
    )


def day_trend(
    calls: Iterable[CallRecord],
    intervals: Iterable[AgentInterval],
    day: date,
    *,
    now: datetime,
    zone: tzinfo | None = None,
    rules: MetricRules | None = None,
) -> tuple[Figures, ...]:
    """Whole-TIC figures per half hour of the local day (46, 48 or 50 buckets)."""
    buckets = day_buckets(day, zone)
    per_bucket: dict[int | None, list[CallRecord]] = _group(
        calls, lambda c: bucket_index(buckets, c.entered_at)
    )
    spread = _intervals_per_bucket(buckets, intervals, now)
    return tuple(
        compute_figures(per_bucket.get(i, ()), spread[i], bucket, now=now, rules=rules)
        for i, bucket in enumerate(buckets)
    )


def _intervals_per_bucket(
    buckets: tuple[Period, ...], intervals: Iterable[AgentInterval], now: datetime
) -> list[list[AgentInterval]]:
    """Each bucket's overlapping intervals, so a bucket only clips its own (48x fewer)."""
    per_bucket: list[list[AgentInterval]] = [[] for _ in buckets]
    day_start, step = buckets[0].start, buckets[0].end - buckets[0].start
    until = min(buckets[-1].end, as_utc("now", now))
    for interval in intervals:
        start = max(interval.start, day_start)
        end = until if interval.end is None else min(interval.end, until)
        if end <= start:
            continue
        first = (start - day_start) // step
        last = (end - day_start - timedelta(microseconds=1)) // step
        for index in range(first, last + 1):
            per_bucket[index].append(interval)
    return per_bucket
