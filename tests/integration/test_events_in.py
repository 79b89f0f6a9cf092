"""The consumer against a real redis-server: follow, resume after a restart, skip bad
entries, and ride out Redis itself going away and coming back with its data."""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, suppress
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import redis.asyncio as aioredis

from kcc.stack.postgres import PostgresServer
from kcc.stack.redis import RedisServer
from realtime_stats.ingest.consumer import ConsumerSettings, EventConsumer
from realtime_stats.ingest.entries import ReadEntry
from realtime_stats.store import Store, StreamId, open_store
from tests.integration.test_store_postgres import free_tcp_port
from tests.unit.realtime_stats.test_fold_script import T0, Script, folded, stream_fields

pytestmark = pytest.mark.integration

STREAM = "kcc-test:events"


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    with RedisServer(port=free_tcp_port(), data_dir=tmp_path / "redis") as server:
        yield server


@pytest.fixture(scope="module")
def postgres() -> Iterator[PostgresServer]:
    with PostgresServer(port=free_tcp_port()) as server:
        yield server


_databases = itertools.count(1)


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "sqlite":
        target = str(tmp_path / "stats.sqlite3")
    else:
        server: PostgresServer = request.getfixturevalue("postgres")
        target = server.create_database(f"events_{next(_databases)}")
    with open_store(target) as opened:
        yield opened


def settings_for(port: int) -> ConsumerSettings:
    return ConsumerSettings(
        redis_url=f"redis://127.0.0.1:{port}/0",
        stream=STREAM,
        block_ms=100,
        backoff_initial_s=0.05,
        backoff_max_s=0.2,
    )


def _clock() -> datetime:
    return T0 + timedelta(hours=1)


async def publish(url: str, entries: list[dict[str, str]] | list[dict[bytes, bytes]]) -> StreamId:
    """XADD each entry as the controller would; returns the id Redis gave the last one."""
    client = aioredis.Redis.from_url(url)
    try:
        last = StreamId(0, 0)
        for fields in entries:
            added = await client.xadd(STREAM, fields)  # type: ignore[arg-type]
            last = StreamId.parse(added.decode() if isinstance(added, bytes) else added)
    finally:
        await client.aclose()
    return last


def entries_of(events: list[ReadEntry]) -> list[dict[str, str]]:
    return [stream_fields(e) for e in events]


@asynccontextmanager
async def running(consumer: EventConsumer) -> AsyncIterator[None]:
    task = asyncio.create_task(consumer.run())
    try:
        yield
    finally:
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task


async def stored_up_to(consumer: EventConsumer, sid: StreamId, timeout_s: float = 10) -> None:
    await asyncio.wait_for(consumer.stored_through(sid), timeout_s)


def _morning() -> Script:
    script = Script()
    script.state("anna", 0, "available")
    script.state("bob", 0, "available")
    script.answered_call("c1", "anna", 60)
    script.answered_call("c2", "bob", 70, talk=300)
    script.abandoned_call("c3", 100)
    script.add("call.started", 200, call="c4")
    script.add("call.ivr_step", 203, call="c4", node="municipality", digit="", outcome="no_input")
    script.add("call.ended", 206, call="c4", phase="ivr", by="caller")
    return script


async def test_a_restarted_consumer_resumes_where_the_store_is(
    redis_server: RedisServer, store: Store
) -> None:
    script = _morning()
    half = len(script.events) // 2
    first_half = await publish(redis_server.url, entries_of(script.events[:half]))
    first = EventConsumer(settings_for(redis_server.port), store, clock=_clock)
    async with running(first):
        await stored_up_to(first, first_half)
    last = await publish(redis_server.url, entries_of(script.events[half:]))

    second = EventConsumer(settings_for(redis_server.port), store, clock=_clock)
    async with running(second):
        await stored_up_to(second, last)

    assert second.fold.counts.applied == len(script.events) - half
    assert second.fold.counts.replayed == 0
    whole = folded(script.events)
    end = T0 + timedelta(hours=1)
    assert store.calls_between(T0, end) == whole.calls() == second.fold.calls()
    by_start = sorted(whole.intervals(), key=lambda i: (i.start, i.agent_id))
    assert store.intervals_between(T0, end) == by_start
    assert store.ivr_calls_between(T0, end) == whole.ivr_calls()
    assert store.last_stream_id() == last


