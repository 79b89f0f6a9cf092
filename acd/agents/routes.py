"""Agents over HTTP: log in at a position, log out, pause, available, after-call work.

A refused change answers 409 with the reason (``"agent 1001 is talking: ..."``). An
agent's own login acts only on that agent (``acd.web.AgentTrail``); every action, done,
refused or forbidden, goes into the audit log.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request
from pydantic import BaseModel, Field

from acd.core import PauseReason
from acd.core import inputs as ev
from acd.queue.service import QueueService
from acd.web import AgentTrail


def _agent_commands(request: Request) -> QueueService:
    service: QueueService = request.app.state.agent_commands
    return service


Commands = Annotated[QueueService, Depends(_agent_commands)]


class Login(BaseModel, frozen=True):
    position: str = Field(min_length=1)  # "" is no position: 422, not the core's ValueError


class Pause(BaseModel, frozen=True):
    reason: PauseReason = PauseReason.BREAK


class Extend(BaseModel, frozen=True):
    seconds: float = Field(default=60.0, gt=0, le=1800)


async def login(agent_id: str, body: Login, queue: Commands, trail: AgentTrail) -> dict[str, Any]:
    at = queue.clock.now()
    refused = queue.command(ev.AgentLogin(agent_id=agent_id, position_id=body.position, at=at))
    return trail.answer("login", refused, agent_id=agent_id, detail={"position": body.position})


async def logout(agent_id: str, queue: Commands, trail: AgentTrail) -> dict[str, Any]:
    refused = queue.command(ev.AgentLogout(agent_id=agent_id, at=queue.clock.now()))
    return trail.answer("logout", refused, agent_id=agent_id)


async def pause(agent_id: str, body: Pause, queue: Commands, trail: AgentTrail) -> dict[str, Any]:
    at = queue.clock.now()
    refused = queue.command(ev.AgentPause(agent_id=agent_id, reason=body.reason, at=at))
    return trail.answer("pause", refused, agent_id=agent_id, detail={"reason": body.reason})


async def available(agent_id: str, queue: Commands, trail: AgentTrail) -> dict[str, Any]:
    refused = queue.command(ev.AgentUnpause(agent_id=agent_id, at=queue.clock.now()))
    return trail.answer("available", refused, agent_id=agent_id)


async def end_acw(agent_id: str, queue: Commands, trail: AgentTrail) -> dict[str, Any]:
    refused = queue.command(ev.AgentEndAcw(agent_id=agent_id, at=queue.clock.now()))
    return trail.answer("after-call-work/end", refused, agent_id=agent_id)


async def extend_acw(
    agent_id: str, body: Extend, queue: Commands, trail: AgentTrail
) -> dict[str, Any]:
    at = queue.clock.now()
    event = ev.AgentExtendAcw(agent_id=agent_id, seconds=body.seconds, at=at)
    refused = queue.command(event)
    detail = {"seconds": body.seconds}
    return trail.answer("after-call-work/extend", refused, agent_id=agent_id, detail=detail)


def add_routes(app: FastAPI, service: QueueService) -> None:
    """Put these routes on the app itself (``app.routes`` then lists each one), over
    ``service``."""
    app.state.agent_commands = service
    base = "/api/agents/{agent_id}"
    app.add_api_route(f"{base}/login", login, methods=["POST"])
    app.add_api_route(f"{base}/logout", logout, methods=["POST"])
    app.add_api_route(f"{base}/pause", pause, methods=["POST"])
    app.add_api_route(f"{base}/available", available, methods=["POST"])
    app.add_api_route(f"{base}/after-call-work/end", end_acw, methods=["POST"])
    app.add_api_route(f"{base}/after-call-work/extend", extend_acw, methods=["POST"])
