"""What the wallboard shows: the snapshot of the day, computed from a feed's inputs.

Theory of operation: :func:`board_snapshot` turns a feed's :class:`BoardInputs`
(:mod:`realtime_stats.wallboard.feed`) into the JSON-able dict the wallboard page,
``/api/wallboard`` and its event stream all send, and the Prometheus export copies. It
formats and groups only: every figure comes from :mod:`realtime_stats.figures.metrics`,
so the wallboard can never disagree with the exporter or the reports (docs/metrics.md).

Nothing here ticks: "seconds in state" and "longest wait" are sent with the server's
``now`` and a start time, and the page counts on from there between pushes.

The ``callback_notes`` section (:mod:`realtime_stats.wallboard.callbacks`) is the second
pillar's callback notes per department: made today, open and overdue now, done in time.

Each half hour of the trend also carries the Erlang C staffing advice for the calls
measured in it next to the agents actually staffed then, so the team lead sees advised
against staffed; :mod:`realtime_stats.wallboard.staffing` computes both.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from contract.vocabulary import AgentState
from realtime_stats.figures.metrics import (
    AgentFigures,
    Figures,
    compute_figures,
    day_trend,
    figures_per_agent,
    figures_per_municipality,
    figures_per_topic,
)
from realtime_stats.figures.norms import MetricRules, Rated, metric_rules
from realtime_stats.figures.periods import Period, bucket_label, day_buckets, local_day
from realtime_stats.figures.records import AgentInterval
from realtime_stats.wallboard.callbacks import callback_section
from realtime_stats.wallboard.feed import BoardInputs
from realtime_stats.wallboard.staffing import StaffingAdvice, handle_time, staffed_agents
from site_config.config import SiteConfig

SNAPSHOT_SCHEMA = 1


@dataclass(frozen=True, slots=True)
class CurrentState:
    """An agent's state at ``now``, since when, and why paused."""

    state: AgentState
    since: datetime
    pause_reason: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class BoardFigures:
    """Every figure of the board for the local day holding ``now``, before it is laid out.

    ``topics`` and ``municipalities`` hold a group for every key any call has (of any
    day); ``agents`` every agent with time today or any call; ``current`` every agent
    with an interval started by ``now``; ``trend`` every half hour of the day, and
    ``staffed`` gives the agents staffed on average in the half hour of that index.
    :func:`figures_from_scratch` computes them from the records in one pass;
    :class:`realtime_stats.wallboard.day_board.DayBoard` keeps them as records change.
    """

    totals: Figures
    topics: Mapping[str | None, Figures]
    municipalities: Mapping[str | None, Figures]
    agents: Mapping[str, AgentFigures]
    current: Mapping[str, CurrentState]
    trend: tuple[Figures, ...]
    staffed: Callable[[int], float | None]


def board_snapshot(site: SiteConfig, inputs: BoardInputs) -> dict[str, Any]:
    """The wallboard for the local day holding ``inputs.now``, as plain JSON-able data."""
    return snapshot_of(site, inputs, figures_from_scratch(site, inputs))


def figures_from_scratch(site: SiteConfig, inputs: BoardInputs) -> BoardFigures:
    """The board's figures, computed afresh from every record of ``inputs``."""
    zone = ZoneInfo(site.timezone)
    rules = metric_rules(site.norms)
    now, calls, intervals = inputs.now, inputs.calls, inputs.intervals
    day = now.astimezone(zone).date()
    period = local_day(day, zone)
    buckets = day_buckets(day, zone)
    return BoardFigures(
        totals=compute_figures(calls, intervals, period, now=now, rules=rules),
        topics=figures_per_topic(calls, period, now=now, rules=rules),
        municipalities=figures_per_municipality(calls, period, now=now, rules=rules),
        agents=figures_per_agent(calls, intervals, period, now=now, rules=rules),
        current=current_states(intervals, now),
        trend=day_trend(calls, intervals, day, now=now, zone=zone, rules=rules),
        staffed=lambda i: staffed_agents(intervals, buckets[i], now),
    )


def snapshot_of(site: SiteConfig, inputs: BoardInputs, figures: BoardFigures) -> dict[str, Any]:
    """The snapshot laid out from the board's ``figures`` for ``inputs``."""
    zone = ZoneInfo(site.timezone)
    rules = metric_rules(site.norms)
    now = inputs.now
    day = now.astimezone(zone).date()
    period = local_day(day, zone)
    advice = StaffingAdvice(site.norms, handle_time(figures.totals, site.norms))
    return {
        "schema": SNAPSHOT_SCHEMA,
        "site": site.name,
        "timezone": site.timezone,
        "now": _iso(now),
        "events_through": inputs.events_through,
        "day": day.isoformat(),
        "rules": {
            "norm_target": rules.norm.target,
            "answer_within_s": rules.answer_threshold_seconds,
            "short_abandon_s": rules.short_abandon_seconds,
            "occupancy_planning": rules.occupancy_norm.planning,
        },
        "totals": _figures(figures.totals),
        "topics": _group_rows(
            figures.topics,
            {topic.id: topic.name for topic in site.topics},
            _empty(period, now, rules),
        ),
        "municipalities": _group_rows(
            figures.municipalities,
            {m.id: m.name for m in site.municipalities},
            _empty(period, now, rules),
        ),
        "agents": _agent_rows(site, inputs, figures, period),
        "trend": _trend(figures, day, zone, now, advice),
        "callback_notes": callback_section(site, inputs.callback_notes, period, now, rules.norm),
    }


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def _rated(rated: Rated) -> dict[str, Any]:
    return {"value": rated.value, "status": rated.status.value if rated.status else None}


