"""The controller's HTTP API: agents, warm transfers, positions and the live IVR switches.

Served by the controller itself on ``services.control_port`` (the state it changes
lives there), behind the same authentication as the stats service. Agents may log
in, pause and end after-call work; the floor manager and team leads also change
topics, open the peak position, and switch the calamity message and the topic
menu. A refused change answers 409 with the reason (``"agent 1001 is talking"``).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING, Annotated, Any

import uvicorn
from fastapi import Depends, FastAPI, HTTPException
from pydantic import BaseModel, Field

from acd.core import PauseReason
from acd.core import inputs as ev
from http_access.auth import Authenticator, Principal, install_authenticator, require
from site_config.access import Role

if TYPE_CHECKING:
    from acd.controller import Controller
    from acd.service import ControllerService

AGENT_ACCESS = require(Role.AGENT, Role.FLOOR_MANAGER, Role.TEAM_LEAD)
MANAGER_ACCESS = require(Role.FLOOR_MANAGER, Role.TEAM_LEAD)
# Module level: with postponed annotations FastAPI resolves these names globally.
AgentUser = Annotated[Principal, Depends(AGENT_ACCESS)]
ManagerUser = Annotated[Principal, Depends(MANAGER_ACCESS)]


class Login(BaseModel, frozen=True):
    position: str


class Pause(BaseModel, frozen=True):
    reason: PauseReason = PauseReason.BREAK


class Extend(BaseModel, frozen=True):
    seconds: float = Field(default=60.0, gt=0, le=1800)


class Transfer(BaseModel, frozen=True):
    extension: str = Field(pattern=r"^[0-9]{2,8}$")


class Topics(BaseModel, frozen=True):
    topics: list[str]


class Calamity(BaseModel, frozen=True):
    text: str = Field(min_length=3, max_length=600)


class TopicMenu(BaseModel, frozen=True):
    enabled: bool


def create_control_app(service: ControllerService) -> FastAPI:
    app = FastAPI(title="KCC 14023 controller", docs_url=None, redoc_url=None, openapi_url=None)
    install_authenticator(app, Authenticator(service.site.access))
    controller = service.controller

    def apply(event: object) -> dict[str, Any]:
        refused = controller.command(event)
        if refused is not None:
            raise HTTPException(status_code=409, detail=refused)
        return {"ok": True}

    @app.get("/api/acd/state")
    async def state(_: AgentUser) -> dict[str, Any]:
        return state_view(controller)

    @app.post("/api/agents/{agent_id}/login")
    async def login(agent_id: str, body: Login, _: AgentUser) -> dict[str, Any]:
        return apply(
            ev.AgentLogin(agent_id=agent_id, position_id=body.position, at=controller.now())
        )

    @app.post("/api/agents/{agent_id}/logout")
    async def logout(agent_id: str, _: AgentUser) -> dict[str, Any]:
        return apply(ev.AgentLogout(agent_id=agent_id, at=controller.now()))

    @app.post("/api/agents/{agent_id}/pause")
    async def pause(agent_id: str, body: Pause, _: AgentUser) -> dict[str, Any]:
        return apply(ev.AgentPause(agent_id=agent_id, reason=body.reason, at=controller.now()))

    @app.post("/api/agents/{agent_id}/available")
    async def available(agent_id: str, _: AgentUser) -> dict[str, Any]:
        return apply(ev.AgentUnpause(agent_id=agent_id, at=controller.now()))

    @app.post("/api/agents/{agent_id}/after-call-work/end")
    async def end_acw(agent_id: str, _: AgentUser) -> dict[str, Any]:
        return apply(ev.AgentEndAcw(agent_id=agent_id, at=controller.now()))

    @app.post("/api/agents/{agent_id}/after-call-work/extend")
    async def extend_acw(agent_id: str, body: Extend, _: AgentUser) -> dict[str, Any]:
        return apply(
            ev.AgentExtendAcw(agent_id=agent_id, seconds=body.seconds, at=controller.now())
        )

    @app.post("/api/agents/{agent_id}/transfer")
    async def transfer(agent_id: str, body: Transfer, _: AgentUser) -> dict[str, Any]:
        """Warm transfer: consult ``extension``; hanging up completes, ``*1`` aborts."""
        refused = await controller.start_transfer(agent_id, body.extension)
        if refused is not None:
            raise HTTPException(status_code=409, detail=refused)
        return {"ok": True}

    @app.put("/api/agents/{agent_id}/topics")
    async def topics(agent_id: str, body: Topics, _: ManagerUser) -> dict[str, Any]:
        known = {t.id for t in service.site.topics}
        unknown = sorted(set(body.topics) - known)
        if unknown:
            raise HTTPException(422, f"unknown topics {unknown}; known: {sorted(known)}")
        event = ev.AgentSetTopics(
            agent_id=agent_id, topics=frozenset(body.topics), at=controller.now()
        )
        return apply(event)

    @app.post("/api/positions/{position_id}/open")
    async def open_position(position_id: str, _: ManagerUser) -> dict[str, Any]:
        return apply(ev.PositionOpen(position_id=position_id, at=controller.now()))

    @app.post("/api/positions/{position_id}/close")
    async def close_position(position_id: str, _: ManagerUser) -> dict[str, Any]:
        return apply(ev.PositionClose(position_id=position_id, at=controller.now()))

    @app.put("/api/ivr/calamity")
    async def calamity_on(body: Calamity, _: ManagerUser) -> dict[str, Any]:
        prompt = await asyncio.to_thread(service.prompts.render_live, body.text.strip())
        service.settings.calamity_text, service.settings.calamity_prompt = body.text, prompt
        return {"ok": True, "prompt": prompt}

    @app.delete("/api/ivr/calamity")
    async def calamity_off(_: ManagerUser) -> dict[str, Any]:
        service.settings.calamity_text = service.settings.calamity_prompt = None
        return {"ok": True}

    @app.put("/api/ivr/topic-menu")
    async def topic_menu(body: TopicMenu, _: ManagerUser) -> dict[str, Any]:
        service.settings.topic_menu_enabled = body.enabled
        return {"ok": True, "enabled": body.enabled}

    @app.get("/api/ivr/settings")
    async def ivr_settings(_: AgentUser) -> dict[str, Any]:
        s = service.settings
        return {"calamity": s.calamity_text, "topic_menu_enabled": s.topic_menu_enabled}

    return app


def state_view(controller: Controller) -> dict[str, object]:
    """Agents and waiting callers as JSON-able data, for the control API."""
    now = controller.now()
    return {
        "at": now.isoformat(),
        "agents": [
            {
                "agent_id": a.agent_id,
                "position_id": a.position_id,
                "state": a.state.value,
                "since": a.since.isoformat() if a.since else None,
                "pause_reason": a.pause_reason.value if a.pause_reason else None,
                "topics": sorted(a.topics),
                "call_id": a.call_id,
            }
            for a in controller.acd.agents()
        ],
        "waiting": [
            {
                "call_id": w.call_id,
                "topic": w.topic,
                "municipality": w.municipality,
                "waiting_s": round((now - w.queued_at).total_seconds(), 1),
                "offered_to": w.offered_to,
            }
            for w in controller.acd.waiting()
        ],
    }


class _QuietServer(uvicorn.Server):
    """uvicorn without its own signal handlers: the controller owns SIGINT/SIGTERM."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


async def serve_control_api(service: ControllerService, stop: asyncio.Event) -> None:
    svc = service.site.services
    config = uvicorn.Config(
        create_control_app(service),
        host=svc.bind_host,
        port=svc.control_port,
        lifespan="off",
        log_level="warning",
        server_header=False,
        proxy_headers=False,
    )
    server = _QuietServer(config)

    async def stop_when_asked() -> None:
        await stop.wait()
        server.should_exit = True

    watcher = asyncio.create_task(stop_when_asked())
    try:
        await server.serve()
    finally:
        watcher.cancel()
