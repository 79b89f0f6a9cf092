"""``kcc report``: a day, week or month report from the record store.

    kcc report --site config/site.yaml --database URL {day,week,month}
               [--date YYYY-MM-DD] [--agent ID] [--format csv|html|queue_log] [--out FILE]
               [--recordings-dir DIR]

A SQLite store that does not exist is refused instead of created: an empty report
from a mistyped path would look like a quiet month.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from kcc.command import Command
from realtime_stats.reports.build import PeriodKind
from realtime_stats.reports.service import ReportFormat, render_report
from realtime_stats.reports.tables import ReportError
from realtime_stats.store import StoreError, open_store, store_target
from site_config import ConfigError, load_site_config


def command() -> Command:
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
    parser.add_argument(
        "--recordings-dir",
        type=Path,
        help="where the agents' QA scores are read (default: the site's recording.directory)",
    )


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
                recordings_dir=args.recordings_dir or site.recording.directory,
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
