"""The board's figures of the day kept as records change (`DayBoard`), not recomputed.

Theory of operation: a push used to compute every figure from every record of the day,
O(calls of the day) each time. But a record only changes by being replaced (the fold
hands out the same frozen objects while they are unchanged), and most of what a record
adds to the board does not depend on the clock:

* a call's `call_contribution` to the tallies (of the day, its topic, its municipality,
  its agent, its half hour) depends only on the record and the day;
* an agent interval that ended by ``now`` adds fixed seconds to its agent, the team and
  the half hours it overlaps: it is *settled*;
* a call that left the queue (answered or gone) by ``now`` is never waiting again.

So `DayBoard` keeps running sums per group, adding a record when it appears and taking
it out when it is replaced or dropped (`changed`: the feed's tuples compared position by
position, by identity). On
each push only the live part is computed afresh: callers waiting now, and the seconds
of intervals still open (one per logged-in agent) or ending after ``now``. Every sum of
seconds is exact (`realtime_stats.figures.exact_sum`), so the order records come and go
in changes nothing, and the figures equal `snapshot.figures_from_scratch` to the last
bit; `tests/unit/realtime_stats/wallboard/test_day_board.py` checks that on random days.

The sums are of one local day: a new day, or a clock that went back past a settled
record (tests), starts them over from the records. Inputs the fold never makes (the same
record object twice, two intervals of one agent starting at the same instant, where the
fresh pass keeps the later one in order) get ``None``: the caller computes afresh.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import compress
from operator import is_not
from typing import TypeVar
from zoneinfo import ZoneInfo

from realtime_stats.figures.agent_time import AgentTime, AgentTimeSum
from realtime_stats.figures.call_tally import CallTallySum, call_contribution
from realtime_stats.figures.metrics import AgentFigures, Figures, agent_figures_from, figures_from
from realtime_stats.figures.norms import MetricRules, metric_rules
from realtime_stats.figures.periods import Period, day_buckets, local_day
from realtime_stats.figures.records import AgentInterval, CallRecord
from realtime_stats.wallboard.feed import BoardInputs
from realtime_stats.wallboard.snapshot import BoardFigures, CurrentState, state_of
from site_config.config import SiteConfig

_TICK = timedelta(microseconds=1)
T = TypeVar("T")
_QueueKey = tuple[str, str | int | None]
_ALL: _QueueKey = ("all", None)


class _Irregular(Exception):
    """Inputs the running sums cannot follow exactly; the board is computed afresh."""


@dataclass(slots=True)
class _Group:
    """The calls of one topic, municipality, agent or half hour."""

    calls: int = 0  # of any day: a group with a call of yesterday is still a group
    tally: CallTallySum = field(default_factory=CallTallySum)


@dataclass(slots=True)
class _Queue:
    """Callers waiting now in one group, and the longest wait."""

    waiting: int = 0
    longest: float | None = None

    def add(self, wait: float) -> None:
        self.waiting += 1
        self.longest = wait if self.longest is None else max(self.longest, wait)


@dataclass(frozen=True, slots=True)
class _Call:
    record: CallRecord
    contribution: dict[str, float]
    in_day: bool
    bucket: int | None


class _Agent:
    """One agent's intervals, for their state now, and their settled time today."""

    __slots__ = ("intervals", "latest", "starts", "time")

    def __init__(self) -> None:
        self.intervals: dict[int, AgentInterval] = {}
        self.starts: dict[datetime, int] = {}
        self.latest: AgentInterval | None = None  # the latest start; None: look again
        self.time = AgentTimeSum()

    def current(self, now: datetime) -> AgentInterval | None:
        """Their latest interval started by ``now`` (`snapshot.current_states`)."""
        if self.latest is None and self.intervals:
            self.latest = max(self.intervals.values(), key=lambda it: it.start)
        if self.latest is not None and self.latest.start <= now:
            return self.latest
        started = [it for it in self.intervals.values() if it.start <= now]
        return max(started, key=lambda it: it.start, default=None)


