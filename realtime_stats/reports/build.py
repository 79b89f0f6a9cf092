"""Building the periodic reports for team leads and the department head: tables of figures.

Theory of operation: `build_report` takes the records of one reporting period (a local
day, ISO week or calendar month in the site's zone; `report_period` finds its DST-safe
boundaries through `periods.local_day`) and turns them into `Table`s: the TIC total,
per topic, per municipality, per agent (with each agent's QA score from the coaching of
their recorded calls, `recordings.qa_summary`), per back-office department (that table is
built in `realtime_stats.reports.departments`) and the callback notes per department
(`realtime_stats.reports.callbacks`); the table model lives in `realtime_stats.reports.tables`.
Every figure comes from `realtime_stats.figures.metrics` (the back office's from
`realtime_stats.figures.backoffice_metrics`), so a report can never disagree with the wallboard;
this module only arranges figures into rows; `realtime_stats.reports.render` writes them
out as CSV or HTML. docs/reports.md lists the columns and the department figures the
events cannot give yet.

No I/O here: the CLI and the HTTP routes read the store and hand the records in.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo

from realtime_stats.figures.agent_time import AgentTime
from realtime_stats.figures.backoffice_records import BackOfficeRing
from realtime_stats.figures.call_tally import CallTally
from realtime_stats.figures.callback_records import CallbackNote
from realtime_stats.figures.metrics import (
    AgentFigures,
    Figures,
    compute_figures,
    figures_per_agent,
    figures_per_municipality,
    figures_per_topic,
)
from realtime_stats.figures.norms import MetricRules, Rated
from realtime_stats.figures.periods import Period, local_day
from realtime_stats.figures.records import AgentInterval, CallRecord
from realtime_stats.reports.callbacks import callback_table
from realtime_stats.reports.departments import department_table
from realtime_stats.reports.tables import (
    Cell,
    Column,
    Kind,
    ReportError,
    Table,
    ordered_keys,
    rated_cells,
)
from recordings.qa_summary import QaSummary
from recordings.signal_summary import SignalsSummary
from site_config.config import SiteConfig


class PeriodKind(enum.StrEnum):
    DAY = "day"
    WEEK = "week"  # ISO week, Monday to Sunday
    MONTH = "month"


def report_period(kind: PeriodKind, day: date, zone: tzinfo) -> Period:
    """The local day, ISO week or calendar month holding `day`, midnight to midnight."""
    if kind is PeriodKind.DAY:
        first, last = day, day
    elif kind is PeriodKind.WEEK:
        first = day - timedelta(days=day.weekday())
        last = first + timedelta(days=6)
    else:
        first = day.replace(day=1)
        last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    return Period(local_day(first, zone).start, local_day(last, zone).end)


def period_label(kind: PeriodKind, day: date) -> str:
    """The period's name in files and titles: "2026-03-29", "2026-W13" or "2026-03"."""
    if kind is PeriodKind.DAY:
        return day.isoformat()
    if kind is PeriodKind.WEEK:
        year, week, _ = day.isocalendar()
        return f"{year}-W{week:02d}"
    return f"{day.year}-{day.month:02d}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Report:
    site_name: str
    kind: PeriodKind
    label: str
    period: Period
    zone: tzinfo
    tables: tuple[Table, ...]

    def table(self, name: str) -> Table:
        for table in self.tables:
            if table.name == name:
                return table
        raise KeyError(name)


# --- Columns ---