def _figures(figures: Figures) -> dict[str, Any]:
    tally = figures.calls
    return {
        "answer_rate": _rated(figures.answer_rate),
        "service_level": _rated(figures.service_level),
        "direct_handling": _rated(figures.direct_handling),
        "occupancy": _rated(figures.occupancy),
        "offered": tally.offered,
        "answered": tally.answered,
        "abandoned": tally.abandoned,
        "short_abandoned": tally.short_abandoned,
        "transferred": tally.transferred,
        "fell_back": tally.fell_back,
        "unknown_end": tally.unknown_end,
        "asa_s": figures.average_speed_of_answer_seconds,
        "talk_s": figures.average_talk_seconds,
        "acw_s": figures.average_after_call_seconds,
        "waiting": figures.waiting_now,
        "longest_wait_s": figures.longest_wait_seconds,
    }


def _empty(period: Period, now: datetime, rules: MetricRules) -> Figures:
    """A group with no calls: every ratio None, through the same code as the others."""
    return compute_figures((), (), period, now=now, rules=rules)


def _group_rows(
    groups: Mapping[str | None, Figures], names: Mapping[str, str], empty: Figures
) -> list[dict[str, Any]]:
    """Configured groups in config order (quiet ones too), then others with calls today
    or waiting now (a call of yesterday alone does not make a row)."""
    extra = sorted(
        (k for k, f in groups.items() if k not in names and (f.offered or f.waiting_now)),
        key=lambda k: (k is None, k or ""),
    )
    return [
        {"id": key, "name": names.get(key or "", key), **_figures(groups.get(key, empty))}
        for key in [*names, *extra]
    ]


def current_states(intervals: Iterable[AgentInterval], now: datetime) -> dict[str, CurrentState]:
    """Each agent's state at ``now``: their latest interval; a closed one means logged out."""
    latest: dict[str, AgentInterval] = {}
    for interval in intervals:
        seen = latest.get(interval.agent_id)
        if interval.start <= now and (seen is None or interval.start >= seen.start):
            latest[interval.agent_id] = interval
    return {agent: state_of(it, now) for agent, it in latest.items()}


def state_of(latest: AgentInterval, now: datetime) -> CurrentState:
    """An agent's state at ``now`` from their latest interval started by then."""
    if latest.end is None or latest.end > now:
        return CurrentState(latest.state, latest.start, latest.pause_reason)
    return CurrentState(AgentState.LOGGED_OUT, latest.end, None)


def _agent_rows(
    site: SiteConfig, inputs: BoardInputs, board: BoardFigures, period: Period
) -> list[dict[str, Any]]:
    """Agents logged in now or active today: logged-in ones first, then by name."""
    per_agent, current = board.agents, board.current
    configured = {agent.id: agent for agent in site.agents}
    rows = []
    for agent_id in sorted(set(per_agent) | set(current)):
        state = current.get(agent_id, CurrentState(AgentState.LOGGED_OUT, period.start, None))
        figures = per_agent.get(agent_id)
        active = figures is not None and (figures.time.staffed_seconds > 0 or figures.calls.offered)
        if state.state is AgentState.LOGGED_OUT and not active:
            continue
        known = configured.get(agent_id)
        row = {
            "id": agent_id,
            "name": inputs.agent_names.get(agent_id) or (known.name if known else agent_id),
            "position": inputs.agent_positions.get(agent_id),
            "topics": list(known.topics) if known else [],
            "state": state.state.value,
            "pause_reason": state.pause_reason,
            "since": _iso(state.since),
        }
        rows.append(row | _agent_figures(figures))
    rows.sort(key=lambda row: (row["state"] == AgentState.LOGGED_OUT.value, row["name"]))
    return rows


def _agent_figures(figures: AgentFigures | None) -> dict[str, Any]:
    unknown = Rated(None, None)
    return {
        "calls": figures.calls.answered if figures else 0,
        "talk_s": figures.average_talk_seconds if figures else None,
        "acw_s": figures.average_after_call_seconds if figures else None,
        "occupancy": _rated(figures.occupancy if figures else unknown),
        "direct_handling": _rated(figures.direct_handling if figures else unknown),
    }


def _trend(
    board: BoardFigures, day: date, zone: tzinfo, now: datetime, advice: StaffingAdvice
) -> list[dict[str, Any]]:
    """Half hours from the first with calls or staffed agents up to the current one, each
    with the staffing advice for its calls and the agents staffed in it."""
    buckets = day_buckets(day, zone)
    figures = board.trend
    current = next((i for i, bucket in enumerate(buckets) if bucket.contains(now)), None)
    marks = [i for i, f in enumerate(figures) if f.offered or f.occupancy.value is not None]
    if current is not None:
        marks.append(current)
    if not marks:
        return []
    return [
        {
            "label": bucket_label(buckets[i], zone),
            "start": _iso(buckets[i].start),
            "current": i == current,
            **_figures(figures[i]),
            "staffing": advice.for_offered(figures[i].offered),
            "staffed_agents": board.staffed(i),
        }
        for i in range(min(marks), max(marks) + 1)
    ]