def changed(old: tuple[T, ...], new: tuple[T, ...]) -> tuple[list[T], list[T]]:
    """(gone, came): the objects where ``new`` differs from ``old`` by position.

    A feed that replaces a record in its place and adds new ones at the end (the fold's
    dicts, `InMemoryBoardFeed`) changes only those positions, and the comparison of the
    rest runs in C. Records that moved are gone and came again: exact, only slower. A
    record held twice shows up as coming while it is held (the caller refuses that).
    """
    common = min(len(old), len(new))
    at = list(compress(range(common), map(is_not, old, new)))
    return [old[i] for i in at] + list(old[common:]), [new[i] for i in at] + list(new[common:])


class _Day:
    """The running sums of one local day; see the module docstring."""

    def __init__(self, day: date, zone: ZoneInfo, rules: MetricRules) -> None:
        self.day, self.rules = day, rules
        self.period = local_day(day, zone)
        self.buckets = day_buckets(day, zone)
        self.step = self.buckets[0].end - self.buckets[0].start
        self.calls: dict[int, _Call] = {}
        self.live: dict[int, CallRecord] = {}  # calls that may still be waiting
        self.total = CallTallySum()
        self.topics: dict[str | None, _Group] = {}
        self.municipalities: dict[str | None, _Group] = {}
        self.by_agent: dict[str, _Group] = {}
        self.trend = [_Group() for _ in self.buckets]
        self.intervals: dict[int, AgentInterval] = {}
        self.unsettled: dict[int, AgentInterval] = {}  # the others' seconds are in the sums
        self.agents: dict[str, _Agent] = {}
        self.team = AgentTimeSum()
        self.bucket_time = [AgentTimeSum() for _ in self.buckets]
        self.collisions = 0  # (agent, start) keys held by more than one interval
        self.settled_through: datetime = self.period.start  # now must not go back past it
        self.seen_calls: tuple[CallRecord, ...] = ()  # all in the sums, by identity
        self.seen_intervals: tuple[AgentInterval, ...] = ()

    # --- calls ---

    def sync_calls(self, calls: tuple[CallRecord, ...]) -> None:
        if calls is self.seen_calls:
            return
        gone, came = changed(self.seen_calls, calls)
        for call in gone:
            self._call(self.calls.pop(id(call)), -1)
            self.live.pop(id(call), None)
        for call in came:
            if id(call) in self.calls:
                raise _Irregular("the same call record twice")
            entry = self.calls[id(call)] = self._entry(call)
            self._call(entry, 1)
            self.live[id(call)] = call
        self.seen_calls = calls

    def _entry(self, call: CallRecord) -> _Call:
        start, end = self.period.start, self.period.end
        in_day = start <= call.entered_at < end
        bucket = (call.entered_at - start) // self.step if in_day else None
        return _Call(call, call_contribution(call, self.rules), in_day, bucket)

    def _call(self, entry: _Call, sign: int) -> None:
        call = entry.record
        groups = [
            self.topics.setdefault(call.topic_id, _Group()),
            self.municipalities.setdefault(call.municipality_id, _Group()),
        ]
        if call.agent_id is not None:
            groups.append(self.by_agent.setdefault(call.agent_id, _Group()))
        for group in groups:
            group.calls += sign
        if not entry.in_day:
            return
        if entry.bucket is not None:
            groups.append(self.trend[entry.bucket])
        for tally in (self.total, *(group.tally for group in groups)):
            tally.add(entry.contribution, sign)

    def queues(self, now: datetime) -> dict[_QueueKey, _Queue]:
        """Callers waiting at ``now``: in all, per topic, municipality and half hour."""
        queues: dict[_QueueKey, _Queue] = {}
        for key, call in list(self.live.items()):
            left = call.answered_at or call.ended_at
            if left is not None and left <= now:
                del self.live[key]  # gone before now: never waiting again
                self.settled_through = max(self.settled_through, left)
                continue
            if call.entered_at > now:
                continue
            wait = (now - call.entered_at).total_seconds()
            bucket = self.calls[key].bucket
            for name in (_ALL, ("topic", call.topic_id), ("municipality", call.municipality_id)):
                queues.setdefault(name, _Queue()).add(wait)
            if bucket is not None:
                queues.setdefault(("bucket", bucket), _Queue()).add(wait)
        return queues

    # --- agent intervals ---

    def sync_intervals(self, intervals: tuple[AgentInterval, ...], now: datetime) -> None:
        if intervals is not self.seen_intervals:
            gone, came = changed(self.seen_intervals, intervals)
            for interval in gone:
                self._drop_interval(id(interval))
            for interval in came:
                if id(interval) in self.intervals:
                    raise _Irregular("the same agent interval twice")
                self._add_interval(id(interval), interval)
            self.seen_intervals = intervals
        if self.collisions:
            raise _Irregular("two intervals of one agent start at the same instant")
        for key, interval in list(self.unsettled.items()):
            if interval.end is not None and interval.end <= now:
                del self.unsettled[key]
                self._settle(interval, 1)

    def _add_interval(self, key: int, interval: AgentInterval) -> None:
        self.intervals[key] = self.unsettled[key] = interval
        agent = self.agents.setdefault(interval.agent_id, _Agent())
        agent.intervals[key] = interval
        seen = agent.starts.get(interval.start, 0)
        agent.starts[interval.start] = seen + 1
        self.collisions += seen == 1
        if agent.latest is not None and interval.start > agent.latest.start:
            agent.latest = interval
        elif agent.latest is not None and interval.start == agent.latest.start:
            agent.latest = None

    def _drop_interval(self, key: int) -> None:
        interval = self.intervals.pop(key)
        if self.unsettled.pop(key, None) is None:
            self._settle(interval, -1)
        agent = self.agents[interval.agent_id]
        del agent.intervals[key]
        agent.starts[interval.start] -= 1
        self.collisions -= agent.starts[interval.start] == 1
        if not agent.starts[interval.start]:
            del agent.starts[interval.start]
        if agent.latest is interval:
            agent.latest = None

    def _settle(self, interval: AgentInterval, sign: int) -> None:
        """Add (or take out) the seconds of an interval that ended by now."""
        if sign > 0:
            assert interval.end is not None
            self.settled_through = max(self.settled_through, interval.end)
        agent = self.agents[interval.agent_id].time
        self._time(interval, self.period.end, agent, self.team, sign=sign)
        for index, seconds in self._bucket_seconds(interval, self.period.end, self.period.end):
            self.bucket_time[index].add(interval.state, seconds, sign)

    def _time(
        self, interval: AgentInterval, until: datetime, *sums: AgentTimeSum, sign: int = 1
    ) -> None:
        seconds = interval.seconds_within(self.period.start, until)
        for total in sums:
            total.add(interval.state, seconds, sign)

    def _bucket_seconds(
        self, interval: AgentInterval, until: datetime, now: datetime
    ) -> list[tuple[int, float]]:
        """(half hour, seconds in it up to ``now``) for each half hour it overlaps."""
        day_start = self.period.start
        start = max(interval.start, day_start)
        end = until if interval.end is None else min(interval.end, until)
        if end <= start:
            return []
        first, last = (start - day_start) // self.step, (end - day_start - _TICK) // self.step
        found = []
        for index in range(first, last + 1):
            bucket = self.buckets[index]
            found.append((index, interval.seconds_within(bucket.start, min(bucket.end, now))))
        return found

    def open_time(
        self, now: datetime
    ) -> tuple[AgentTimeSum, dict[str, AgentTimeSum], dict[int, AgentTimeSum]]:
        """The settled sums plus what the intervals not settled add by ``now``."""
        until = min(self.period.end, now)
        team = self.team.copy()
        agents: dict[str, AgentTimeSum] = {}
        buckets: dict[int, AgentTimeSum] = {}
        for interval in self.unsettled.values():
            agent = agents.get(interval.agent_id)
            if agent is None:
                agent = agents[interval.agent_id] = self.agents[interval.agent_id].time.copy()
            self._time(interval, until, team, agent)
            for index, seconds in self._bucket_seconds(interval, until, now):
                if index not in buckets:
                    buckets[index] = self.bucket_time[index].copy()
                buckets[index].add(interval.state, seconds)
        return team, agents, buckets