# Shared by the call tables and the agent table, in this order in both.
_HANDLED_COLUMNS = (
    Column("completed", "Afgehandeld", Kind.COUNT),
    Column("transferred", "Doorverbonden", Kind.COUNT),
    Column("direct_handling", "Direct afgehandeld %", Kind.RATE),
    Column("direct_handling_status", "Norm direct afgehandeld", Kind.NORM_STATUS),
)
_HANDLE_TIME_COLUMNS = (
    Column("talk_s", "Gesprekstijd totaal", Kind.SECONDS),
    Column("average_talk_s", "Gem. gesprekstijd", Kind.SECONDS),
    Column("after_call_s", "Nawerktijd totaal", Kind.SECONDS),
    Column("average_after_call_s", "Gem. nawerktijd", Kind.SECONDS),
)
_CALL_COLUMNS = (
    Column("offered", "Aangeboden", Kind.COUNT),
    Column("answered", "Beantwoord", Kind.COUNT),
    Column("abandoned", "Opgehangen", Kind.COUNT),
    Column("short_abandoned", "Kort opgehangen", Kind.COUNT),
    # Calls whose end never came (a controller restart): in none of the counts around it
    # unless answered (docs/metrics.md, "unknown end"), so a restart's cost is seen.
    Column("unknown_end", "Einde onbekend", Kind.COUNT),
    Column("answered_within_threshold", "Binnen drempel beantwoord", Kind.COUNT),
    Column("answer_rate", "Beantwoord %", Kind.RATE),
    Column("answer_rate_status", "Norm beantwoord", Kind.NORM_STATUS),
    Column("service_level", "Servicelevel", Kind.RATE),
    Column("service_level_status", "Norm servicelevel", Kind.NORM_STATUS),
    *_HANDLED_COLUMNS,
    Column("fell_back", "Terugval", Kind.COUNT),
    Column("average_speed_of_answer_s", "Gem. wachttijd tot opnemen", Kind.SECONDS),
    *_HANDLE_TIME_COLUMNS,
)
_TIME_COLUMNS = (
    Column("busy_s", "Bezet (gesprek + nawerk)", Kind.SECONDS),
    Column("staffed_s", "Ingelogd zonder pauze", Kind.SECONDS),
    Column("paused_s", "Pauze", Kind.SECONDS),
    Column("occupancy", "Bezettingsgraad", Kind.RATE),
    Column("occupancy_status", "Grens bezettingsgraad", Kind.LOAD_STATUS),
)
_AGENT_COLUMNS = (
    Column("agent_id", "Agent", Kind.TEXT),
    Column("name", "Naam", Kind.TEXT),
    Column("answered", "Beantwoord", Kind.COUNT),
    Column("unknown_end", "Einde onbekend", Kind.COUNT),  # answered, then lost to a restart
    *_HANDLED_COLUMNS,
    Column("recorded", "Opgenomen gesprekken", Kind.COUNT),
    *_HANDLE_TIME_COLUMNS,
    *_TIME_COLUMNS,
    # The coaching's: the mean of the current evaluations of the agent's recorded calls
    # submitted in the period, and how many; none at all ("-") without coaching data.
    Column("qa_score", "QA-score", Kind.SCORE),
    Column("qa_evaluations", "QA-beoordelingen", Kind.COUNT),
    # The recordings' coaching signals, averaged per recording of the agent in the period.
    Column("talk_share", "Aandeel spreektijd (opnames)", Kind.RATE),
    Column("longest_silence_s", "Langste stilte (gem.)", Kind.SECONDS),
    Column("overtalk_s", "Door elkaar praten (gem.)", Kind.SECONDS),
    Column("hold_s", "In de wacht (gem.)", Kind.SECONDS),
)


def _call_cells(figures: Figures) -> tuple[Cell, ...]:
    t = figures.calls
    return (
        t.offered, t.answered, t.abandoned, t.short_abandoned, t.unknown_end,
        t.answered_within_threshold,
        *rated_cells(figures.answer_rate), *rated_cells(figures.service_level),
        *_handled_cells(figures), t.fell_back,
        figures.average_speed_of_answer_seconds, *_handle_time_cells(figures),
    )  # fmt: skip


def _handled_cells(figures: Figures | AgentFigures) -> tuple[Cell, ...]:
    """The cells of `_HANDLED_COLUMNS`."""
    t = figures.calls
    return (t.completed, t.transferred, *rated_cells(figures.direct_handling))


def _handle_time_cells(figures: Figures | AgentFigures) -> tuple[Cell, ...]:
    """The cells of `_HANDLE_TIME_COLUMNS`."""
    t = figures.calls
    return (
        t.talk_seconds, figures.average_talk_seconds,
        t.after_call_seconds, figures.average_after_call_seconds,
    )  # fmt: skip


def _time_cells(time: AgentTime, occupancy: Rated) -> tuple[Cell, ...]:
    return (time.busy_seconds, time.staffed_seconds, time.paused_seconds, *rated_cells(occupancy))


# --- Building ---


@dataclass(frozen=True, slots=True, kw_only=True)
class ReportRequest:
    kind: PeriodKind
    day: date
    zone: tzinfo
    now: datetime
    agent_id: str | None = None  # a progress talk: only this agent's row in the agent table


