"""Camp-on over HTTP: ``POST /api/agents/{id}/camp-on`` with the colleague's extension."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request
from pydantic import BaseModel, Field

from acd.campon.service import CampOnRequests
from acd.web import AgentTrail


def _requests(request: Request) -> CampOnRequests:
    service: CampOnRequests = request.app.state.camp_on
    return service


Requests = Annotated[CampOnRequests, Depends(_requests)]


class CampOnBody(BaseModel, frozen=True):
    extension: str = Field(pattern=r"^[0-9]{2,8}$")


async def camp_on(
    agent_id: str, body: CampOnBody, requests: Requests, trail: AgentTrail
) -> dict[str, Any]:
    """Let the caller wait for ``extension``, in a call: 409 names why not (a free line
    is for the warm transfer)."""
    refused = await requests.start(agent_id, body.extension)
    return trail.answer("camp-on", refused, agent_id=agent_id, detail={"to": body.extension})


def add_routes(app: FastAPI, service: CampOnRequests) -> None:
    """Put the route on the app itself, over ``service``."""
    app.state.camp_on = service
    app.add_api_route("/api/agents/{agent_id}/camp-on", camp_on, methods=["POST"])
