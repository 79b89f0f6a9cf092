"""The report's back-office table: per department, how the rest of the organisation answers.

The second pillar beside the TIC's tables (docs/reports.md, `departments`): per
department its direct calls (offered, answered, answered within the norm's rings, the
caller left while it rang, fell back to the TIC), the warm-transfer consults its
extensions got (answered, within the norm, how fast), the camp-on rings (a caller who
waited for a colleague in a call, rung once the line was free, and how many of them
connected), and from the TIC's call records the
transfers completed to it and the fallback traffic it caused. Every figure comes from
`realtime_stats.figures.backoffice_metrics`; this module only arranges them into rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from realtime_stats.figures.backoffice_metrics import (
    BackOfficeTally,
    answer_within_seconds,
    backoffice_figures,
    fallback_traffic_share,
    tally_rings_per_department,
    transfer_share,
)
from realtime_stats.figures.backoffice_records import BackOfficeRing
from realtime_stats.figures.call_tally import CallTally, tally_calls
from realtime_stats.figures.norms import MetricRules
from realtime_stats.figures.periods import Period
from realtime_stats.figures.records import CallRecord
from realtime_stats.reports.tables import Cell, Column, Kind, Table, ordered_keys, rated_cells
from site_config.config import SiteConfig


def department_columns(rings: int) -> tuple[Column, ...]:
    """The table's columns; `rings` is the norm's number of rings, for the Dutch labels."""
    within = f"binnen {rings} keer overgaan"
    return (
        Column("department_id", "Afdeling", Kind.TEXT),
        Column("name", "Naam", Kind.TEXT),
        Column("direct_offered", "Rechtstreeks aangeboden", Kind.COUNT),
        Column("direct_answered", "Rechtstreeks beantwoord", Kind.COUNT),
        Column("direct_answered_within_rings", f"Rechtstreeks {within}", Kind.COUNT),
        Column("reachability", f"Bereikbaarheid ({within}) %", Kind.RATE),
        Column("reachability_status", "Norm bereikbaarheid", Kind.NORM_STATUS),
        Column("direct_caller_left", "Beller hing op tijdens overgaan", Kind.COUNT),
        Column("direct_fell_back", "Niet opgenomen, terug naar TIC", Kind.COUNT),
        Column("direct_fallback_share", "Terugval % van rechtstreeks", Kind.RATE),
        Column("consults", "Doorverbindpogingen vanuit TIC", Kind.COUNT),
        Column("consults_answered", "Doorverbindpogingen beantwoord", Kind.COUNT),
        Column("consults_answered_within_rings", f"Doorverbindpogingen {within}", Kind.COUNT),
        Column("average_consult_answer_s", "Gem. tijd tot opnemen doorverbinden", Kind.SECONDS),
        Column("camp_on_rings", "Erachter gezet: overgegaan bij vrije lijn", Kind.COUNT),
        Column("camp_on_connected", "Erachter gezet: verbonden", Kind.COUNT),
        Column("transfers_in", "Warm doorverbonden vanuit TIC", Kind.COUNT),
        Column("transfer_share", "Aandeel van afgehandelde TIC-gesprekken", Kind.RATE),
        Column("fell_back", "Terugval in TIC-wachtrij", Kind.COUNT),
        Column("fallback_share", "Aandeel van aangeboden TIC-gesprekken", Kind.RATE),
    )


def department_table(
    site: SiteConfig,
    calls: Iterable[CallRecord],
    rings: Iterable[BackOfficeRing],
    period: Period,
    rules: MetricRules,
    team: CallTally,
) -> Table:
    """One row per configured department, then any other department the period's records
    name (config changed since), so no ring or transfer is left out of the table."""
    per_ring = tally_rings_per_department(rings, period, answer_within_seconds(site.norms))
    calls = [c for c in calls if period.start <= c.entered_at < period.end]
    names = {d.id: d.name for d in site.departments}
    named = {*per_ring, *names, *(c.transfer_department for c in calls)}
    named |= {c.fell_back_from_department for c in calls}
    rows = tuple(
        (
            department,
            names.get(department, "onbekend"),
            *_ring_cells(per_ring.get(department, BackOfficeTally()), rules),
            *_tic_cells(department, calls, period, rules, team),
        )
        for department in ordered_keys(named, list(names))
        if department is not None
    )
    return Table(
        name="departments",
        title="Per afdeling (backoffice)",
        columns=department_columns(site.norms.back_office_answer_within_rings),
        rows=rows,
    )


def _tic_cells(
    department: str,
    calls: Sequence[CallRecord],
    period: Period,
    rules: MetricRules,
    team: CallTally,
) -> tuple[Cell, ...]:
    """From the TIC's call records: transfers completed to it, fallback traffic from it."""
    into = tally_calls((c for c in calls if c.transfer_department == department), period, rules)
    back = tally_calls(
        (c for c in calls if c.fell_back_from_department == department), period, rules
    )
    return (
        into.transferred,
        transfer_share(into.transferred, team.completed),
        back.fell_back,
        fallback_traffic_share(back.fell_back, team.offered),
    )


def _ring_cells(tally: BackOfficeTally, rules: MetricRules) -> tuple[Cell, ...]:
    figures = backoffice_figures(tally, rules.norm)
    return (
        tally.direct_offered, tally.direct_answered, tally.direct_answered_within,
        *rated_cells(figures.reachability), tally.direct_caller_left,
        tally.direct_fell_back, figures.direct_fallback_share,
        tally.consults, tally.consults_answered, tally.consults_answered_within,
        figures.average_consult_answer_seconds,
        tally.camp_on_rings, tally.camp_on_connected,
    )  # fmt: skip