def build_report(
    site: SiteConfig,
    rules: MetricRules,
    request: ReportRequest,
    calls: Iterable[CallRecord],
    intervals: Iterable[AgentInterval],
    rings: Iterable[BackOfficeRing] = (),
    notes: Iterable[CallbackNote] = (),
    qa: Mapping[str, QaSummary] | None = None,
    signals: Mapping[str, SignalsSummary] | None = None,
) -> Report:
    """The report for `request` from the period's records (others are ignored); `qa`: each
    agent's QA score in the period, `signals` their recordings' coaching signals, None
    when there is no coaching data to read."""
    known_agents = {a.id: a.name for a in site.agents}
    if request.agent_id is not None and request.agent_id not in known_agents:
        known = ", ".join(sorted(known_agents))
        raise ReportError(f"unknown agent {request.agent_id!r}; known: {known}")
    period = report_period(request.kind, request.day, request.zone)
    calls, intervals = tuple(calls), tuple(intervals)
    now = request.now
    agents = figures_per_agent(calls, intervals, period, now=now, rules=rules)
    team_time = sum((a.time for a in agents.values()), AgentTime())
    team = compute_figures(calls, intervals, period, now=now, rules=rules)
    topic_names = {t.id: t.name for t in site.topics}
    town_names = {m.id: m.name for m in site.municipalities}
    label = period_label(request.kind, request.day)
    topics = figures_per_topic(calls, period, now=now, rules=rules)
    municipalities = figures_per_municipality(calls, period, now=now, rules=rules)
    tables = (
        Table(
            name="team",
            title="TIC totaal",
            columns=(Column("period", "Periode", Kind.TEXT), *_CALL_COLUMNS, *_TIME_COLUMNS),
            rows=((label, *_call_cells(team), *_time_cells(team_time, team.occupancy)),),
        ),
        _group_table("topics", "Per onderwerp", "topic", topics, topic_names),
        _group_table("municipalities", "Per gemeente", "municipality", municipalities, town_names),
        _agent_table(agents, known_agents, request.agent_id, qa, signals),
        department_table(site, calls, rings, period, rules, team.calls),
        callback_table(site, notes, period, now, rules),
    )
    return Report(
        site_name=site.name,
        kind=request.kind,
        label=label,
        period=period,
        zone=request.zone,
        tables=tables,
    )


def _group_table(
    name: str,
    title: str,
    key: str,
    groups: Mapping[str | None, Figures],
    names: Mapping[str, str],
) -> Table:
    columns = (Column(f"{key}_id", "Code", Kind.TEXT), Column("name", "Naam", Kind.TEXT))
    rows = tuple(
        (k, names.get(k, "onbekend") if k is not None else "geen keuze", *_call_cells(groups[k]))
        for k in ordered_keys(groups, list(names))
    )
    return Table(name=name, title=title, columns=(*columns, *_CALL_COLUMNS), rows=rows)


def _agent_table(
    agents: Mapping[str, AgentFigures],
    names: Mapping[str, str],
    only: str | None,
    qa: Mapping[str, QaSummary] | None,
    signals: Mapping[str, SignalsSummary] | None = None,
) -> Table:
    wanted = [only] if only is not None else [a for a in ordered_keys(agents, list(names)) if a]
    rows = tuple(
        (
            *_agent_row(agents.get(a), a, names.get(a, "onbekend")),
            *_qa_cells(qa, a),
            *_signal_cells(signals, a),
        )
        for a in wanted
        if a
    )
    return Table(name="agents", title="Per medewerker", columns=_AGENT_COLUMNS, rows=rows)


def _agent_row(figures: AgentFigures | None, agent_id: str, name: str) -> tuple[Cell, ...]:
    if figures is None:  # the agent of a progress talk who did not work in this period
        return (agent_id, name, 0, 0, 0, 0, None, None, 0, 0.0, None, 0.0, None,
                0.0, 0.0, 0.0, None, None)  # fmt: skip
    t: CallTally = figures.calls
    return (
        agent_id, name, t.answered, t.unknown_end, *_handled_cells(figures), t.recorded,
        *_handle_time_cells(figures), *_time_cells(figures.time, figures.occupancy),
    )  # fmt: skip


def _signal_cells(
    signals: Mapping[str, SignalsSummary] | None, agent_id: str
) -> tuple[Cell, Cell, Cell, Cell]:
    """The agent's mean talk share, longest silence, overtalk and hold; "-" without
    recordings."""
    found = None if signals is None else signals.get(agent_id)
    if found is None:
        return None, None, None, None
    return found.agent_talk_share, found.longest_silence_s, found.overtalk_s, found.hold_s


def _qa_cells(qa: Mapping[str, QaSummary] | None, agent_id: str) -> tuple[Cell, Cell]:
    """The QA score and count; both "-" without coaching data, the count 0 when the
    agent's calls were not evaluated in the period."""
    if qa is None:
        return None, None
    found = qa.get(agent_id)
    return (None, 0) if found is None else (found.mean, found.count)
