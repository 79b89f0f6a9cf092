"""The agent page over HTTP: the page, its data as JSON, and the live stream of it.

``GET /agent`` is the page (an agent sees their own desk; the floor manager and team
leads pick one with ``?agent=1001``). ``GET /api/agents/{id}/desk`` is what it shows
and ``.../desk/stream`` pushes it again after every change: the screen pop arrives the
moment the controller rings the agent's phone. The actions on the page are the control
API's own routes (log in, pause, transfer, ...), each audited there. Reading a desk
changes nothing and is not audited, but an agent reads only their own (403 otherwise).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, StreamingResponse

from acd.desk.service import AgentDesks, Desk, Names
from acd.web import AgentUser
from http_access.auth import Principal
from http_access.page import InlinePage
from http_access.streams import event_stream

KEEP_ALIVE_S = 15.0
NO_STORE = {"Cache-Control": "no-store"}


def _desks(request: Request) -> AgentDesks:
    service: AgentDesks = request.app.state.agent_desks
    return service


Desks = Annotated[AgentDesks, Depends(_desks)]


def _reader(agent_id: str, who: AgentUser) -> Principal:
    refusal = who.may_act_on_agent(agent_id)
    if refusal is not None:
        raise HTTPException(status_code=403, detail=refusal)
    return who


DeskReader = Annotated[Principal, Depends(_reader)]


async def page(request: Request, who: AgentUser, desks: Desks) -> HTMLResponse:
    agent_page: InlinePage = request.app.state.agent_page
    values = {"agent": who.agent_id or "", "name": who.name, "site": desks.names.site}
    return agent_page.response(values)


async def desk(agent_id: str, desks: Desks, _: DeskReader) -> dict[str, Any]:
    return desk_view(desks, agent_id)


async def stream(
    request: Request, agent_id: str, desks: Desks, who: DeskReader
) -> StreamingResponse:
    desk_view(desks, agent_id)  # 404 for an unknown agent before the stream starts
    # 429 when this login has too many streams open (http_access.streams).
    return event_stream(request, who, _events(desks, agent_id), headers=NO_STORE)


async def _events(desks: AgentDesks, agent_id: str) -> AsyncIterator[str]:
    changes = desks.changes(agent_id)
    try:
        yield "retry: 3000\n\n"
        while True:
            data = json.dumps(desk_view(desks, agent_id), ensure_ascii=False)
            yield f"data: {data}\n\n"
            while True:
                try:
                    await asyncio.wait_for(anext(changes), KEEP_ALIVE_S)
                    break
                except TimeoutError:
                    yield ": keep-alive\n\n"
    finally:
        await changes.aclose()


def desk_view(desks: AgentDesks, agent_id: str) -> dict[str, Any]:
    found = desks.desk(agent_id)
    if found is None:
        raise HTTPException(404, f"unknown agent {agent_id!r}")
    return _view(found, desks)


def _view(found: Desk, desks: AgentDesks) -> dict[str, Any]:
    a, names = found.agent, desks.names
    return {
        "now": _iso(desks.now()),
        "agent": {
            "id": a.agent_id,
            "name": a.name,
            "state": a.state.value,
            "since": _iso(a.since),
            "position": a.position_id,
            "pause_reason": None if a.pause_reason is None else a.pause_reason.value,
            "pause_pending": None if a.pause_pending is None else a.pause_pending.value,
            "logout_pending": a.logout_pending,
            "acw_until": _iso(a.acw_until),
            "topics": sorted(names.topics.get(t, t) for t in a.topics),
        },
        "call": None if found.call is None else _call(found, names),
        "today": found.today,
        "departments": [
            {"id": d, "name": name, "colleagues": [{"extension": e, "name": n} for e, n in phones]}
            for d, name, phones in names.directory
        ],
        "positions": [
            {
                "id": p.position_id,
                "extension": p.extension,
                "open": p.state.value == "open",
                "taken_by": p.agent_id,
            }
            for p in desks.positions()
        ],
    }


def _call(found: Desk, names: Names) -> dict[str, Any]:
    c = found.call
    assert c is not None
    return {
        "id": c.call_id,
        "municipality": names.municipalities.get(c.municipality or "", c.municipality),
        "topic": names.topics.get(c.topic or "", c.topic),
        "topic_id": c.topic,
        "municipality_id": c.municipality,
        "ivr_path": [
            {
                "node": s.node,
                "digit": s.digit,
                "outcome": s.outcome,
                "choice": names.choices.get((s.node, s.digit or "")),
            }
            for s in c.ivr_path
        ],
        "queued_at": _iso(c.queued_at),
        "offered_at": _iso(c.offered_at),
        "waited_s": None if c.waited_s is None else round(c.waited_s),
        "answered_at": _iso(c.answered_at),
        "fell_back_from": names.departments.get(c.fell_back_from or "", c.fell_back_from),
        "calls_last_7_days": c.calls_last_7_days,
        "recording": c.recording,
        "recorded": c.recorded,
        "recording_trouble": c.recording_trouble or None,
        "transferred_to": c.transferred_to,
    }


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def add_routes(app: FastAPI, service: AgentDesks) -> None:
    """Put these routes on the app itself (``app.routes`` then lists each one), over
    ``service``."""
    app.state.agent_desks = service
    app.state.agent_page = InlinePage("acd.desk", "desk.html", style="desk.css", script="desk.js")
    app.add_api_route("/agent", page, methods=["GET"], response_class=HTMLResponse)
    app.add_api_route("/api/agents/{agent_id}/desk", desk, methods=["GET"])
    app.add_api_route("/api/agents/{agent_id}/desk/stream", stream, methods=["GET"])
