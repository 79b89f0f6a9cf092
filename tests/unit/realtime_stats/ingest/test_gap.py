"""A stats service down longer than the stream holds finds, at its restart, that entries it
never read were trimmed: an ERROR, and the gap in its status (health, /metrics)."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from realtime_stats.ingest.gap import StreamGap, find_gap
from realtime_stats.store import StreamId, open_store
from tests.unit.realtime_stats.ingest.test_consumer import (
    FakeStream,
    consumer_for,
    running,
    stored_up_to,
)
from tests.unit.realtime_stats.test_fold_script import T0, Script, stream_fields


def _clock() -> datetime:
    return T0 + timedelta(hours=1)


def _two_parts() -> tuple[Script, Script]:
    early = Script()
    early.abandoned_call("c1", 10)
    late = Script(start=T0 + timedelta(minutes=30), first_ms=9_000)
    late.abandoned_call("c2", 10)
    late.abandoned_call("c3", 60)
    return early, late


def _add(stream: FakeStream, script: Script) -> None:
    for event in script.events:
        stream.add(event.stream_id, stream_fields(event))


async def test_entries_trimmed_before_a_restart_read_them_are_a_gap(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    early, late = _two_parts()
    stream = FakeStream()
    _add(stream, early)
    with open_store(tmp_path / "stats.sqlite3") as store:
        first = consumer_for(store, stream, clock=_clock)
        async with running(first):
            await stored_up_to(first, early.events[-1].stream_id)
        assert first.status.gap is None
        # While the service is down the controller writes on and the stream is capped.
        _add(stream, late)
        stream.trim(late.events[1].stream_id)
        second = consumer_for(store, stream, clock=_clock)
        with caplog.at_level(logging.ERROR, logger="realtime_stats.ingest.consumer"):
            async with running(second):
                await stored_up_to(second, late.events[-1].stream_id)
    gap = second.status.gap
    assert gap is not None
    assert (gap.read_through, gap.first_left) == (
        early.events[-1].stream_id, late.events[2].stream_id,
    )  # fmt: skip
    # A trim says not how far it went: at most up to the oldest entry it left.
    assert late.events[1].stream_id <= gap.lost_through < late.events[2].stream_id
    assert second.status.gaps == 1
    assert "were trimmed from the stream before they were read (the oldest left is " in str(gap)
    assert caplog.text.count("figures miss them") == 1


async def test_a_trim_of_what_was_read_already_is_no_gap(tmp_path: Path) -> None:
    early, late = _two_parts()
    stream = FakeStream()
    _add(stream, early)
    _add(stream, late)
    with open_store(tmp_path / "stats.sqlite3") as store:
        first = consumer_for(store, stream, clock=_clock)
        async with running(first):
            await stored_up_to(first, late.events[-1].stream_id)
        stream.trim(late.events[1].stream_id)
        second = consumer_for(store, stream, clock=_clock)
        async with running(second):
            await asyncio.wait_for(second.caught_up(), 5)
        assert second.status.gap is None and second.status.gaps == 0


def test_a_new_store_or_an_older_redis_finds_no_gap() -> None:
    trimmed = {"max-deleted-entry-id": "9000-0", "first-entry": ["9001-0", []]}
    assert find_gap(trimmed, None) is None  # nothing read yet: history, not a loss
    assert find_gap({"length": 3, "first-entry": None}, StreamId(1, 0)) is None  # Redis 6
    assert find_gap({"max-deleted-entry-id": "0-0"}, StreamId(1, 0)) is None  # never trimmed
    found = find_gap({b"max-deleted-entry-id": b"9000-0"}, StreamId(1, 0))
    assert found == StreamGap(StreamId(1, 0), StreamId(9000, 0), None)


def test_a_first_entry_past_the_position_is_a_gap_though_nothing_says_deleted() -> None:
    # XTRIM / XADD MAXLEN do not move max-deleted-entry-id (Redis 7.0): the oldest entry
    # left is the sign.
    trimmed = {"max-deleted-entry-id": "0-0", "first-entry": [b"9001-3", []]}
    found = find_gap(trimmed, StreamId(1, 0))
    assert found == StreamGap(StreamId(1, 0), StreamId(9001, 2), StreamId(9001, 3))
    at_zero = find_gap({"first-entry": ["9001-0", []]}, StreamId(1, 0))
    assert at_zero is not None and at_zero.lost_through == StreamId(9000, 2**64 - 1)
    assert find_gap({"first-entry": ["1-0", []]}, StreamId(1, 0)) is None  # still there
    assert find_gap({"first-entry": ["0-5", []]}, StreamId(1, 0)) is None


async def test_a_stream_that_does_not_exist_yet_is_followed_without_a_gap(tmp_path: Path) -> None:
    stream = FakeStream()  # XINFO STREAM: no such key
    with open_store(tmp_path / "stats.sqlite3") as store:
        consumer = consumer_for(store, stream, clock=_clock)
        async with running(consumer):
            await asyncio.wait_for(consumer.caught_up(), 5)
            early, _ = _two_parts()
            _add(stream, early)
            await stored_up_to(consumer, early.events[-1].stream_id)
        assert consumer.status.gap is None and consumer.status.connected


class UnparsedInfoStream(FakeStream):
    """A server redis-py cannot parse XINFO STREAM from (it answers +OK to anything)."""

    def info(self) -> dict[bytes, Any]:
        raise AttributeError("'bytes' object has no attribute 'items'")


async def test_a_gap_check_that_cannot_be_made_does_not_stop_the_consumer(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    stream = UnparsedInfoStream()
    early, _ = _two_parts()
    _add(stream, early)
    with open_store(tmp_path / "stats.sqlite3") as store:
        consumer = consumer_for(store, stream, clock=_clock)
        with caplog.at_level(logging.WARNING, logger="realtime_stats.ingest.consumer"):
            async with running(consumer):
                await stored_up_to(consumer, early.events[-1].stream_id)
    assert consumer.status.gap is None
    assert "no gap check, XINFO STREAM" in caplog.text
