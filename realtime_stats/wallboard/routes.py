"""``/wallboard``: the floor's real-time screen, its JSON and its event stream.

Wall screens log in with a display token, in the ``Authorization`` header or as
``?token=`` (a kiosk browser and ``EventSource`` cannot set headers); floor managers,
team leads and admins log in as themselves. The page, ``/api/wallboard`` and the
stream all use :data:`WALLBOARD_ACCESS`, so they always admit the same callers. The
team-lead drill-down is for people only: a display token never opens it.

Thin routes over :class:`WallboardService` (``realtime_stats.wallboard.service``), which
:func:`add_routes` puts on the app for them to find.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, Query, Request, status
from fastapi.responses import HTMLResponse, Response, StreamingResponse
from starlette.concurrency import run_in_threadpool

from http_access.auth import Principal, require
from http_access.page import NO_STORE
from http_access.streams import event_stream
from realtime_stats.wallboard.service import WallboardService
from site_config.access import Role
from site_config.config import SiteConfig

WALLBOARD_ROLES = (Role.FLOOR_MANAGER, Role.TEAM_LEAD)  # admin implied
WALLBOARD_ACCESS = require(*WALLBOARD_ROLES, allow_display=True)
TEAMLEAD_ACCESS = require(*WALLBOARD_ROLES)  # people only: no display token


def _wallboard(request: Request) -> WallboardService:
    wallboard: WallboardService = request.app.state.wallboard
    return wallboard


# Module-level, not local: with postponed annotations FastAPI resolves the names in
# Annotated[..., Depends(...)] from the module's globals.
Wallboard = Annotated[WallboardService, Depends(_wallboard)]
WallboardViewer = Annotated[Principal, Depends(WALLBOARD_ACCESS)]


def _check_selection(site: SiteConfig, topic: str | None, agent: str | None) -> None:
    """Refuse a drill-down on both a topic and an agent, or on an unknown one."""
    if topic is not None and agent is not None:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, "give ?topic= or ?agent=, not both")
    for kind, wanted, known in (
        ("topic", topic, [t.id for t in site.topics]),
        ("agent", agent, [a.id for a in site.agents]),
    ):
        if wanted is not None and wanted not in known:
            detail = f"unknown {kind} {wanted!r}; known: {', '.join(sorted(known))}"
            raise HTTPException(status.HTTP_404_NOT_FOUND, detail)


async def wallboard_page(who: WallboardViewer, wallboard: Wallboard) -> HTMLResponse:
    return wallboard.page.response(who)


async def teamlead_page(
    who: Annotated[Principal, Depends(TEAMLEAD_ACCESS)],
    wallboard: Wallboard,
    topic: Annotated[str | None, Query()] = None,
    agent: Annotated[str | None, Query()] = None,
) -> HTMLResponse:
    _check_selection(wallboard.site, topic, agent)
    return wallboard.teamlead.response(who)


async def snapshot(_: WallboardViewer, wallboard: Wallboard) -> Response:
    text = await run_in_threadpool(wallboard.render)
    return Response(text, media_type="application/json", headers=NO_STORE)


async def snapshot_stream(
    request: Request, who: WallboardViewer, wallboard: Wallboard
) -> StreamingResponse:
    # X-Accel-Buffering: a buffering proxy would hold events back until it fills up.
    headers = {**NO_STORE, "X-Accel-Buffering": "no"}
    return event_stream(request, who, wallboard.events(), headers=headers)  # 429 over the limit


def add_routes(app: FastAPI, wallboard: WallboardService) -> None:
    """The wallboard page, its snapshot and stream, and the team-lead drill-down."""
    app.state.wallboard = wallboard
    app.get("/wallboard", response_class=HTMLResponse)(wallboard_page)
    app.get("/wallboard/teamlead", response_class=HTMLResponse)(teamlead_page)
    app.get("/api/wallboard")(snapshot)
    app.get("/api/wallboard/stream")(snapshot_stream)
