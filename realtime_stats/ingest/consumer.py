"""Events in: the controller's Redis Stream, folded into live records, stored, announced.

Theory of operation: `EventConsumer.run` first rebuilds the fold from the store (the
records of today, the calls still live and the stream position they reach), then reads
the stream from that position with `XREAD BLOCK`. Each batch of entries is read into
typed events (`realtime_stats.ingest.entries`) and folded; the records it changed are
written with the new position in one transaction (in a thread: the store is
synchronous), and only then are subscribers told. So a restart, a Redis outage or a
failed write never loses or double-counts an event: the stream is re-read from the
stored position and the fold skips what it has already applied.

Redis going away is retried with a capped exponential back-off, keeping the position in
memory; a store write that fails is retried the same way before anything else is read.
A malformed entry is logged with its stream id and what is wrong, counted, and passed.
At every (re)connect the consumer asks Redis whether the stream trimmed entries it had
not read yet (`realtime_stats.ingest.gap`); such a gap is logged as an ERROR and kept in
the status for the health page and ``kcc_stats_event_gap``, until the service restarts.
Subscribers (`realtime_stats.ingest.subscription`) get `Changes` merged since they last
looked, so a slow wallboard never holds the consumer up.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import Any, Protocol, TypeVar

import redis.asyncio as aioredis
from redis.exceptions import RedisError, ResponseError

from realtime_stats.figures.periods import default_zone, local_day
from realtime_stats.ingest.changes import Changes
from realtime_stats.ingest.entries import read_entry
from realtime_stats.ingest.fold import EventFold
from realtime_stats.ingest.gap import StreamGap, find_gap
from realtime_stats.ingest.subscription import Subscription
from realtime_stats.store import FoldSnapshot, SaveBatch, StoreError, StreamId

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True, slots=True, kw_only=True)
class ConsumerSettings:
    redis_url: str
    stream: str = "kcc:events"
    batch: int = 500  # entries per XREAD
    block_ms: int = 1000  # how long one XREAD waits for new entries
    backoff_initial_s: float = 0.1
    backoff_max_s: float = 5.0


@dataclass(frozen=True, slots=True, kw_only=True)
class ConsumerStatus:
    """For the health page: is the stream being followed, and how far."""

    connected: bool
    caught_up: bool  # the stream has been read to its end at least once since start
    position: StreamId | None  # stored: records up to here are durable
    last_error: str | None
    gap: StreamGap | None = None  # the last gap found since start: events lost unread
    gaps: int = 0  # how many gaps were found since start


class RecordStore(Protocol):
    """What the consumer needs of `realtime_stats.store.Store` (which raises StoreError)."""

    def snapshot(self, since: datetime) -> FoldSnapshot: ...

    def write(self, batch: SaveBatch) -> None: ...


class StreamReader(Protocol):
    """The Redis calls the consumer makes; `redis.asyncio.Redis` is one."""

    def xread(
        self, streams: dict[Any, Any], count: int | None = None, block: int | None = None
    ) -> Awaitable[Any]: ...

    def xinfo_stream(self, name: Any, full: bool = False) -> Awaitable[Any]: ...

    async def aclose(self) -> None: ...


def redis_reader(settings: ConsumerSettings) -> StreamReader:
    # The socket must outlast a blocking XREAD, or every quiet second looks like an outage.
    timeout = settings.block_ms / 1000 + 5
    return aioredis.Redis.from_url(
        settings.redis_url, socket_timeout=timeout, socket_connect_timeout=2
    )


def local_day_start(now: datetime) -> datetime:
    """Start (UTC) of the Europe/Amsterdam day holding `now`: the fold keeps one day."""
    return local_day(now.astimezone(default_zone()).date()).start


def _utc_now() -> datetime:
    return datetime.now(UTC)


class Backoff:
    """Capped exponential delays: initial, 2x, 4x ... up to `cap`; `reset` starts over."""

    def __init__(self, initial_s: float, cap_s: float) -> None:
        self._initial, self._cap = initial_s, cap_s
        self._next = initial_s

    def next(self) -> float:
        delay, self._next = self._next, min(self._next * 2, self._cap)
        return delay

    def reset(self) -> None:
        self._next = self._initial


class EventConsumer:
    """Follows the event stream for one stats service; see the module docstring."""

    def __init__(
        self,
        settings: ConsumerSettings,
        store: RecordStore,
        *,
        fold: EventFold | None = None,
        day_start: Callable[[datetime], datetime] = local_day_start,
        clock: Callable[[], datetime] = _utc_now,
        connect: Callable[[ConsumerSettings], StreamReader] = redis_reader,
    ) -> None:
        self._settings, self._store, self._connect = settings, store, connect
        self.fold = fold or EventFold()
        self._day_start, self._clock = day_start, clock
        self._day: datetime | None = None
        self._subscriptions: set[Subscription] = set()
        self._connected = False
        self._caught_up = asyncio.Event()
        self._last_error: str | None = None
        self._problems_seen = 0
        self._stored: StreamId | None = None
        self._written = asyncio.Condition()  # notified after every store write
        self._gap: StreamGap | None = None
        self._gaps = 0

    @property
    def status(self) -> ConsumerStatus:
        return ConsumerStatus(
            connected=self._connected,
            caught_up=self._caught_up.is_set(),
            position=self._stored,
            last_error=self._last_error,
            gap=self._gap,
            gaps=self._gaps,
        )

    def subscribe(self) -> Subscription:
        """Changes from now on; use as `async with consumer.subscribe() as changes:`."""
        return Subscription(self._subscriptions)

    async def wait_changed(self) -> Changes:
        async with self.subscribe() as changes:
            return await anext(changes)

    async def stored_through(self, stream_id: StreamId) -> None:
        """Returns once every entry up to ``stream_id`` is in the store."""
        async with self._written:
            await self._written.wait_for(
                lambda: self._stored is not None and self._stored >= stream_id
            )

    async def caught_up(self) -> None:
        """Returns once the stream has been read to its end (the replay at start is done)."""
        await self._caught_up.wait()

    async def run(self) -> None:
        """Restore, then follow the stream for ever; cancel to stop. Run it once."""
        await self._restore()
        backoff = self._backoff()
        while True:
            _stop_if_cancelled()
            client = self._connect(self._settings)
            try:
                await self._follow(client, on_read=backoff.reset)
            except (RedisError, OSError) as exc:
                self._connected = False
                self._last_error = f"Redis: {exc}"
                delay = backoff.next()
                log.warning("event stream unreachable (%s); retrying in %.1f s", exc, delay)
                await asyncio.sleep(delay)
            finally:
                await client.aclose()

    def _backoff(self) -> Backoff:
        return Backoff(self._settings.backoff_initial_s, self._settings.backoff_max_s)

    async def _restore(self) -> None:
        self._day = day = self._day_start(self._clock())
        snapshot = await self._retry_store(partial(self._store.snapshot, day))
        self.fold.restore(snapshot)
        self._stored = snapshot.last_stream_id
        log.info(
            "restored %d calls, %d IVR calls, %d agent intervals, %d callback notes up to "
            "stream id %s",
            *(len(snapshot.calls), len(snapshot.ivr_calls), len(snapshot.intervals)),
            len(snapshot.notes),
            snapshot.last_stream_id,
        )

    async def _follow(self, client: StreamReader, *, on_read: Callable[[], None]) -> None:
        settings = self._settings
        await self._check_gap(client)
        while True:
            position = self.fold.last_stream_id or StreamId(0, 0)
            reply = await client.xread(
                {settings.stream: str(position)}, count=settings.batch, block=settings.block_ms
            )
            _stop_if_cancelled()
            on_read()
            if not self._connected:
                log.info("following %s from %s", settings.stream, self.fold.last_stream_id)
            self._connected, self._last_error = True, None
            entries = _entries(reply)
            if entries:
                changes = self._fold_entries(entries)
                # Collected here, in the loop, so the thread never reads a fold in motion.
                batch = self.fold.collect(changes)
                # The wallboard hears of the change before the write, not after it: what
                # it shows is the fold's, in memory either way, and a write that fails is
                # retried before anything more is read (a crash re-reads from the stored
                # position and folds the same). Under load the write was on the board's
                # path for nothing.
                self._notify(changes)
                await self._retry_store(partial(self._store.write, batch))
                self._stored = batch.stream_id or self._stored
                async with self._written:
                    self._written.notify_all()
            if len(entries) < settings.batch:
                self._caught_up.set()
            self._roll_day()

    async def _check_gap(self, client: StreamReader) -> None:
        try:
            info = await client.xinfo_stream(self._settings.stream)
        except ResponseError:
            return  # no such stream yet: nothing was trimmed
        except (AttributeError, TypeError, ValueError) as exc:
            # redis-py could not parse the answer (a server that is no Redis 5+): the
            # stream can still be followed, only not checked.
            log.warning(
                "event stream %s: no gap check, XINFO STREAM: %r", self._settings.stream, exc
            )
            return
        gap = find_gap(info if isinstance(info, Mapping) else {}, self.fold.last_stream_id)
        if gap is not None and gap != self._gap:
            self._gap, self._gaps = gap, self._gaps + 1
            log.error("event stream %s: %s; figures miss them", self._settings.stream, gap)

    def _fold_entries(self, entries: Sequence[tuple[Any, Any]]) -> Changes:
        changes = Changes()
        for raw_id, fields in entries:
            changes |= self.fold.apply(read_entry(raw_id, fields or {}))
        self._log_new_problems()
        return changes

    def _log_new_problems(self) -> None:
        counts = self.fold.counts
        total = counts.unknown_version + counts.rejected + counts.unmatched + counts.malformed
        new, self._problems_seen = total - self._problems_seen, total
        for reason in self.fold.problems[-new:] if new > 0 else ():
            log.warning("stream entry skipped or only partly applied: %s", reason)

    async def _retry_store(self, work: Callable[[], T]) -> T:
        backoff = self._backoff()
        while True:
            _stop_if_cancelled()
            try:
                return await asyncio.to_thread(work)
            except StoreError as exc:
                self._last_error = f"store: {exc}"
                delay = backoff.next()
                log.error("store failed (%s); retrying in %.1f s", exc, delay)
                await asyncio.sleep(delay)

    def _notify(self, changes: Changes) -> None:
        for subscription in list(self._subscriptions):
            subscription.push(changes)

    def _roll_day(self) -> None:
        day = self._day_start(self._clock())
        if self._day is not None and day > self._day:
            self.fold.forget_before(day)
            log.info("new day from %s: finished records of the day before dropped", day)
        self._day = day


def _stop_if_cancelled() -> None:
    """Honour a cancel that a library swallowed. On Python 3.11 `asyncio.wait_for` returns
    the result instead of raising when a cancel meets a finished inner future, and
    redis-py sends every command through it: the consumer would never stop."""
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError


def _entries(reply: Any) -> list[tuple[Any, Any]]:
    """The entries of an XREAD reply: [[stream, [(id, fields), ...]]], or None."""
    return [entry for _stream, entries in reply or () for entry in entries]
