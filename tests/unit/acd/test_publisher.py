"""The Redis publisher: events in order in the stream, stamped with the run's origin and
a sequence, never blocking the controller, kept through a Redis outage (their order
too), new ones refused and counted, with one alarm, when the spool is full. On an
in-process Redis and the fake clock for the pause between attempts; one test puts the
real redis-py client on a socket in front of it. The spool's file across restarts:
test_publisher_spool.py."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

import pytest

from acd.clock import FakeClock, settle
from acd.publisher import STREAM_MAXLEN, EventPublisher
from acd.publisher.spool import EventSpool
from contract import encode
from contract import events as stream
from contract.codec import Stamp, stamp
from tests.unit.acd.fake_redis import MemoryRedis, RedisServer
from tests.unit.acd.rig import T0


def started(n: int) -> stream.CallStarted:
    return stream.CallStarted(
        at=T0 + timedelta(seconds=n), call_id=f"c{n}", caller="0612345678", dialled="14023"
    )


def calls(entries: list[dict[str, str]]) -> list[str]:
    return [e["call_id"] for e in entries]


@asynccontextmanager
async def running(
    redis: MemoryRedis, clock: FakeClock | None = None, *, spool: EventSpool | None = None
) -> AsyncIterator[EventPublisher]:
    """A publisher on ``redis`` with its drain task running; stopped as ``serve`` does."""
    clock = clock or FakeClock(T0)
    publisher = EventPublisher(
        "redis://unused",
        redis=redis,  # type: ignore[arg-type]
        sleep=clock.sleep,
        spool=spool,
        origin="run1",
    )
    draining = asyncio.create_task(publisher.run())
    try:
        yield publisher
    finally:
        draining.cancel()
        await asyncio.gather(draining, return_exceptions=True)


async def test_events_reach_the_stream_in_order_as_the_contract_encodes_them() -> None:
    redis = MemoryRedis()
    async with running(redis) as publisher:
        events = [started(n) for n in range(1, 4)]
        for event in events:
            publisher.publish(event)
        await asyncio.wait_for(publisher.drained(), 1)
        assert redis.entries() == [
            stamp(encode(e), Stamp("run1", n)) for n, e in enumerate(events, 1)
        ]
        assert {(x.stream, x.maxlen, x.approximate) for x in redis.sent} == {
            ("kcc:events", STREAM_MAXLEN, True)
        }
        assert (publisher.published, publisher.backlog, publisher.dropped) == (3, 0, 0)


async def test_the_stream_is_the_one_configured() -> None:
    redis = MemoryRedis()
    async with running(redis) as publisher:
        publisher.stream = "kcc:test-events"
        publisher.publish(started(1))
        await asyncio.wait_for(publisher.drained(), 1)
    assert calls(redis.entries("kcc:test-events")) == ["c1"]


async def test_publish_never_waits_for_redis_and_drained_waits_for_everything() -> None:
    redis = MemoryRedis()
    async with running(redis) as publisher:
        await asyncio.wait_for(publisher.drained(), 1)  # nothing published: drained at once
        redis.hold()
        publisher.publish(started(1))
        await asyncio.wait_for(redis.in_flight(), 1)
        publisher.publish(started(2))  # returns at once while Redis takes its time
        assert publisher.backlog == 2
        drained = asyncio.create_task(publisher.drained())
        await settle()
        assert not drained.done()
        redis.release()
        await asyncio.wait_for(drained, 1)
        assert calls(redis.entries()) == ["c1", "c2"]


async def test_a_large_backlog_goes_out_in_batches_of_200_in_order() -> None:
    redis = MemoryRedis()
    redis.down()
    clock = FakeClock(T0)
    async with running(redis, clock) as publisher:
        for n in range(450):
            publisher.publish(started(n))
        await settle()
        redis.up()
        await clock.advance(0.2)
        await asyncio.wait_for(publisher.drained(), 1)
        assert redis.batches == [200, 200, 50]
        assert calls(redis.entries()) == [f"c{n}" for n in range(450)]


async def test_every_event_and_its_order_survive_a_redis_outage(
    caplog: pytest.LogCaptureFixture,
) -> None:
    redis, clock = MemoryRedis(), FakeClock(T0)
    async with running(redis, clock) as publisher:
        publisher.publish(started(1))
        await asyncio.wait_for(publisher.drained(), 1)
        redis.down()  # Redis restarts
        with caplog.at_level(logging.WARNING, logger="acd.publisher"):
            publisher.publish(started(2))
            publisher.publish(started(3))
            await settle()
        assert "Redis unreachable (Error 111 connecting" in caplog.text
        assert "2 events kept" in caplog.text
        await clock.advance(0.2)  # tried again, still down
        publisher.publish(started(4))  # the controller carries on meanwhile
        await clock.advance(0.4)
        assert (publisher.backlog, calls(redis.entries())) == (3, ["c1"])
        drained = asyncio.create_task(publisher.drained())
        await settle()
        assert not drained.done()
        redis.up()
        await clock.advance(0.8)
        await asyncio.wait_for(drained, 1)
        assert calls(redis.entries()) == ["c1", "c2", "c3", "c4"]
        assert (publisher.published, publisher.dropped) == (4, 0)


async def test_the_pause_between_attempts_doubles_up_to_ten_seconds_and_resets() -> None:
    redis, clock = MemoryRedis(), FakeClock(T0)
    pauses: list[float] = []

    async def pause(seconds: float) -> None:
        pauses.append(seconds)
        await clock.sleep(seconds)

    publisher = EventPublisher("redis://unused", redis=redis, sleep=pause)  # type: ignore[arg-type]
    draining = asyncio.create_task(publisher.run())
    redis.down()
    publisher.publish(started(1))
    await clock.advance(60)
    assert pauses[:9] == [0.2, 0.4, 0.8, 1.6, 3.2, 6.4, 10.0, 10.0, 10.0]
    assert redis.attempts == len(pauses)  # one attempt after each pause, none between
    redis.up()
    await clock.advance(10)
    await asyncio.wait_for(publisher.drained(), 1)
    pauses.clear()
    redis.down()  # a new outage starts with a short pause again
    publisher.publish(started(2))
    await clock.advance(0.6)
    assert pauses == [0.2, 0.4, 0.8]
    draining.cancel()
    await asyncio.gather(draining, return_exceptions=True)


def spool_of(events: int) -> EventSpool:
    """An in-memory spool with room for ``events`` entries like ``started(n)``'s."""
    probe = EventSpool.in_memory()
    probe.append(stamp(encode(started(1)), Stamp("run1", 1)))
    size = probe.bytes
    return EventSpool.in_memory(max_bytes=size * events + size // 2)


async def test_a_full_spool_refuses_new_events_counts_them_and_alarms_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    redis, clock = MemoryRedis(), FakeClock(T0)
    redis.down()
    async with running(redis, clock, spool=spool_of(3)) as publisher:
        with caplog.at_level(logging.WARNING, logger="acd.publisher"):
            for n in range(1, 7):
                publisher.publish(started(n))
        assert (publisher.backlog, publisher.dropped) == (3, 3)
        assert caplog.text.count("cannot keep events (full;") == 1  # one alarm per episode
        redis.up()
        await clock.advance(0.2)
        await asyncio.wait_for(publisher.drained(), 1)
        assert calls(redis.entries()) == ["c1", "c2", "c3"]  # what was kept, in order
        publisher.publish(started(7))  # room again: said once, and the event is kept
        await asyncio.wait_for(publisher.drained(), 1)
        assert "has room again; 3 events dropped since start" in caplog.text
        assert calls(redis.entries()) == ["c1", "c2", "c3", "c7"]
        # The dropped ones leave a hole in the sequence a reader can see.
        assert [e["seq"] for e in redis.entries()] == ["1", "2", "3", "7"]


async def test_events_in_flight_stay_in_the_spool_until_redis_acknowledges_them() -> None:
    redis = MemoryRedis()
    async with running(redis, spool=spool_of(3)) as publisher:
        redis.hold()
        for n in range(1, 4):
            publisher.publish(started(n))
        await asyncio.wait_for(redis.in_flight(), 1)  # c1..c3 on their way
        assert publisher.backlog == 3
        publisher.publish(started(4))  # the spool is full until they are acknowledged
        assert publisher.dropped == 1
        redis.release()
        await asyncio.wait_for(publisher.drained(), 1)
        assert publisher.backlog == 0 and publisher.spool.bytes == 0
        publisher.publish(started(5))
        await asyncio.wait_for(publisher.drained(), 1)
        assert calls(redis.entries()) == ["c1", "c2", "c3", "c5"]


async def test_stopping_the_publisher_closes_its_redis_client() -> None:
    redis = MemoryRedis()
    async with running(redis):
        await settle()
        assert not redis.closed
    assert redis.closed


async def test_the_real_client_adds_each_event_with_a_capped_stream_length() -> None:
    async with RedisServer() as server:
        publisher = EventPublisher(server.url, stream="kcc:events")
        draining = asyncio.create_task(publisher.run())
        try:
            publisher.publish(started(1))
            publisher.publish(started(2))
            await asyncio.wait_for(publisher.drained(), 5)
        finally:
            draining.cancel()
            await asyncio.gather(draining, return_exceptions=True)
        assert [fields for _, fields in server.entries] == [
            stamp(encode(started(n)), Stamp(publisher.origin, n)) for n in (1, 2)
        ]
        [xadd, *_] = [c for c in server.commands if c[0].upper() == "XADD"]
        assert xadd[:5] == ["XADD", "kcc:events", "MAXLEN", "~", str(STREAM_MAXLEN)]
