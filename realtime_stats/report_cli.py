"""``kcc report``: a day, week or month report from the record store, and the shared
service that reads the store for it (the HTTP routes in ``routes_reports`` use it too).

    kcc report --site config/site.yaml --database URL {day,week,month}
               [--date YYYY-MM-DD] [--agent ID] [--format csv|html|queue_log] [--out FILE]

A SQLite store that does not exist is refused instead of created: an empty report
from a mistyped path would look like a quiet month.
"""

from __future__ import annotations

import argparse
import enum
import os
import sys
import tempfile
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from kcc.cli import Command
from kcc.site.config import SiteConfig
from kcc.site.errors import ConfigError
from kcc.site.loader import load_site_config
from realtime_stats.board import metric_rules
from realtime_stats.fold_records import TrackedInterval
from realtime_stats.live_feed import store_target
from realtime_stats.queue_log import export_queue_log
from realtime_stats.report_render import render_csv, render_html
from realtime_stats.reports import (
    PeriodKind,
    ReportError,
    ReportRequest,
    build_report,
    report_period,
)
from realtime_stats.store import Store, StoreError, open_store


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
) -> RenderedReport:
    """Read the period's records from `store` and render them as `fmt`."""
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
    report = build_report(site, metric_rules(site.norms), request, calls, intervals, rings)
    if fmt is ReportFormat.CSV:
        return RenderedReport(
            text=render_csv(report), media_type=MEDIA_TYPES[fmt], filename=f"{name}.csv"
        )
    return RenderedReport(
        text=render_html(report), media_type=MEDIA_TYPES[fmt], filename=f"{name}.html"
    )


def _intervals_with_calls(store: Store, start: datetime, end: datetime) -> list[TrackedInterval]:
    """Agent intervals that still name their call, so unanswered rings can be logged.

    `Store.intervals_between` drops the call id; the snapshot keeps it. The snapshot also
    reads every call from `start` on, which costs more for an old period but stays correct.
    """
    found = store.snapshot(start).intervals
    return [t for t in found if t.interval.start < end]


# --- the command ---


def report_command() -> Command:
    """``kcc report``; see the module docstring."""
    return Command(
        name="report",
        help="a day, week or month report (CSV, HTML or Asterisk queue_log) from the store",
        add_arguments=_arguments,
        run=_run,
    )


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not allowed; allowed: a date like 2026-03-29"
        ) from None


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--site", required=True, help="the site config, e.g. config/site.yaml")
    parser.add_argument(
        "--database", help="record store URL (default: services.database_url of the site)"
    )
    parser.add_argument("period", choices=[k.value for k in PeriodKind])
    parser.add_argument(
        "--date", type=_date, help="a day in the period, YYYY-MM-DD (default: today, local)"
    )
    parser.add_argument("--agent", help="only this agent in the agent table (progress talk)")
    parser.add_argument(
        "--format", choices=[f.value for f in ReportFormat], default=ReportFormat.CSV.value
    )
    parser.add_argument("--out", type=Path, help="write here instead of to standard output")


def _run(args: argparse.Namespace) -> int:
    try:
        site = load_site_config(args.site)
        target = store_target(args.database or site.services.database_url)
        postgres = str(target).startswith(("postgresql://", "postgres://"))
        if not postgres and not Path(target).is_file():
            raise StoreError(f"store {str(target)!r}: no such file; nothing to report from")
        day = args.date or datetime.now(ZoneInfo(site.timezone)).date()
        with open_store(target) as store:
            rendered = render_report(
                store,
                site,
                kind=PeriodKind(args.period),
                day=day,
                fmt=ReportFormat(args.format),
                agent_id=args.agent,
            )
    except (ConfigError, StoreError, ReportError) as exc:
        print(f"kcc report: {exc}", file=sys.stderr)
        return 1
    if args.out is None:
        sys.stdout.write(rendered.text)
        return 0
    try:
        _write_whole(args.out, rendered.text)
    except OSError as exc:
        print(f"kcc report: cannot write {args.out}: {exc}", file=sys.stderr)
        return 1
    return 0


def _write_whole(path: Path, text: str) -> None:
    """Write `text` to `path` via a temporary file, so a failed write leaves no half report."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            out.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
