"""Events out: every state change to the Redis Stream of docs/events.md.

Entries are the contract's encoding (``contract.encode``), stamped with this run's
``origin`` and a ``seq`` counting from 1 (``contract.codec.stamp``) so a reader can skip
an entry written twice. The controller never waits for Redis. ``publish`` appends the
entry to the spool (``acd.publisher.spool``, a SQLite file in the controller's state
folder) and returns; one task drains the spool in order with XADD and deletes what Redis
acknowledged. When Redis is unreachable the spool keeps the events (and their order)
until it is back; a crash, or a stop while Redis is down, keeps them for the next start,
which sends them first. A batch that fails part-way is sent again whole: the stamps let
the reader count each event once.

Only if the spool is full (``max_bytes`` on disk, days of traffic) is an event refused:
counted in ``dropped``, with one ERROR when the spool fills and one WARNING when it has
room again, not one per event - losing a statistic is better than the controller
filling its disk while callers wait.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from acd.publisher.spool import EventSpool, SpoolError
from contract import EventSink, StreamEvent, encode
from contract.codec import Stamp, stamp

STREAM_MAXLEN = 1_000_000
BATCH = 200  # entries per pipeline

log = logging.getLogger(__name__)


class EventPublisher:
    """The controller's ``EventSink``: ordered, non-blocking XADD, surviving Redis outages
    and restarts through its spool."""

    def __init__(
        self,
        redis_url: str,
        *,
        stream: str = "kcc:events",
        spool: EventSpool | None = None,
        origin: str | None = None,
        redis: aioredis.Redis | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        """``spool``: where unsent events wait (in memory if None: nothing survives a
        crash, for tests and tools). ``origin``: this run's id (a new random one if
        None). ``redis`` and ``sleep`` are seams for tests: a ready client instead of
        one for ``redis_url``, and the sleep between two attempts while Redis is
        unreachable."""
        if redis is None:
            redis = aioredis.from_url(redis_url, socket_timeout=5, socket_connect_timeout=2)
        self._redis = redis
        self._sleep = sleep
        self.stream = stream
        self.spool = spool or EventSpool.in_memory()
        self.origin = origin or uuid.uuid4().hex[:16]
        self._seq = 0
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        self._full = False  # in a spool-full episode: alarmed once, until there is room
        self.published = 0
        self.dropped = 0
        if self.spool.depth:
            depth, where = self.spool.depth, self.spool.where
            log.info("%d events left in %s from before: sending them first", depth, where)
            self._wake.set()
        else:
            self._idle.set()

    def publish(self, event: StreamEvent) -> None:
        self._seq += 1
        entry = stamp(encode(event), Stamp(self.origin, self._seq))
        try:
            kept, why = self.spool.append(entry), "full"
        except SpoolError as exc:  # the disk is full or failing
            kept, why = False, str(exc)
        if not kept:
            self._drop(why)
            return
        if self._full:
            self._full = False
            where, dropped = self.spool.where, self.dropped
            log.warning(
                "event spool %s has room again; %d events dropped since start", where, dropped
            )
        self._idle.clear()
        self._wake.set()

    def _drop(self, why: str) -> None:
        self.dropped += 1
        if not self._full:
            self._full = True
            log.error(
                "event spool %s cannot keep events (%s; %d bytes, %d events kept): new "
                "events are dropped (counted in kcc_controller_events_dropped_total) until "
                "it has room again",
                self.spool.where,
                why,
                self.spool.bytes,
                self.spool.depth,
            )

    @property
    def backlog(self) -> int:
        """Events in the spool, not yet acknowledged by Redis."""
        return self.spool.depth

    @property
    def spool_bytes(self) -> int:
        return self.spool.bytes

    async def drained(self) -> None:
        """Returns once every event published so far is in Redis."""
        await self._idle.wait()

    async def run(self) -> None:
        """Drain the spool for ever; cancel to stop. What Redis has not acknowledged
        stays in the spool for the next start."""
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
            if self.spool.depth:
                depth, where = self.spool.depth, self.spool.where
                log.warning("stopping with %d events kept in %s for the next start", depth, where)

    async def _drain(self) -> None:
        while batch := self.spool.head(BATCH):
            # Not transactional: a batch that fails part-way is sent again whole, and
            # the reader skips the entries it has by their stamp.
            async with self._redis.pipeline(transaction=False) as pipe:
                for _row, entry in batch:
                    pipe.xadd(self.stream, entry, maxlen=STREAM_MAXLEN, approximate=True)  # type: ignore[arg-type]
                await pipe.execute()
            self.spool.remove_through(batch[-1][0])
            self.published += len(batch)
        self._idle.set()


def _is_a_sink(publisher: EventPublisher) -> EventSink:
    return publisher  # mypy checks the publisher against the interface
