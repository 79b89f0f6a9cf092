"""A busy day of the stats service's records, built in-process for the board benchmarks.

The wallboard renders from the day's ``CallRecord``s, ``AgentInterval``s and
``CallbackNote``s as the event fold holds them; this builds such a day without Redis or
events: ``calls`` calls arriving evenly from 08:00 local time until ``now``, across the
site's topics and municipalities, answered by a floor of ``agents`` agents who take the
first call free, each call leaving the agent's intervals the fold would make (ringing,
talking, after-call work, available; now and then a pause). Outcomes vary as on a real
day: answered (some warm-transferred, some fallen back from a back office), abandoned,
abandoned within the short-abandon threshold, and an unknown end. Whatever lies after
``now`` is cut off as the fold would have it then: the calls still waiting or talking
are live, each agent's last interval open.

Deterministic for a seed, so two runs (or two variants in one run) see the same day.
"""

from __future__ import annotations

import heapq
import random
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from contract.vocabulary import AgentState, CallbackOutcome
from realtime_stats.figures.callback_records import CallbackNote
from realtime_stats.figures.records import AgentInterval, CallRecord
from site_config.config import SiteConfig


@dataclass(frozen=True, slots=True)
class BusyDay:
    """One day's records at the moment ``now``, in the order the fold hands them out."""

    now: datetime
    calls: tuple[CallRecord, ...]
    intervals: tuple[AgentInterval, ...]
    notes: tuple[CallbackNote, ...]
    positions: dict[str, str]


def _ts(moment: datetime) -> datetime:
    # Whole milliseconds, as the controller's event times are.
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


class _Floor:
    """Agents and when each is free next; builds their intervals as calls come."""

    def __init__(self, agents: int, start: datetime, rng: random.Random) -> None:
        self.rng = rng
        self.ids = [f"{5001 + i}" for i in range(agents)]
        self.free = [(start + timedelta(seconds=rng.uniform(0, 600)), a) for a in self.ids]
        heapq.heapify(self.free)
        self.intervals: dict[str, list[AgentInterval]] = {a: [] for a in self.ids}

    def take(self, ringing_at: datetime) -> tuple[str, datetime]:
        """The first agent free; their ring starts when both they and the call are there."""
        free_at, agent = heapq.heappop(self.free)
        ring = max(free_at, ringing_at)
        self._state(agent, AgentState.AVAILABLE, free_at, ring)
        return agent, ring

    def handle(self, agent: str, ring: datetime, talk: float, acw: float) -> datetime:
        answered = ring + timedelta(seconds=self.rng.uniform(1, 4))
        hung_up = answered + timedelta(seconds=talk)
        done = hung_up + timedelta(seconds=acw)
        self._state(agent, AgentState.RINGING, ring, answered)
        self._state(agent, AgentState.TALKING, answered, hung_up)
        self._state(agent, AgentState.AFTER_CALL_WORK, hung_up, done)
        free = done
        if self.rng.random() < 0.04:
            free = done + timedelta(seconds=self.rng.uniform(120, 900))
            self._state(agent, AgentState.PAUSED, done, free, reason="break")
        heapq.heappush(self.free, (free, agent))
        return answered

    def _state(
        self, agent: str, state: AgentState, start: datetime, end: datetime, reason: str = ""
    ) -> None:
        if end > start:
            self.intervals[agent].append(
                AgentInterval(
                    agent_id=agent,
                    state=state,
                    start=_ts(start),
                    end=_ts(end),
                    pause_reason=reason or None,
                )
            )


def _cut_interval(interval: AgentInterval, now: datetime) -> AgentInterval | None:
    if interval.start > now:
        return None
    if interval.end is not None and interval.end > now:
        return AgentInterval(
            agent_id=interval.agent_id,
            state=interval.state,
            start=interval.start,
            pause_reason=interval.pause_reason,
        )
    return interval


def _call(
    number: int, entered: datetime, site: SiteConfig, rng: random.Random
) -> dict[str, object]:
    topics = [t.id for t in site.topics]
    fields: dict[str, object] = {
        "call_id": f"busy-{number:06d}",
        "entered_at": _ts(entered),
        "municipality_id": "haarlem" if rng.random() < 0.8 else "zandvoort",
        "topic_id": rng.choice(topics) if rng.random() < 0.95 else None,
        "recorded": rng.random() < 0.3,
    }
    if rng.random() < 0.03:
        fields["fell_back_from_department"] = site.departments[0].id
    return fields


def _unanswered(fields: dict[str, object], outcome: str, rng: random.Random) -> CallRecord:
    entered = fields["entered_at"]
    assert isinstance(entered, datetime)
    wait = rng.uniform(0.5, 5) if outcome == "short" else rng.uniform(10, 240)
    ended = _ts(entered + timedelta(seconds=wait))
    return CallRecord(**fields, ended_at=ended, end_unknown=outcome == "unknown")  # type: ignore[arg-type]


