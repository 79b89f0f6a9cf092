"""Warm transfer over HTTP: ``POST /api/agents/{id}/transfer`` with the extension, then
``.../transfer/complete`` or ``.../transfer/cancel``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request
from pydantic import BaseModel, Field

from acd.transfer.service import WarmTransfer
from acd.web import AgentTrail


def _warm_transfer(request: Request) -> WarmTransfer:
    service: WarmTransfer = request.app.state.warm_transfer
    return service


Transfers = Annotated[WarmTransfer, Depends(_warm_transfer)]


class Transfer(BaseModel, frozen=True):
    extension: str = Field(pattern=r"^[0-9]{2,8}$")


async def transfer(
    agent_id: str, body: Transfer, transfers: Transfers, trail: AgentTrail
) -> dict[str, Any]:
    """Warm transfer: consult ``extension``; hanging up completes, ``*1`` aborts."""
    refused = await transfers.start(agent_id, body.extension)
    return trail.answer("transfer", refused, agent_id=agent_id, detail={"to": body.extension})


async def complete(agent_id: str, transfers: Transfers, trail: AgentTrail) -> dict[str, Any]:
    """Hand the caller over to the colleague being consulted (as the agent hanging up)."""
    refused = await transfers.complete(agent_id)
    return trail.answer("transfer/complete", refused, agent_id=agent_id)


async def cancel(agent_id: str, transfers: Transfers, trail: AgentTrail) -> dict[str, Any]:
    """Give the consult up and take the caller back (as ``*1`` on the phone)."""
    refused = await transfers.cancel(agent_id)
    return trail.answer("transfer/cancel", refused, agent_id=agent_id)


def add_routes(app: FastAPI, service: WarmTransfer) -> None:
    """Put these routes on the app itself (``app.routes`` then lists each one), over
    ``service``."""
    app.state.warm_transfer = service
    app.add_api_route("/api/agents/{agent_id}/transfer", transfer, methods=["POST"])
    app.add_api_route("/api/agents/{agent_id}/transfer/complete", complete, methods=["POST"])
    app.add_api_route("/api/agents/{agent_id}/transfer/cancel", cancel, methods=["POST"])
