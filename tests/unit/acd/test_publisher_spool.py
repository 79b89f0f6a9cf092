"""The publisher's spool: events are on disk before ``publish`` returns, so a crash or a
stop while Redis is down keeps them, and the next start sends them first, in order,
with the stamps they were published with; a batch that fails part-way is sent again
whole, with the same stamps."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path

import pytest

from acd.clock import FakeClock, settle
from acd.publisher import EventPublisher
from acd.publisher.spool import EventSpool, SpoolError
from contract import events as stream
from tests.unit.acd.fake_redis import MemoryRedis
from tests.unit.acd.rig import T0


def started(n: int) -> stream.CallStarted:
    return stream.CallStarted(
        at=T0 + timedelta(seconds=n), call_id=f"c{n}", caller="0612345678", dialled="14023"
    )


def publisher_on(
    redis: MemoryRedis, spool: EventSpool, origin: str, clock: FakeClock
) -> EventPublisher:
    return EventPublisher(
        "redis://unused",
        redis=redis,  # type: ignore[arg-type]
        spool=spool,
        origin=origin,
        sleep=clock.sleep,
    )


def stamps(redis: MemoryRedis) -> list[tuple[str, str, str]]:
    return [(e["call_id"], e["origin"], e["seq"]) for e in redis.entries()]


async def test_events_published_while_redis_is_down_survive_a_crash_and_go_first(
    tmp_path: Path,
) -> None:
    path = tmp_path / "state" / "event-spool.db"
    redis, clock = MemoryRedis(), FakeClock(T0)
    redis.down()
    first = publisher_on(redis, EventSpool.open(path), "run1", clock)
    for n in (1, 2, 3):
        first.publish(started(n))
    # The process dies here: no drain ran, nothing was closed cleanly.
    assert first.backlog == 3
    redis.up()
    spool = EventSpool.open(path)
    assert spool.depth == 3
    second = publisher_on(redis, spool, "run2", clock)
    second.publish(started(4))
    draining = asyncio.create_task(second.run())
    try:
        await asyncio.wait_for(second.drained(), 1)
    finally:
        draining.cancel()
        await asyncio.gather(draining, return_exceptions=True)
    assert stamps(redis) == [
        ("c1", "run1", "1"),
        ("c2", "run1", "2"),
        ("c3", "run1", "3"),
        ("c4", "run2", "1"),
    ]
    assert (spool.depth, spool.bytes) == (0, 0)
    assert EventSpool.open(path).depth == 0


async def test_stopping_with_redis_down_keeps_the_spool(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "event-spool.db"
    redis, clock = MemoryRedis(), FakeClock(T0)
    redis.down()
    with EventSpool.open(path) as spool:
        publisher = publisher_on(redis, spool, "run1", clock)
        draining = asyncio.create_task(publisher.run())
        publisher.publish(started(1))
        publisher.publish(started(2))
        await settle()
        with caplog.at_level(logging.WARNING, logger="acd.publisher"):
            draining.cancel()
            await asyncio.gather(draining, return_exceptions=True)
    assert "stopping with 2 events kept in" in caplog.text
    with EventSpool.open(path) as spool:
        assert [e["call_id"] for _, e in spool.head(10)] == ["c1", "c2"]


async def test_a_batch_broken_part_way_is_sent_again_whole_with_the_same_stamps() -> None:
    redis, clock = MemoryRedis(), FakeClock(T0)
    redis.down()
    publisher = publisher_on(redis, EventSpool.in_memory(), "run1", clock)
    draining = asyncio.create_task(publisher.run())
    try:
        for n in (1, 2, 3):
            publisher.publish(started(n))
        await settle()
        redis.up()
        redis.break_after(2)  # c1, c2 written, then the connection dropped
        await clock.advance(0.2)
        await settle()
        await clock.advance(0.4)
        await asyncio.wait_for(publisher.drained(), 1)
    finally:
        draining.cancel()
        await asyncio.gather(draining, return_exceptions=True)
    assert [(c, s) for c, _, s in stamps(redis)] == [
        ("c1", "1"),
        ("c2", "2"),
        ("c1", "1"),
        ("c2", "2"),
        ("c3", "3"),
    ]


def test_a_spool_that_cannot_be_opened_names_its_file(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    with pytest.raises(SpoolError, match="not-a-folder"):
        EventSpool.open(blocker / "event-spool.db")


class FailingSpool(EventSpool):
    """A spool whose disk is full: every append fails as SQLite says so."""

    def append(self, entry: Mapping[str, str]) -> bool:
        raise SpoolError(f"event spool {self.where}: database or disk is full")


def test_a_failing_disk_drops_events_with_one_alarm_not_one_per_event(
    caplog: pytest.LogCaptureFixture,
) -> None:
    spool = FailingSpool.in_memory()
    clock = FakeClock(T0)
    with caplog.at_level(logging.ERROR, logger="acd.publisher"):
        publisher = publisher_on(MemoryRedis(), spool, "run1", clock)
        for n in range(1, 6):
            publisher.publish(started(n))  # publish never raises into the controller
    assert publisher.dropped == 5
    assert caplog.text.count("database or disk is full") == 1


def test_the_spools_size_is_counted_in_utf8_bytes_and_survives_a_reopen(tmp_path: Path) -> None:
    path = tmp_path / "event-spool.db"
    entries = [{"call_id": "c1", "text": "één"}, {"call_id": "c2", "text": "plain"}]
    with EventSpool.open(path) as spool:
        assert all(spool.append(e) for e in entries)
        size, first_id = spool.bytes, spool.head(1)[0][0]
    assert size == sum(len(json.dumps(e, ensure_ascii=False, separators=(",", ":")).encode())
                       for e in entries)  # fmt: skip
    with EventSpool.open(path) as spool:
        assert (spool.depth, spool.bytes) == (2, size)  # counted again from the file
        spool.remove_through(first_id)
        assert [e for _, e in spool.head(5)] == entries[1:]
        assert spool.bytes == size - len(json.dumps(entries[0], ensure_ascii=False,
                                                    separators=(",", ":")).encode())  # fmt: skip


def test_a_spool_refuses_what_would_pass_its_bound_and_keeps_the_rest() -> None:
    with EventSpool.in_memory(max_bytes=40) as spool:
        assert spool.append({"a": "x" * 10})
        assert not spool.append({"b": "y" * 30})  # would pass 40 bytes: refused whole
        assert spool.depth == 1 and [e for _, e in spool.head(5)] == [{"a": "x" * 10}]
    with pytest.raises(ValueError, match="max_bytes must be at least 1"):
        EventSpool.in_memory(max_bytes=0)
