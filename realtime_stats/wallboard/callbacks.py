"""The wallboard's callback-note section: per department and in total, for the day.

The second pillar on the floor's screen ("Terugbelnotities"): per back-office department
the notes made today, those open and overdue now, and of the notes due today the share
done in time, against the site's norm target. Every count comes from
`realtime_stats.figures.callback_metrics` (docs/metrics.md, "Callback notes"); this
module only arranges them. Configured departments come in config order, quiet ones too,
then any other department with a note to count.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any

from realtime_stats.figures.callback_metrics import (
    CallbackTally,
    callback_figures,
    tally_notes_per_department,
    total,
)
from realtime_stats.figures.callback_records import CallbackNote
from realtime_stats.figures.norms import Norm
from realtime_stats.figures.periods import Period
from site_config.config import SiteConfig


def _row(tally: CallbackTally, norm: Norm) -> dict[str, Any]:
    share = callback_figures(tally, norm).done_in_time_share
    status = share.status.value if share.status else None
    return {**asdict(tally), "done_in_time_share": {"value": share.value, "status": status}}


def callback_section(
    site: SiteConfig,
    notes: tuple[CallbackNote, ...],
    period: Period,
    now: datetime,
    norm: Norm,
) -> dict[str, Any]:
    """The snapshot's ``callback_notes``: ``total`` and ``departments`` (id, name, counts)."""
    tallies = tally_notes_per_department(notes, period, now)
    names = {d.id: d.name for d in site.departments}
    extra = sorted(d for d in tallies if d not in names)
    return {
        "total": _row(total(tallies.values()), norm),
        "departments": [
            {"id": d, "name": names.get(d, d), **_row(tallies.get(d, CallbackTally()), norm)}
            for d in [*names, *extra]
        ],
    }
