"""The callback-note figures of the second pillar, each rule written once; docs/metrics.md
("Callback notes") cites them.

Theory of operation: as for calls and rings, each `CallbackNote` first becomes what it
adds to each count of a `CallbackTally`, tallies add up per department (and to the
total), and the one ratio is taken at the end with `metrics.ratio` (None, a dash, when
there is nothing to divide by). For a period [start, end) and the moment `now`:

* flows of the period: `made` = noted in the period; `done` = done in it (any outcome,
  split into the three outcomes);
* the norm, judged per note in the period that holds its **due moment**: `due` = notes
  due in the period, of which `done_in_time` = done at or before the due moment and
  `late` = its due moment has passed and it was not done by then (done later, or still
  open). A note due later that is still open is neither yet. Each note is judged in
  exactly one period, so days add up to their month. `done_in_time_share` =
  done_in_time / (done_in_time + late), coloured against the site's norm target;
* the stock at the period's end, or at `now` if that comes first: `open` = noted by
  then and not done, and of those `overdue` = past their due moment. These count every
  note, whatever period it was made in, like the callers waiting now.

A due moment is an end, so it belongs to the period it closes: a note due at exactly
midnight is due in the day that ends then (start < due <= end), not the next one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Self

from contract.vocabulary import CallbackOutcome
from realtime_stats.figures.callback_records import CallbackNote
from realtime_stats.figures.metrics import ratio
from realtime_stats.figures.norms import Norm, Rated
from realtime_stats.figures.periods import Period, as_utc


def done_in_time_share(done_in_time: int, late: int) -> float | None:
    """Of the notes whose norm is known, the share done at or before their due moment."""
    return ratio(done_in_time, done_in_time + late)


@dataclass(frozen=True, slots=True, kw_only=True)
class CallbackTally:
    """One department's callback notes for a period; see the module docstring."""

    made: int = 0
    done: int = 0
    called_back: int = 0
    not_reached: int = 0
    otherwise: int = 0
    due: int = 0
    done_in_time: int = 0
    late: int = 0
    open: int = 0
    overdue: int = 0

    def __add__(self, other: Self) -> Self:
        names = (f.name for f in fields(self))
        return type(self)(**{n: getattr(self, n) + getattr(other, n) for n in names})


_TALLY_FIELDS = tuple(f.name for f in fields(CallbackTally))


def stock_moment(period: Period, now: datetime) -> datetime:
    """When `open` and `overdue` are counted: the period's end, or `now` if earlier."""
    return min(period.end, as_utc("now", now))


def _contribution(note: CallbackNote, period: Period, now: datetime) -> dict[str, int]:
    """What one note adds to each `CallbackTally` field."""
    moment = stock_moment(period, now)
    done_in_period = note.done_at is not None and period.contains(note.done_at)
    due_in_period = period.start < note.due_at <= period.end
    in_time = due_in_period and note.done_in_time_by(now)
    added = {
        "made": int(period.contains(note.noted_at)),
        "done": int(done_in_period),
        "due": int(due_in_period),
        "done_in_time": int(in_time),
        "late": int(due_in_period and note.judged_at(now) and not in_time),
        "open": int(note.open_at(moment)),
        "overdue": int(note.overdue_at(moment)),
    }
    if done_in_period and note.outcome is not None:
        added[_OUTCOME_FIELDS[note.outcome]] = 1
    return added


_OUTCOME_FIELDS = {
    CallbackOutcome.CALLED_BACK: "called_back",
    CallbackOutcome.NOT_REACHED: "not_reached",
    CallbackOutcome.OTHERWISE: "otherwise",
}


def tally_notes_per_department(
    notes: Iterable[CallbackNote], period: Period, now: datetime
) -> dict[str, CallbackTally]:
    """Per department id with anything to count, the tally of its notes."""
    now = as_utc("now", now)
    sums: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(_TALLY_FIELDS, 0))
    for note in notes:
        added = _contribution(note, period, now)
        if any(added.values()):
            totals = sums[note.department_id]
            for name, value in added.items():
                totals[name] += value
    return {d: CallbackTally(**t) for d, t in sums.items()}


def total(tallies: Iterable[CallbackTally]) -> CallbackTally:
    """The tallies of several departments summed: the whole organisation."""
    return sum(tallies, CallbackTally())


@dataclass(frozen=True, slots=True, kw_only=True)
class CallbackFigures:
    """One department's (or the total's) callback-note figures for a period."""

    notes: CallbackTally
    done_in_time_share: Rated  # against the site's norm target (80 % in the sample)


def callback_figures(tally: CallbackTally, norm: Norm) -> CallbackFigures:
    share = done_in_time_share(tally.done_in_time, tally.late)
    return CallbackFigures(notes=tally, done_in_time_share=Rated(share, norm.status(share)))
