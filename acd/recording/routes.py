"""Recording over HTTP: ``POST /api/agents/{id}/recording`` with ``{"on": true|false}``.

The same as the phone's ``#3``: the agent (their own call only) or a team lead or floor
manager starts or stops a segment; each try is on the audit log as ``recording``.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request
from pydantic import BaseModel

from acd.recording.service import Recorder
from acd.web import AgentTrail


def _recorder(request: Request) -> Recorder:
    service: Recorder = request.app.state.recorder
    return service


Recorders = Annotated[Recorder, Depends(_recorder)]


class Switch(BaseModel, frozen=True, extra="forbid"):
    on: bool


async def record(
    agent_id: str, body: Switch, recorder: Recorders, trail: AgentTrail
) -> dict[str, Any]:
    """Start (``on``) or stop recording the agent's call."""
    refused = await (recorder.start(agent_id) if body.on else recorder.stop(agent_id))
    return trail.answer("recording", refused, agent_id=agent_id, detail={"on": body.on})


def add_routes(app: FastAPI, service: Recorder) -> None:
    """Put these routes on the app itself (``app.routes`` then lists each one), over
    ``service``."""
    app.state.recorder = service
    app.add_api_route("/api/agents/{agent_id}/recording", record, methods=["POST"])
