"""Routes any logged-in user may call: is the service healthy, and who am I?

Also holds :class:`RedisProbe`, the one place that asks Redis whether it is there;
health and ``/metrics`` both report its answer.
"""

from __future__ import annotations

import asyncio
import enum
from collections.abc import Callable
from types import TracebackType
from typing import Annotated, Self

from fastapi import Depends, FastAPI
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from redis.asyncio import Redis
from redis.exceptions import RedisError

from http_access.auth import Principal, require
from site_config.access import Role

# Every user role; admin would pass anyway. Display tokens are not let in: a wall
# screen may only read the wallboard.
ANY_USER = tuple(Role)
# Module-level, not local: with postponed annotations FastAPI resolves the names in
# Annotated[..., Depends(...)] from the module's globals.
ANY_USER_ACCESS = require(*ANY_USER)


class RedisStatus(enum.StrEnum):
    NOT_CONFIGURED = "not configured"
    OK = "ok"
    UNREACHABLE = "unreachable"


class RedisProbe:
    """Answers "does Redis answer PING?"; the app's lifespan opens and closes it."""

    def __init__(self, url: str | None, *, timeout_s: float = 1.0) -> None:
        self._url, self._timeout_s = url, timeout_s
        self._client: Redis | None = None

    async def __aenter__(self) -> Self:
        if self._url is not None:
            self._client = Redis.from_url(
                self._url,
                socket_connect_timeout=self._timeout_s,
                socket_timeout=self._timeout_s,
            )
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        client, self._client = self._client, None
        if client is not None:
            await client.aclose()

    async def status(self) -> RedisStatus:
        if self._url is None:
            return RedisStatus.NOT_CONFIGURED
        if self._client is None:
            raise RuntimeError("RedisProbe is not open: the app's lifespan did not run")
        try:
            async with asyncio.timeout(self._timeout_s * 2):
                answered = await self._client.ping()
        except (RedisError, OSError, TimeoutError):
            return RedisStatus.UNREACHABLE
        return RedisStatus.OK if answered else RedisStatus.UNREACHABLE


class EventsHealth(BaseModel, frozen=True):
    """How far the controller's event stream has been followed and stored."""

    connected: bool
    caught_up: bool  # the stream was read to its end at least once since start
    stored_through: str  # stream id up to which records are durable ("" none yet)
    last_error: str | None


class HealthReport(BaseModel, frozen=True):
    status: str  # "ok", or "degraded" when a configured dependency does not answer
    redis: RedisStatus
    events: EventsHealth | None = None  # None: this service follows no stream


class WhoAmI(BaseModel, frozen=True):
    name: str
    kind: str  # "user" or "display"
    role: str | None


def add_routes(
    app: FastAPI, redis: RedisProbe, events: Callable[[], EventsHealth | None] = lambda: None
) -> None:
    """``/api/health`` and ``/api/whoami`` for any logged-in user."""

    @app.get("/api/health", response_model=HealthReport)
    async def health(_: Annotated[Principal, Depends(ANY_USER_ACCESS)]) -> JSONResponse:
        redis_status = await redis.status()
        degraded = redis_status is RedisStatus.UNREACHABLE
        report = HealthReport(
            status="degraded" if degraded else "ok", redis=redis_status, events=events()
        )
        body = report.model_dump(mode="json", exclude={"events"} if report.events is None else None)
        return JSONResponse(body, status_code=503 if degraded else 200)

    @app.get("/api/whoami")
    async def whoami(who: Annotated[Principal, Depends(ANY_USER_ACCESS)]) -> WhoAmI:
        return WhoAmI(name=who.name, kind=who.kind.value, role=who.role.value if who.role else None)
