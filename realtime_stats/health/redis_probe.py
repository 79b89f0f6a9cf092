"""Is Redis there? `RedisProbe`, the one place that asks it (PING, with a timeout).

The health page and ``/metrics`` both report its answer; the app's lifespan opens and
closes it. Without a configured Redis it answers "not configured", never "unreachable".
"""

from __future__ import annotations

import asyncio
import enum
from types import TracebackType
from typing import Self

from redis.asyncio import Redis
from redis.exceptions import RedisError


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