def busy_day(
    site: SiteConfig,
    *,
    calls: int,
    agents: int = 240,
    notes: int = 300,
    day: datetime | None = None,
    hours: float = 8.0,
    seed: int = 14023,
) -> BusyDay:
    """``calls`` calls from 08:00 local time to ``hours`` later (``now``), on ``agents``."""
    rng = random.Random(seed)
    zone = ZoneInfo(site.timezone)
    local = (day or datetime(2026, 12, 3, tzinfo=UTC)).astimezone(zone).date()
    opening = datetime.combine(local, time(8), tzinfo=zone).astimezone(UTC)
    now = opening + timedelta(hours=hours)
    floor = _Floor(agents, opening, rng)
    step = (now - opening) / calls
    records = []
    for number in range(calls):
        entered = opening + step * number + timedelta(seconds=rng.uniform(0, 1))
        fields = _call(number, entered, site, rng)
        draw = rng.random()
        if draw < 0.06:
            records.append(_unanswered(fields, "abandoned", rng))
            continue
        if draw < 0.09:
            records.append(_unanswered(fields, "short", rng))
            continue
        if draw < 0.10:
            records.append(_unanswered(fields, "unknown", rng))
            continue
        agent, ring = floor.take(entered + timedelta(seconds=rng.uniform(0, 20)))
        talk, acw = rng.uniform(30, 420), rng.uniform(5, 90)
        answered = _ts(floor.handle(agent, ring, talk, acw))
        ended = _ts(answered + timedelta(seconds=talk))
        transferred = rng.random() < 0.12
        records.append(
            _answered(fields, agent, answered, ended, acw, transferred, draw < 0.11, site)
        )
    cut = [c for c in (_cut_call(r, now) for r in records) if c is not None]
    intervals = [
        kept
        for agent in floor.ids
        for kept in (_cut_interval(i, now) for i in floor.intervals[agent])
        if kept is not None
    ]
    return BusyDay(
        now=now,
        calls=tuple(cut),
        intervals=tuple(intervals),
        notes=_notes(site, notes, opening, now, rng),
        positions={a: f"load{i + 1}" for i, a in enumerate(floor.ids)},
    )


def _answered(
    fields: dict[str, object],
    agent: str,
    answered: datetime,
    ended: datetime,
    acw: float,
    transferred: bool,
    unknown: bool,
    site: SiteConfig,
) -> CallRecord:
    return CallRecord(
        **fields,  # type: ignore[arg-type]
        agent_id=agent,
        answered_at=answered,
        ended_at=ended,
        talk_seconds=(ended - answered).total_seconds(),
        after_call_seconds=0.0 if unknown else round(acw, 3),
        transferred=transferred and not unknown,
        transfer_department=site.departments[1].id if transferred and not unknown else None,
        end_unknown=unknown,
    )


def _cut_call(call: CallRecord, now: datetime) -> CallRecord | None:
    """The call as it stood at ``now``: not yet entered, waiting, talking, or as it was."""
    if call.entered_at > now:
        return None
    answered = call.answered_at if call.answered_at and call.answered_at <= now else None
    ended = call.ended_at if call.ended_at and call.ended_at <= now else None
    if answered is None and call.answered_at is not None:
        ended = None  # still waiting for the agent who will answer it
    if (answered, ended) == (call.answered_at, call.ended_at):
        return call
    return CallRecord(
        call_id=call.call_id,
        entered_at=call.entered_at,
        municipality_id=call.municipality_id,
        topic_id=call.topic_id,
        agent_id=call.agent_id if answered else None,
        answered_at=answered,
        recorded=call.recorded,
        fell_back_from_department=call.fell_back_from_department,
    )


def _notes(
    site: SiteConfig, count: int, opening: datetime, now: datetime, rng: random.Random
) -> tuple[CallbackNote, ...]:
    departments = [d.id for d in site.departments]
    outcomes = list(CallbackOutcome)
    made = []
    for number in range(count):
        noted = opening - timedelta(hours=16) + (now - opening + timedelta(hours=16)) * rng.random()
        due = noted + timedelta(hours=rng.uniform(4, 30))
        done = noted + timedelta(hours=rng.uniform(0.2, 30)) if rng.random() < 0.6 else None
        done = done if done is not None and done <= now else None
        made.append(
            CallbackNote(
                note_id=f"note-{number:04d}",
                department_id=rng.choice(departments),
                noted_at=_ts(noted),
                due_at=_ts(due),
                done_at=_ts(done) if done else None,
                outcome=rng.choice(outcomes) if done else None,
            )
        )
    return tuple(made)
