"""A day, week or month report read from the record store and rendered: the service
behind ``kcc report`` (`render_report`) and the HTTP routes (`ReportService`).

The agents' QA scores come from the recordings folder (``coaching.db`` and the
catalogue, through ``recordings.qa_summary``), not from the store: the controller
writes them there. Without a folder, or before the first coaching, the report shows
"-" for them; a file that cannot be read is logged and shown the same, so the rest of
the report is never lost to it.
"""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from realtime_stats.figures.norms import metric_rules
from realtime_stats.figures.periods import Period
from realtime_stats.figures.tracked_records import TrackedInterval
from realtime_stats.reports.build import PeriodKind, ReportRequest, build_report, report_period
from realtime_stats.reports.queue_log import export_queue_log
from realtime_stats.reports.render import render_csv, render_html
from realtime_stats.store import Store, StoreError
from recordings.qa_summary import QaSummary, QaUnreadable, qa_per_agent
from recordings.signal_summary import SignalsSummary, SignalsUnreadable, signals_per_agent
from site_config.config import SiteConfig

log = logging.getLogger(__name__)


class ReportFormat(enum.StrEnum):
    CSV = "csv"
    HTML = "html"
    QUEUE_LOG = "queue_log"


MEDIA_TYPES = {
    ReportFormat.CSV: "text/csv; charset=utf-8",
    ReportFormat.HTML: "text/html; charset=utf-8",
    ReportFormat.QUEUE_LOG: "text/plain; charset=utf-8",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class RenderedReport:
    text: str
    media_type: str
    filename: str


def render_report(
    store: Store,
    site: SiteConfig,
    *,
    kind: PeriodKind,
    day: date,
    fmt: ReportFormat,
    agent_id: str | None = None,
    now: datetime | None = None,
    recordings_dir: Path | None = None,
) -> RenderedReport:
    """Read the period's records from `store` (and the QA scores from `recordings_dir`,
    if given) and render them as `fmt`."""
    zone = ZoneInfo(site.timezone)
    now = now or datetime.now(UTC)
    period = report_period(kind, day, zone)
    calls = store.calls_between(period.start, period.end)
    name = f"kcc-report-{kind.value}-{day.isoformat()}"
    if fmt is ReportFormat.QUEUE_LOG:
        lines = export_queue_log(
            calls,
            _intervals_with_calls(store, period.start, period.end),
            period,
            default_topic=site.ivr.general_topic,
            agent_topics={a.id: a.topics for a in site.agents},
        )
        text = "".join(f"{line}\n" for line in lines)
        return RenderedReport(text=text, media_type=MEDIA_TYPES[fmt], filename=f"{name}.log")
    intervals = store.intervals_between(period.start, period.end)
    request = ReportRequest(kind=kind, day=day, zone=zone, now=now, agent_id=agent_id)
    rings = store.rings_between(period.start, period.end)
    notes = store.notes_between(period.start, period.end)
    rules = metric_rules(site.norms)
    qa = _qa_scores(recordings_dir, period)
    signals = _signals(recordings_dir, period)
    report = build_report(site, rules, request, calls, intervals, rings, notes, qa, signals)
    if fmt is ReportFormat.CSV:
        return RenderedReport(
            text=render_csv(report), media_type=MEDIA_TYPES[fmt], filename=f"{name}.csv"
        )
    return RenderedReport(
        text=render_html(report), media_type=MEDIA_TYPES[fmt], filename=f"{name}.html"
    )


def _qa_scores(folder: Path | None, period: Period) -> dict[str, QaSummary] | None:
    if folder is None:
        return None
    try:
        return qa_per_agent(folder, period.start, period.end)
    except QaUnreadable as exc:
        log.warning("report without QA scores: %s", exc)
        return None


def _signals(folder: Path | None, period: Period) -> dict[str, SignalsSummary] | None:
    if folder is None:
        return None
    try:
        return signals_per_agent(folder, period.start, period.end)
    except SignalsUnreadable as exc:
        log.warning("report without coaching signals: %s", exc)
        return None


def _intervals_with_calls(store: Store, start: datetime, end: datetime) -> list[TrackedInterval]:
    """Agent intervals that still name their call, so unanswered rings can be logged.

    `Store.intervals_between` drops the call id; the snapshot keeps it. The snapshot also
    reads every call from `start` on, which costs more for an old period but stays correct.
    """
    found = store.snapshot(start).intervals
    return [t for t in found if t.interval.start < end]


class NoRecordStore(StoreError):
    """The stats service runs without a record store, so it has nothing to report on."""


class ReportService:
    """The reports of one stats service: its site's, read from its record store.

    An app may run without a store (tests, a board without an event stream): then every
    report is refused with `NoRecordStore` rather than given empty. `recordings_dir` is
    where the QA scores are read (None: the report has none).
    """

    def __init__(
        self, site: SiteConfig, store: Store | None, recordings_dir: Path | None = None
    ) -> None:
        self.site, self._store, self._recordings_dir = site, store, recordings_dir

    def render(
        self, *, kind: PeriodKind, day: date, fmt: ReportFormat, agent_id: str | None = None
    ) -> RenderedReport:
        """`render_report` on this service's store; reading a month takes a while."""
        store = self._store
        if store is None:
            raise NoRecordStore(
                "this stats service has no record store (start it with --database): no reports"
            )
        return render_report(
            store, self.site, kind=kind, day=day, fmt=fmt, agent_id=agent_id,
            recordings_dir=self._recordings_dir,
        )  # fmt: skip