class DayBoard:
    """The board's figures, kept from push to push; one per `SharedSnapshot`.

    Not safe to call from two threads at once: the caller holds a lock around
    `figures`.
    """

    def __init__(self, site: SiteConfig) -> None:
        self._zone = ZoneInfo(site.timezone)
        self._rules = metric_rules(site.norms)
        self._day: _Day | None = None

    def figures(self, inputs: BoardInputs) -> BoardFigures | None:
        """The figures for ``inputs``, or None for inputs to compute afresh."""
        now = inputs.now
        day = now.astimezone(self._zone).date()
        state = self._day
        if state is None or state.day != day or now < state.settled_through:
            state = self._day = _Day(day, self._zone, self._rules)
        try:
            state.sync_calls(inputs.calls)
            state.sync_intervals(inputs.intervals, now)
        except _Irregular:
            self._day = None
            return None
        return _board(state, now)


def _board(state: _Day, now: datetime) -> BoardFigures:
    queues = state.queues(now)
    team, open_agents, open_buckets = state.open_time(now)
    trend_time = [open_buckets.get(i, t).time() for i, t in enumerate(state.bucket_time)]

    def figures(period: Period, tally: CallTallySum, time: AgentTime, key: _QueueKey) -> Figures:
        queue = queues.get(key, _Queue())
        return figures_from(
            period,
            tally.tally(),
            time,
            waiting=queue.waiting,
            longest=queue.longest,
            rules=state.rules,
        )

    def groups(kind: str, held: dict[str | None, _Group]) -> dict[str | None, Figures]:
        no_time = AgentTime()
        return {
            key: figures(state.period, group.tally, no_time, (kind, key))
            for key, group in held.items()
            if group.calls
        }

    return BoardFigures(
        totals=figures(state.period, state.total, team.time(), _ALL),
        topics=groups("topic", state.topics),
        municipalities=groups("municipality", state.municipalities),
        agents=_agents(state, open_agents),
        current=_current(state, now),
        trend=tuple(
            figures(bucket, state.trend[i].tally, trend_time[i], ("bucket", i))
            for i, bucket in enumerate(state.buckets)
        ),
        staffed=_staffed(state.buckets, [t.staffed_seconds for t in trend_time], now),
    )