async def test_malformed_entries_are_skipped_and_named(
    redis_server: RedisServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    script = Script()
    script.abandoned_call("c1", 0)
    bad: list[dict[bytes, bytes]] = [
        {b"v": b"1", b"at": b"2026-06-15T07:01:00+00:00", b"call_id": b"x"},
        {b"v": b"1", b"type": b"call.started", b"at": b"om half tien", b"call_id": b"y"},
        {b"v": b"1", b"type": b"call.started", b"at": b"2026-06-15T07:01:00", b"call_id": b"z"},
        {
            b"v": b"1",
            b"type": b"call.started",
            b"at": b"2026-06-15T07:01:00+00:00",
            b"caller": b"\xff",
        },
    ]
    first_bad = await publish(redis_server.url, bad[:1])
    await publish(redis_server.url, bad[1:])
    last = await publish(redis_server.url, entries_of(script.events))
    with open_store(tmp_path / "stats.sqlite3") as store:
        consumer = EventConsumer(settings_for(redis_server.port), store, clock=_clock)
        with caplog.at_level(logging.WARNING, logger="realtime_stats.ingest.consumer"):
            async with running(consumer):
                await stored_up_to(consumer, last)
        assert [c.call_id for c in store.calls_between(T0, T0 + timedelta(hours=1))] == ["c1"]
        assert store.last_stream_id() == last

    assert consumer.fold.counts.malformed == 4
    assert f"stream entry {first_bad}: field 'type' is missing or empty" in caplog.text
    assert "field 'at' is not an ISO 8601 time with a UTC offset: 'om half tien'" in caplog.text
    assert (
        "field 'at' is not an ISO 8601 time with a UTC offset: '2026-06-15T07:01:00'" in caplog.text
    )
    assert "field 'caller' is not UTF-8" in caplog.text


async def test_redis_going_away_and_coming_back_loses_nothing(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    script = _morning()
    half = len(script.events) // 2
    port, data = free_tcp_port(), tmp_path / "redis"
    with open_store(tmp_path / "stats.sqlite3") as store:
        consumer = EventConsumer(settings_for(port), store, clock=_clock)
        with caplog.at_level(logging.WARNING, logger="realtime_stats.ingest.consumer"):
            async with running(consumer):
                with RedisServer(port=port, data_dir=data) as server:
                    first_half = await publish(server.url, entries_of(script.events[:half]))
                    await stored_up_to(consumer, first_half)
                # Redis has stopped; its append-only file keeps the stream on disk.
                async with asyncio.timeout(15):
                    while consumer.status.connected:  # noqa: ASYNC110 - no event for it
                        await asyncio.sleep(0.05)
                with RedisServer(port=port, data_dir=data) as again:
                    last = await publish(again.url, entries_of(script.events[half:]))
                    await stored_up_to(consumer, last, timeout_s=20)

        assert "event stream unreachable" in caplog.text
        assert consumer.fold.counts.applied == len(script.events)
        assert consumer.fold.counts.replayed == 0
        assert store.calls_between(T0, T0 + timedelta(hours=1)) == folded(script.events).calls()


async def test_a_stream_trimmed_past_the_stored_position_is_reported_as_a_gap(
    redis_server: RedisServer, store: Store
) -> None:
    script = _morning()
    half = len(script.events) // 2
    first_half = await publish(redis_server.url, entries_of(script.events[:half]))
    first = EventConsumer(settings_for(redis_server.port), store, clock=_clock)
    async with running(first):
        await stored_up_to(first, first_half)
    assert first.status.gap is None
    last = await publish(redis_server.url, entries_of(script.events[half:]))
    client = aioredis.Redis.from_url(redis_server.url)
    try:
        await client.xtrim(STREAM, maxlen=2, approximate=False)  # the stats service was away
    finally:
        await client.aclose()

    second = EventConsumer(settings_for(redis_server.port), store, clock=_clock)
    async with running(second):
        await stored_up_to(second, last)
    gap = second.status.gap
    assert gap is not None and gap.read_through == first_half and gap.lost_through < last
    assert second.status.gaps == 1


async def test_entries_written_twice_are_folded_once_and_remembered_across_a_restart(
    redis_server: RedisServer, store: Store
) -> None:
    stamped = [
        {**fields, "origin": "run1", "seq": str(n)}
        for n, fields in enumerate(entries_of(_morning().events), 1)
    ]
    first_copy = await publish(redis_server.url, stamped)
    first = EventConsumer(settings_for(redis_server.port), store, clock=_clock)
    async with running(first):
        await stored_up_to(first, first_copy)
    again = await publish(redis_server.url, stamped[-4:])  # a batch sent again
    second = EventConsumer(settings_for(redis_server.port), store, clock=_clock)
    async with running(second):
        await stored_up_to(second, again)
    assert (second.fold.counts.applied, second.fold.counts.duplicate) == (0, 4)
    end = T0 + timedelta(hours=1)
    assert store.calls_between(T0, end) == folded(_morning().events).calls()
