"""What every room's HTTP routes share: who may call them, and how a refusal answers.

The control API is served by the controller (the state it changes lives there) behind
the stats service's authentication. Each room's ``routes.py`` holds small module-level
endpoint functions and an ``add_routes(app, service)`` that the composition root
(``acd.controller``) calls: the room's service goes on ``app.state`` and its endpoints
get it through a typed dependency, as in the stats service's rooms.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, HTTPException

from http_access.auth import Principal, require
from site_config.access import Role

AGENT_ACCESS = require(Role.AGENT, Role.FLOOR_MANAGER, Role.TEAM_LEAD)
MANAGER_ACCESS = require(Role.FLOOR_MANAGER, Role.TEAM_LEAD)
# Module level: with postponed annotations FastAPI resolves these names globally.
AgentUser = Annotated[Principal, Depends(AGENT_ACCESS)]
ManagerUser = Annotated[Principal, Depends(MANAGER_ACCESS)]

OK: dict[str, Any] = {"ok": True}


def answer(refused: str | None) -> dict[str, Any]:
    """``{"ok": true}``, or 409 with the reason the change was refused."""
    if refused is not None:
        raise HTTPException(status_code=409, detail=refused)
    return dict(OK)
