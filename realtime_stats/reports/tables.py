"""What a report is made of: tables of typed columns, shared by the report's builders.

`realtime_stats.reports.build` builds the TIC tables and
`realtime_stats.reports.departments` the back-office one out of these;
`realtime_stats.reports.render` writes any `Table` out as CSV or HTML by its columns'
`Kind`, so a new column needs no change there.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from realtime_stats.figures.norms import Rated


class ReportError(ValueError):
    """A report that cannot be made as asked (unknown period kind, agent, ...)."""


class Kind(enum.Enum):
    """How a column's values are written: CSV keeps them plain, HTML makes them readable."""

    TEXT = "text"
    COUNT = "count"
    SECONDS = "seconds"
    RATE = "rate"  # a fraction 0..1
    NORM_STATUS = "norm_status"  # higher is better (80 % norms)
    LOAD_STATUS = "load_status"  # occupancy: lower is safer
    SCORE = "score"  # a QA score, 0-100 with one decimal


@dataclass(frozen=True, slots=True)
class Column:
    key: str  # CSV header, stable
    label: str  # Dutch, for the HTML page
    kind: Kind


Cell = str | int | float | None


@dataclass(frozen=True, slots=True, kw_only=True)
class Table:
    name: str  # CSV section name, stable
    title: str  # Dutch heading
    columns: tuple[Column, ...]
    rows: tuple[tuple[Cell, ...], ...]

    def __post_init__(self) -> None:
        for row in self.rows:
            if len(row) != len(self.columns):
                raise ReportError(
                    f"table {self.name}: a row has {len(row)} cells, not {len(self.columns)}"
                )


def rated_cells(rated: Rated) -> tuple[Cell, Cell]:
    """A rated figure as two cells: its value and its status (a `Kind.NORM_STATUS` word)."""
    return rated.value, None if rated.status is None else rated.status.value


def ordered_keys(keys: Iterable[str | None], configured: Sequence[str]) -> list[str | None]:
    """Configured ids in config order, then ids the config no longer knows, then None."""
    present = set(keys)
    extra = sorted(k for k in present if k is not None and k not in configured)
    return [k for k in configured if k in present] + extra + ([None] if None in present else [])
