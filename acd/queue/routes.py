"""The floor over HTTP: agents and waiting callers, the peak position, agents' topics."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Request
from pydantic import BaseModel, Field

from acd.audit import Outcome
from acd.core import inputs as ev
from acd.queue.service import QueueService
from acd.web import AgentUser, ManagerTrail


def _queue_service(request: Request) -> QueueService:
    service: QueueService = request.app.state.queue
    return service


Queue = Annotated[QueueService, Depends(_queue_service)]


class Topics(BaseModel, frozen=True):
    topics: list[str] = Field(min_length=1)  # an agent with no topic could take no call


async def state(queue: Queue, _: AgentUser) -> dict[str, Any]:
    """Agents and waiting callers as they are now."""
    return state_view(queue)


async def open_position(position_id: str, queue: Queue, trail: ManagerTrail) -> dict[str, Any]:
    refused = queue.command(ev.PositionOpen(position_id=position_id, at=queue.clock.now()))
    return trail.answer("position-open", refused, detail={"position": position_id})


async def close_position(position_id: str, queue: Queue, trail: ManagerTrail) -> dict[str, Any]:
    refused = queue.command(ev.PositionClose(position_id=position_id, at=queue.clock.now()))
    return trail.answer("position-close", refused, detail={"position": position_id})


async def set_topics(
    agent_id: str, body: Topics, queue: Queue, trail: ManagerTrail
) -> dict[str, Any]:
    known = queue.topic_ids()
    unknown = sorted(set(body.topics) - known)
    detail = {"topics": ",".join(body.topics)}
    if unknown:
        why = f"unknown topics {unknown}; known: {sorted(known)}"
        trail.record("topics", Outcome.REFUSED, agent_id=agent_id, reason=why, detail=detail)
        raise HTTPException(422, why)
    event = ev.AgentSetTopics(
        agent_id=agent_id, topics=frozenset(body.topics), at=queue.clock.now()
    )
    return trail.answer("topics", queue.command(event), agent_id=agent_id, detail=detail)


def add_routes(app: FastAPI, service: QueueService) -> None:
    """Put these routes on the app itself (``app.routes`` then lists each one), over
    ``service``."""
    app.state.queue = service
    app.add_api_route("/api/acd/state", state, methods=["GET"])
    app.add_api_route("/api/positions/{position_id}/open", open_position, methods=["POST"])
    app.add_api_route("/api/positions/{position_id}/close", close_position, methods=["POST"])
    app.add_api_route("/api/agents/{agent_id}/topics", set_topics, methods=["PUT"])


def state_view(queue: QueueService) -> dict[str, object]:
    """Agents and waiting callers as JSON-able data."""
    now = queue.clock.now()
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
            for a in queue.agents()
        ],
        "waiting": [
            {
                "call_id": w.call_id,
                "topic": w.topic,
                "municipality": w.municipality,
                "waiting_s": round((now - w.queued_at).total_seconds(), 1),
                "offered_to": w.offered_to,
            }
            for w in queue.waiting()
        ],
    }
