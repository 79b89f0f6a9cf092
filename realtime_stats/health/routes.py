"""Routes any logged-in user may call: is the service healthy, and who am I?

Thin routes over `HealthService` (``realtime_stats.health.service``), which
:func:`add_routes` puts on the app for them to find.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from http_access.auth import Principal, require
from realtime_stats.health.service import HealthReport, HealthService
from site_config.access import Role

# Every role of a person; admin would pass anyway. Display tokens are not let in: a
# wall screen may only read the wallboard. Nor is the metrics login: it reads /metrics only.
ANY_USER = tuple(role for role in Role if role is not Role.METRICS)
# Module-level, not local: with postponed annotations FastAPI resolves the names in
# Annotated[..., Depends(...)] from the module's globals.
ANY_USER_ACCESS = require(*ANY_USER)
AnyUser = Annotated[Principal, Depends(ANY_USER_ACCESS)]


def _health(request: Request) -> HealthService:
    health: HealthService = request.app.state.health
    return health


Health = Annotated[HealthService, Depends(_health)]


class WhoAmI(BaseModel, frozen=True):
    name: str
    kind: str  # "user" or "display"
    role: str | None


async def health(_: AnyUser, service: Health) -> JSONResponse:
    report = await service.report()
    body = report.model_dump(mode="json", exclude={"events"} if report.events is None else None)
    return JSONResponse(body, status_code=503 if report.degraded else 200)


async def whoami(who: AnyUser) -> WhoAmI:
    return WhoAmI(name=who.name, kind=who.kind.value, role=who.role.value if who.role else None)


def add_routes(app: FastAPI, service: HealthService) -> None:
    """``/api/health`` and ``/api/whoami`` for any logged-in user."""
    app.state.health = service
    app.get("/api/health", response_model=HealthReport)(health)
    app.get("/api/whoami")(whoami)
