"""``/api/reports``: the day, week and month reports and the queue_log export over HTTP.

Thin routes over `ReportService` (``realtime_stats.reports.service``), which
:func:`add_routes` puts on the app: team leads and floor managers (admin implied)
download the same CSV or HTML that ``kcc report`` writes. Reading a month from the store
takes a while, so it runs in a worker thread. An app without a record store answers 503
saying so, rather than an empty report.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import Depends, FastAPI, HTTPException, Query, Request, status
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from http_access.auth import Principal, require
from realtime_stats.reports.build import PeriodKind
from realtime_stats.reports.service import (
    RenderedReport,
    ReportFormat,
    ReportService,
)
from realtime_stats.reports.tables import ReportError
from realtime_stats.store import StoreError
from site_config.access import Role
from site_config.config import SiteConfig

REPORT_ACCESS = require(Role.TEAM_LEAD, Role.FLOOR_MANAGER)  # admin implied, no displays


def _day(site: SiteConfig, text: str | None) -> date:
    if text is None:
        return datetime.now(ZoneInfo(site.timezone)).date()
    try:
        return date.fromisoformat(text)
    except ValueError:
        detail = f"date {text!r} is not allowed; allowed: a date like 2026-03-29"
        raise HTTPException(status.HTTP_400_BAD_REQUEST, detail) from None


def _response(rendered: RenderedReport) -> Response:
    disposition = f'inline; filename="{rendered.filename}"'
    headers = {"Cache-Control": "no-store", "Content-Disposition": disposition}
    if rendered.media_type.startswith("text/html"):
        # The page carries its own inline style and nothing else: no script may ever run.
        headers["Content-Security-Policy"] = (
            "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; "
            "form-action 'none'; frame-ancestors 'none'"
        )
    return Response(rendered.text, media_type=rendered.media_type, headers=headers)


def _reports(request: Request) -> ReportService:
    reports: ReportService = request.app.state.reports
    return reports


# Module-level, not local: with postponed annotations FastAPI resolves the names in
# Annotated[..., Depends(...)] from the module's globals.
Reports = Annotated[ReportService, Depends(_reports)]
ReportReader = Annotated[Principal, Depends(REPORT_ACCESS)]
DateQuery = Annotated[str | None, Query(alias="date")]


async def _run(
    reports: ReportService, kind: PeriodKind, day: date, fmt: ReportFormat, agent: str | None
) -> Response:
    try:
        rendered = await run_in_threadpool(
            lambda: reports.render(kind=kind, day=day, fmt=fmt, agent_id=agent)
        )
    except ReportError as exc:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, str(exc)) from None
    except StoreError as exc:  # NoRecordStore too
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, str(exc)) from None
    return _response(rendered)


async def queue_log(_: ReportReader, reports: Reports, date_: DateQuery = None) -> Response:
    day = _day(reports.site, date_)
    return await _run(reports, PeriodKind.DAY, day, ReportFormat.QUEUE_LOG, None)


async def report(
    period: str,
    _: ReportReader,
    reports: Reports,
    date_: DateQuery = None,
    format_: Annotated[str, Query(alias="format")] = "html",
    agent: Annotated[str | None, Query()] = None,
) -> Response:
    kinds = [k.value for k in PeriodKind]
    if period not in kinds:
        detail = f"period {period!r} is not allowed; allowed: {', '.join(kinds)}"
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail)
    if format_ not in (ReportFormat.CSV, ReportFormat.HTML):
        detail = f"format {format_!r} is not allowed; allowed: csv, html"
        raise HTTPException(status.HTTP_400_BAD_REQUEST, detail)
    day = _day(reports.site, date_)
    return await _run(reports, PeriodKind(period), day, ReportFormat(format_), agent)


def add_routes(app: FastAPI, reports: ReportService) -> None:
    """``GET /api/reports/queue_log`` and ``GET /api/reports/{day|week|month}``."""
    app.state.reports = reports
    # Registered before /{period}, so "queue_log" is not taken for a period name.
    app.get("/api/reports/queue_log")(queue_log)
    app.get("/api/reports/{period}")(report)
