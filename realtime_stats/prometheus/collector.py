"""The contact-centre series of ``/metrics``: the wallboard's figures, copied at scrape time.

Theory of operation: :class:`BoardCollector` holds no figures of its own. At every
scrape it asks the feed for its records, computes the wallboard's snapshot (exactly
:func:`realtime_stats.wallboard.snapshot.board_snapshot`, from sums kept between
scrapes by :class:`realtime_stats.wallboard.kept_snapshot.KeptSnapshot`) and copies
the numbers out, so Prometheus shows exactly what the wallboard shows for the same
moment and never derives a figure itself (docs/metrics.md, "Prometheus series"). A
figure the wallboard shows as a dash (None) has no sample at all: a made-up 0 would fire
the norm alerts. The callback notes' series carry the scope ``department`` (or
``total``) with the department id.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from prometheus_client.metrics_core import GaugeMetricFamily, Metric

from contract.vocabulary import AgentState
from realtime_stats.wallboard.feed import BoardFeed
from realtime_stats.wallboard.kept_snapshot import KeptSnapshot
from site_config.config import SiteConfig

log = logging.getLogger(__name__)

GROUP_LABELS = ("scope", "name")
TOTAL = "total"
# Calls with no topic (menu switched off) or no municipality: the wallboard's id None.
# Parentheses cannot occur in a configured id ([a-z0-9-]), so this never clashes.
NO_GROUP = "(none)"


@dataclass(frozen=True, slots=True)
class GroupSeries:
    """One per-group gauge: its name and help, and the snapshot row field it copies.

    ``rated`` fields are ``{"value": ..., "status": ...}`` in the snapshot; the gauge
    takes the value.
    """

    name: str
    help: str
    field: str
    rated: bool = False

    def value(self, row: Mapping[str, Any]) -> float | None:
        raw = row[self.field]["value"] if self.rated else row[self.field]
        return None if raw is None else float(raw)


GROUP_SERIES = (
    GroupSeries(
        "kcc_answer_rate", "Answered / (offered - short abandoned), 0-1", "answer_rate", True
    ),
    GroupSeries(
        "kcc_service_level",
        "Answered within the threshold / (offered - short abandoned), 0-1",
        "service_level",
        True,
    ),
    GroupSeries(
        "kcc_direct_handling", "(Completed - transferred) / completed, 0-1", "direct_handling", True
    ),
    GroupSeries("kcc_occupancy", "Busy / staffed agent time today, 0-1", "occupancy", True),
    GroupSeries("kcc_calls_offered", "Calls offered today (answered + abandoned)", "offered"),
    GroupSeries("kcc_calls_answered", "Offered calls answered today", "answered"),
    GroupSeries("kcc_calls_abandoned", "Offered calls abandoned today", "abandoned"),
    GroupSeries(
        "kcc_calls_short_abandoned",
        "Abandoned within the short-abandon time today",
        "short_abandoned",
    ),
    GroupSeries(
        "kcc_calls_unknown_end",
        "Calls today whose end never came (a controller restart); neither offered nor abandoned",
        "unknown_end",
    ),
    GroupSeries("kcc_callers_waiting", "Callers in the queue now", "waiting"),
    GroupSeries("kcc_longest_wait_seconds", "Longest current wait in the queue", "longest_wait_s"),
    GroupSeries("kcc_asa_seconds", "Average speed of answer today", "asa_s"),
)
# The callback notes of the second pillar, per department (scope "department", name the
# department id) and in total: the snapshot's ``callback_notes`` section.
CALLBACK_SERIES = (
    GroupSeries("kcc_callback_notes_made", "Callback notes made today", "made"),
    GroupSeries("kcc_callback_notes_done", "Callback notes done today", "done"),
    GroupSeries("kcc_callback_notes_open", "Callback notes open now", "open"),
    GroupSeries(
        "kcc_callback_notes_overdue", "Callback notes open now past their due moment", "overdue"
    ),
    GroupSeries(
        "kcc_callback_notes_done_in_time_ratio",
        "Of the notes due today and judged, those done by their due moment, 0-1",
        "done_in_time_share",
        True,
    ),
)
NORM_TARGET = "kcc_norm_target"
AGENTS = "kcc_agents"
FIGURES_OK = "kcc_board_figures_ok"
_SEE = " (docs/metrics.md; same as the wallboard)"


class BoardCollector:
    """The wallboard's figures for the local day, rendered at scrape time."""

    def __init__(self, site: SiteConfig, feed: BoardFeed, kept: KeptSnapshot | None = None) -> None:
        """``kept``: the running figures the wallboard renders with, shared so the day is
        followed once (realtime_stats.app); a collector of its own without."""
        self._site, self._feed = site, feed
        self._kept = kept or KeptSnapshot(site)

    def describe(self) -> list[Metric]:
        """The series names, without computing a snapshot (the registry checks names)."""
        return list(_families())

    def collect(self) -> list[Metric]:
        try:
            snapshot = self._kept.snapshot(self._feed.inputs())
        except Exception:
            # Keep the rest of /metrics (up, Redis) scrapeable; the log names the cause.
            log.exception("wallboard figures for /metrics failed; exporting none this scrape")
            return [GaugeMetricFamily(FIGURES_OK, "1 if the figures were computed", value=0)]
        return [
            *_families(snapshot),
            GaugeMetricFamily(FIGURES_OK, "1 if the figures were computed", value=1),
        ]


def _groups(snapshot: Mapping[str, Any]) -> Iterator[tuple[str, str, Mapping[str, Any]]]:
    """``(scope, name, row)`` for the total and every topic and municipality row."""
    yield TOTAL, TOTAL, snapshot["totals"]
    for scope, key in (("topic", "topics"), ("municipality", "municipalities")):
        for row in snapshot[key]:
            yield scope, NO_GROUP if row["id"] is None else str(row["id"]), row


def _departments(snapshot: Mapping[str, Any]) -> Iterator[tuple[str, str, Mapping[str, Any]]]:
    """``(scope, name, row)`` for the callback notes' total and every department row."""
    notes = snapshot["callback_notes"]
    yield TOTAL, TOTAL, notes["total"]
    for row in notes["departments"]:
        yield "department", str(row["id"]), row


def _group_families(
    catalogue: tuple[GroupSeries, ...],
    rows: Iterable[tuple[str, str, Mapping[str, Any]]],
) -> Iterator[Metric]:
    found = list(rows)
    for series in catalogue:
        family = GaugeMetricFamily(series.name, series.help + _SEE, labels=GROUP_LABELS)
        for scope, name, row in found:
            value = series.value(row)
            if value is not None:
                family.add_metric((scope, name), value)
        yield family


def _families(snapshot: Mapping[str, Any] | None = None) -> Iterator[Metric]:
    """Every contact-centre family; with no snapshot, empty ones (for ``describe``)."""
    yield from _group_families(GROUP_SERIES, _groups(snapshot) if snapshot is not None else ())
    notes = _departments(snapshot) if snapshot is not None else ()
    yield from _group_families(CALLBACK_SERIES, notes)
    target = GaugeMetricFamily(NORM_TARGET, "The 80 % norms' target, 0-1" + _SEE)
    if snapshot is not None:
        target.add_metric((), float(snapshot["rules"]["norm_target"]))
    yield target
    agents = GaugeMetricFamily(
        AGENTS, "Agents per state now (logged_out: worked today)" + _SEE, labels=("state",)
    )
    if snapshot is not None:
        counts = Counter(row["state"] for row in snapshot["agents"])
        for state in AgentState:
            agents.add_metric((state.value,), float(counts[state.value]))
    yield agents
