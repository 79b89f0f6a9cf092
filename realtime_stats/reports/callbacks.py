"""The report's callback-note table: per department, are callback requests done in time.

The second pillar's "unanswered callback notes" beside the TIC's tables and the
back-office rings (docs/reports.md, `callback_notes`): per department the notes made and
done in the period (by outcome), of the notes due in it those done in time and late, and
those open and overdue at its end; then the total. Every count comes from
`realtime_stats.figures.callback_metrics` (docs/metrics.md, "Callback notes"); this module
only arranges them into rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from realtime_stats.figures.callback_metrics import (
    CallbackTally,
    callback_figures,
    tally_notes_per_department,
    total,
)
from realtime_stats.figures.callback_records import CallbackNote
from realtime_stats.figures.norms import MetricRules
from realtime_stats.figures.periods import Period
from realtime_stats.reports.tables import Cell, Column, Kind, Table, ordered_keys, rated_cells
from site_config.config import SiteConfig

TOTAL_ID = "total"  # the last row's department_id; configured ids are departments' own

CALLBACK_COLUMNS = (
    Column("department_id", "Afdeling", Kind.TEXT),
    Column("name", "Naam", Kind.TEXT),
    Column("made", "Gemaakt", Kind.COUNT),
    Column("done", "Afgehandeld", Kind.COUNT),
    Column("called_back", "Teruggebeld", Kind.COUNT),
    Column("not_reached", "Niet bereikt", Kind.COUNT),
    Column("otherwise", "Anders afgehandeld", Kind.COUNT),
    Column("due", "Moesten klaar zijn", Kind.COUNT),
    Column("done_in_time", "Op tijd klaar", Kind.COUNT),
    Column("late", "Te laat", Kind.COUNT),
    Column("done_in_time_share", "Op tijd %", Kind.RATE),
    Column("done_in_time_status", "Norm op tijd", Kind.NORM_STATUS),
    Column("open", "Open aan het eind", Kind.COUNT),
    Column("overdue", "Te laat open aan het eind", Kind.COUNT),
)


def _cells(tally: CallbackTally, rules: MetricRules) -> tuple[Cell, ...]:
    share = callback_figures(tally, rules.norm).done_in_time_share
    t = tally
    return (
        t.made, t.done, t.called_back, t.not_reached, t.otherwise,
        t.due, t.done_in_time, t.late, *rated_cells(share), t.open, t.overdue,
    )  # fmt: skip


def callback_table(
    site: SiteConfig,
    notes: Iterable[CallbackNote],
    period: Period,
    now: datetime,
    rules: MetricRules,
) -> Table:
    """One row per configured department, then any other department a counted note names
    (name `onbekend`), then the total."""
    tallies = tally_notes_per_department(notes, period, now)
    names = {d.id: d.name for d in site.departments}
    rows = [
        (d, names.get(d, "onbekend"), *_cells(tallies.get(d, CallbackTally()), rules))
        for d in ordered_keys({*tallies, *names}, list(names))
        if d is not None
    ]
    rows.append((TOTAL_ID, "Totaal", *_cells(total(tallies.values()), rules)))
    return Table(
        name="callback_notes",
        title="Terugbelnotities per afdeling",
        columns=CALLBACK_COLUMNS,
        rows=tuple(rows),
    )
