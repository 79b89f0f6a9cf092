"""The consumer on an in-memory stream: store, notify, resume, skip bad entries, retry.

`FakeStream` answers XREAD like Redis (entries after an id, at most `count`, waiting up to
`block` ms) and XINFO STREAM as Redis 7 does (`trim` drops the oldest entries and
raises its `max-deleted-entry-id`), and can be switched off to look like an outage. The
real redis-server runs in tests/integration/test_events_in.py.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, suppress
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError

from realtime_stats.ingest.changes import Changes
from realtime_stats.ingest.consumer import (
    Backoff,
    ConsumerSettings,
    EventConsumer,
    RecordStore,
)
from realtime_stats.store import FoldSnapshot, SaveBatch, Store, StoreError, StreamId, open_store
from tests.unit.realtime_stats.test_fold_script import T0, Script, folded, stream_fields

SETTINGS = ConsumerSettings(
    redis_url="redis://fake", batch=4, block_ms=20, backoff_initial_s=0.01, backoff_max_s=0.02
)


class FakeStream:
    def __init__(self) -> None:
        self.entries: list[tuple[bytes, dict[bytes, bytes]]] = []
        self.down = False
        self.connects = 0
        self.refusals = 0
        self.refused = asyncio.Event()
        self.positions: list[StreamId] = []  # where each XREAD started
        self.max_deleted = StreamId(0, 0)
        self._added = asyncio.Event()

    def add(self, sid: StreamId, fields: dict[str, str]) -> None:
        raw = {k.encode(): v.encode() for k, v in fields.items()}
        self.entries.append((str(sid).encode(), raw))
        self._added.set()

    def add_script(self, script: Script) -> None:
        for event in script.events:
            self.add(event.stream_id, stream_fields(event))

    def trim(self, through: StreamId) -> None:
        """Drop the entries up to ``through``, as ``XADD MAXLEN ~`` does: like Redis 7.0's,
        a trim leaves ``max-deleted-entry-id`` where it was (only ``XDEL`` moves it)."""
        self.entries = [e for e in self.entries if StreamId.parse(e[0].decode()) > through]

    def info(self) -> dict[bytes, Any]:
        self._refuse_if_down()
        if not self.entries and self.max_deleted == StreamId(0, 0):
            raise ResponseError("no such key")
        first = [self.entries[0][0], list(self.entries[0][1].items())] if self.entries else None
        return {
            b"length": len(self.entries),
            b"max-deleted-entry-id": str(self.max_deleted).encode(),
            b"first-entry": first,
        }

    def reader(self, settings: ConsumerSettings) -> FakeReader:
        self.connects += 1
        return FakeReader(self)

    def _refuse_if_down(self) -> None:
        if self.down:
            self.refusals += 1
            self.refused.set()
            raise RedisConnectionError("fake stream: connection refused")

    async def read(self, name: str, position: str, count: int, block: int) -> Any:
        self._refuse_if_down()
        after = StreamId.parse(position)
        self.positions.append(after)
        found = [e for e in self.entries if StreamId.parse(e[0].decode()) > after][:count]
        if not found:
            self._added.clear()
            with suppress(TimeoutError):
                async with asyncio.timeout(block / 1000):
                    await self._added.wait()
            return []  # like Redis, the caller asks again
        return [[name.encode(), found]]


class FakeReader:
    def __init__(self, stream: FakeStream) -> None:
        self._stream = stream

    async def xread(
        self, streams: dict[Any, Any], count: int | None = None, block: int | None = None
    ) -> Any:
        ((name, position),) = streams.items()
        return await self._stream.read(name, position, count or 1000, block or 0)

    async def xinfo_stream(self, name: Any, full: bool = False) -> Any:
        return self._stream.info()

    async def aclose(self) -> None:
        pass


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with open_store(tmp_path / "stats.sqlite3") as opened:
        yield opened


def consumer_for(store: RecordStore, stream: FakeStream, **kwargs: Any) -> EventConsumer:
    return EventConsumer(SETTINGS, store, connect=stream.reader, **kwargs)


@asynccontextmanager
async def running(consumer: EventConsumer) -> AsyncIterator[None]:
    task = asyncio.create_task(consumer.run())
    try:
        yield
    finally:
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task


async def stored_up_to(consumer: EventConsumer, sid: StreamId) -> None:
    await asyncio.wait_for(consumer.stored_through(sid), 5)


def _morning() -> Script:
    script = Script()
    script.state("anna", 0, "available")
    script.answered_call("c1", "anna", 60)
    script.abandoned_call("c2", 100)
    script.add("call.started", 200, call="c3")
    script.add("call.ended", 204, call="c3", phase="ivr", by="caller")
    return script


def _day(store: Store) -> tuple[object, ...]:
    end = T0 + timedelta(hours=2)
    return (
        store.calls_between(T0, end),
        store.intervals_between(T0, end),
        store.ivr_calls_between(T0, end),
    )


def _clock() -> datetime:
    return T0 + timedelta(hours=1)


async def test_events_are_folded_stored_and_announced(store: Store) -> None:
    script, stream = _morning(), FakeStream()
    stream.add_script(script)
    consumer = consumer_for(store, stream, clock=_clock)
    seen = Changes()
    async with running(consumer), consumer.subscribe() as changes:
        while seen.stream_id != script.events[-1].stream_id:
            seen |= await asyncio.wait_for(anext(changes), 5)
        await asyncio.wait_for(consumer.caught_up(), 5)

    whole = folded(script.events)
    assert _day(store) == (whole.calls(), whole.intervals(), whole.ivr_calls())
    assert store.last_stream_id() == script.events[-1].stream_id
    assert seen.calls == {"c1", "c2", "c3"} and seen.finalized == {"c1", "c2", "c3"}
    assert seen.agents == {"anna"}
    assert consumer.status.connected and consumer.status.caught_up


async def test_malformed_entries_are_skipped_logged_and_counted(
    store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    script, stream = _morning(), FakeStream()
    stream.add_script(script)
    stream.add(StreamId(5000, 0), {"v": "1", "at": "2026-06-15T07:30:00+00:00"})
    stream.add(StreamId(5000, 1), {"v": "1", "type": "call.started", "at": "half past nine"})
    late = Script(start=T0 + timedelta(minutes=30), first_ms=6000)
    late.abandoned_call("c9", 10)
    stream.add_script(late)
    consumer = consumer_for(store, stream, clock=_clock)
    with caplog.at_level(logging.WARNING, logger="realtime_stats.ingest.consumer"):
        async with running(consumer):
            await stored_up_to(consumer, late.events[-1].stream_id)

    assert consumer.fold.counts.malformed == 2
    assert "5000-0: stream entry 5000-0: field 'type' is missing or empty" in caplog.text
    assert "stream entry 5000-1: field 'at' is not an ISO 8601 time" in caplog.text
    whole = folded(script.events + late.events)
    assert _day(store)[0] == whole.calls()


async def test_a_restart_resumes_from_the_stored_position(store: Store) -> None:
    script, stream = _morning(), FakeStream()
    half = len(script.events) // 2
    for event in script.events[:half]:
        stream.add(event.stream_id, stream_fields(event))
    first = consumer_for(store, stream, clock=_clock)
    async with running(first):
        await stored_up_to(first, script.events[half - 1].stream_id)
    for event in script.events[half:]:
        stream.add(event.stream_id, stream_fields(event))

    stream.positions.clear()
    second = consumer_for(store, stream, clock=_clock)
    async with running(second):
        await stored_up_to(second, script.events[-1].stream_id)

    assert stream.positions[0] == script.events[half - 1].stream_id
    assert second.fold.counts.replayed == 0
    assert second.fold.counts.applied == len(script.events) - half
    whole = folded(script.events)
    assert _day(store) == (whole.calls(), whole.intervals(), whole.ivr_calls())
    assert second.fold.calls() == whole.calls()  # the day was rebuilt, not only the tail


async def test_an_outage_is_retried_and_nothing_is_lost_or_counted_twice(
    store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    script, stream = _morning(), FakeStream()
    half = len(script.events) // 2
    for event in script.events[:half]:
        stream.add(event.stream_id, stream_fields(event))
    stream.down = True
    consumer = consumer_for(store, stream, clock=_clock)
    with caplog.at_level(logging.WARNING, logger="realtime_stats.ingest.consumer"):
        async with running(consumer):
            while stream.refusals < 3:  # refused, retried, refused again ...
                stream.refused.clear()
                await asyncio.wait_for(stream.refused.wait(), 5)
            assert not consumer.status.connected
            assert "fake stream: connection refused" in (consumer.status.last_error or "")
            stream.down = False
            await stored_up_to(consumer, script.events[half - 1].stream_id)
            stream.down = True  # and again, mid-stream
            for event in script.events[half:]:
                stream.add(event.stream_id, stream_fields(event))
            await asyncio.sleep(0.05)
            stream.down = False
            await stored_up_to(consumer, script.events[-1].stream_id)

    assert "event stream unreachable" in caplog.text
    assert consumer.fold.counts.applied == len(script.events)
    assert consumer.fold.counts.replayed == 0
    assert _day(store)[0] == folded(script.events).calls()


class FlakyStore:
    """Fails its first `failures` writes, as a database that is restarting would."""

    def __init__(self, store: Store, failures: int) -> None:
        self._store, self.failures = store, failures

    def snapshot(self, since: datetime) -> FoldSnapshot:
        return self._store.snapshot(since)

    def write(self, batch: SaveBatch) -> None:
        if self.failures:
            self.failures -= 1
            raise StoreError("fake: database is restarting")
        self._store.write(batch)


async def test_a_failed_store_write_is_retried_before_reading_on(
    store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    script, stream = _morning(), FakeStream()
    stream.add_script(script)
    flaky = FlakyStore(store, failures=2)
    consumer = consumer_for(flaky, stream, clock=_clock)
    with caplog.at_level(logging.ERROR, logger="realtime_stats.ingest.consumer"):
        async with running(consumer):
            await stored_up_to(consumer, script.events[-1].stream_id)

    assert caplog.text.count("store failed (fake: database is restarting)") == 2
    assert _day(store)[0] == folded(script.events).calls()


class HeldStore:
    """Holds every write until ``release``: a database slow under load."""

    def __init__(self, store: Store) -> None:
        self._store, self.released, self.writing = store, threading.Event(), threading.Event()

    def snapshot(self, since: datetime) -> FoldSnapshot:
        return self._store.snapshot(since)

    def write(self, batch: SaveBatch) -> None:
        self.writing.set()
        assert self.released.wait(5), "never released"
        self._store.write(batch)


async def test_the_board_hears_of_a_change_before_the_store_has_written_it(store: Store) -> None:
    script, stream = _morning(), FakeStream()
    stream.add_script(script)
    held = HeldStore(store)
    consumer = consumer_for(held, stream, clock=_clock)
    try:
        async with running(consumer), consumer.subscribe() as changes:
            seen = await asyncio.wait_for(anext(changes), 5)
            assert seen.calls  # announced while its write is still held
            assert await asyncio.to_thread(held.writing.wait, 5)  # the write began, held
            assert consumer.status.position is None
            assert store.last_stream_id() is None
            held.released.set()
            await stored_up_to(consumer, script.events[-1].stream_id)
        assert _day(store)[0] == folded(script.events).calls()
    finally:
        held.released.set()


async def test_a_new_day_drops_yesterdays_finished_calls_from_memory_only(store: Store) -> None:
    script, stream = _morning(), FakeStream()
    stream.add_script(script)
    now = [_clock()]
    consumer = consumer_for(store, stream, clock=lambda: now[0])
    async with running(consumer):
        await stored_up_to(consumer, script.events[-1].stream_id)
        now[0] += timedelta(days=1)
        tomorrow = Script(start=T0 + timedelta(days=1), first_ms=90_000)
        tomorrow.add("call.queued", 0, call="d1", topic="afval")
        stream.add_script(tomorrow)
        await stored_up_to(consumer, tomorrow.events[-1].stream_id)
        await asyncio.sleep(0.05)  # one more empty read, which rolls the day

    assert [c.call_id for c in consumer.fold.calls()] == ["d1"]
    assert [c.call_id for c in store.calls_between(T0, T0 + timedelta(days=2))] == [
        "c1",
        "c2",
        "d1",
    ]


class SwallowingReader:
    """A reader that eats a cancel, as redis-py does on Python 3.11 (asyncio.wait_for)."""

    def __init__(self, then_raise: bool) -> None:
        self.then_raise = then_raise
        self.swallow = True
        self.reading = asyncio.Event()
        self.swallowed = asyncio.Event()

    async def xread(
        self, streams: dict[Any, Any], count: int | None = None, block: int | None = None
    ) -> Any:
        self.reading.set()
        try:
            await asyncio.sleep(0.01)
        except asyncio.CancelledError:
            if not self.swallow:
                raise
            self.swallowed.set()
        if self.then_raise:
            raise RedisConnectionError("fake: connect failed")
        return []

    async def xinfo_stream(self, name: Any, full: bool = False) -> Any:
        raise ResponseError("no such key")

    async def aclose(self) -> None:
        pass


@pytest.mark.parametrize("then_raise", [False, True], ids=["returns", "raises"])
async def test_a_cancel_that_redis_swallows_still_stops_the_consumer(
    store: Store, then_raise: bool
) -> None:
    reader = SwallowingReader(then_raise)
    consumer = EventConsumer(SETTINGS, store, connect=lambda _: reader, clock=_clock)
    task = asyncio.create_task(consumer.run())
    await asyncio.wait_for(reader.reading.wait(), 2)
    task.cancel()  # lands in the reader's sleep, which eats it
    done, _ = await asyncio.wait({task}, timeout=2)
    reader.swallow = False  # so a consumer that did not stop can be stopped after all
    if not done:
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task
    assert done == {task} and task.cancelled()
    assert reader.swallowed.is_set()


def test_backoff_doubles_up_to_its_cap_and_starts_over() -> None:
    backoff = Backoff(0.1, 0.5)
    assert [backoff.next() for _ in range(5)] == [0.1, 0.2, 0.4, 0.5, 0.5]
    backoff.reset()
    assert backoff.next() == 0.1
