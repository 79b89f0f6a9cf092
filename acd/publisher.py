"""Events out: every state change to the Redis Stream of docs/events.md.

Entries are the contract's encoding (``contract.encode``). The controller never waits
for Redis. ``publish`` puts the event in a bounded in-memory backlog and returns; one
task drains the backlog in order with XADD. When Redis is unreachable the backlog keeps
the events (and keeps their order) until it is back, so a Redis restart loses nothing.
Only if the backlog is full (`max_backlog`, hours of traffic) is the oldest event
dropped, counted and logged - losing a statistic is better than the controller running
out of memory while callers wait.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from contract import EventSink, StreamEvent, encode

STREAM_MAXLEN = 1_000_000

log = logging.getLogger(__name__)


class EventPublisher:
    """The controller's ``EventSink``: ordered, non-blocking XADD, surviving Redis outages."""

    def __init__(
        self,
        redis_url: str,
        *,
        stream: str = "kcc:events",
        max_backlog: int = 200_000,
        redis: aioredis.Redis | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        """``redis`` and ``sleep`` are seams for tests: a ready client instead of one for
        ``redis_url``, and the sleep between two attempts while Redis is unreachable."""
        if redis is None:
            redis = aioredis.from_url(redis_url, socket_timeout=5, socket_connect_timeout=2)
        self._redis = redis
        self._sleep = sleep
        self.stream = stream
        self._backlog: deque[dict[str, str]] = deque()
        self._max_backlog = max_backlog
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()
        self.published = 0
        self.dropped = 0
        self._in_flight = 0  # entries at the front of the backlog being written now

    def publish(self, event: StreamEvent) -> None:
        if len(self._backlog) - self._in_flight >= self._max_backlog:
            self._drop_oldest_unsent()
        self._backlog.append(encode(event))
        self._idle.clear()
        self._wake.set()

    def _drop_oldest_unsent(self) -> None:
        # The first ``_in_flight`` entries are being written right now and leave the
        # backlog when that succeeds (they do not count against the bound, which they
        # exceed by one batch at most): the oldest one after them is the one to lose.
        del self._backlog[self._in_flight]
        self.dropped += 1
        log.error("event backlog full (%d): dropped the oldest event", self._max_backlog)

    @property
    def backlog(self) -> int:
        return len(self._backlog)

    async def drained(self) -> None:
        """Returns once every event published so far is in Redis."""
        await self._idle.wait()

    async def run(self) -> None:
        """Drain the backlog for ever; cancel to stop (after ``drained`` to lose nothing)."""
        delay = 0.2
        try:
            while True:
                await self._wake.wait()
                self._wake.clear()
                try:
                    await self._drain()
                    delay = 0.2
                except (RedisError, OSError) as exc:
                    log.warning("Redis unreachable (%s); %d events kept", exc, self.backlog)
                    await self._sleep(delay)
                    delay = min(delay * 2, 10.0)
                    self._wake.set()
        finally:
            await self._redis.aclose()

    async def _drain(self) -> None:
        while self._backlog:
            batch = [self._backlog[i] for i in range(min(len(self._backlog), 200))]
            self._in_flight = len(batch)
            try:
                async with self._redis.pipeline(transaction=False) as pipe:
                    for entry in batch:
                        pipe.xadd(self.stream, entry, maxlen=STREAM_MAXLEN, approximate=True)  # type: ignore[arg-type]
                    await pipe.execute()
            finally:
                self._in_flight = 0
            for _ in batch:
                self._backlog.popleft()
            self.published += len(batch)
        self._idle.set()


def _is_a_sink(publisher: EventPublisher) -> EventSink:
    return publisher  # mypy checks the publisher against the interface