def _agents(state: _Day, open_agents: dict[str, AgentTimeSum]) -> dict[str, AgentFigures]:
    """Per agent with time today or any call (`metrics.figures_per_agent`)."""
    times = {agent_id: open_agents.get(agent_id, a.time) for agent_id, a in state.agents.items()}
    with_time = {agent_id for agent_id, time in times.items() if time.intervals > 0}
    with_calls = {agent_id for agent_id, group in state.by_agent.items() if group.calls}
    found = {}
    for agent_id in sorted(with_time | with_calls):
        group = state.by_agent.get(agent_id)
        tally = (group.tally if group is not None else CallTallySum()).tally()
        time = times[agent_id].time() if agent_id in with_time else AgentTime()
        found[agent_id] = agent_figures_from(agent_id, state.period, tally, time, state.rules)
    return found


def _current(state: _Day, now: datetime) -> dict[str, CurrentState]:
    """Each agent's state at ``now`` (`snapshot.current_states`)."""
    current = {}
    for agent_id, agent in state.agents.items():
        latest = agent.current(now)
        if latest is not None:
            current[agent_id] = state_of(latest, now)
    return current


def _staffed(
    buckets: tuple[Period, ...], staffed_seconds: list[float], now: datetime
) -> Callable[[int], float | None]:
    """`staffing.staffed_agents` from the half hours' staffed seconds."""

    def staffed(index: int) -> float | None:
        bucket = buckets[index]
        elapsed = (min(bucket.end, now) - bucket.start).total_seconds()
        return None if elapsed <= 0 else staffed_seconds[index] / elapsed

    return staffed
