"""The snapshot's ``events_through``: the last stream entry the board's records include.

It comes from the consumer's fold through ``ConsumerBoardFeed``, so a screen (and the
latency benchmark) can tell how fresh the board is.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import NoReturn

from realtime_stats.ingest.consumer import ConsumerSettings, EventConsumer
from realtime_stats.ingest.entries import EntryProblem, UnreadableEntry
from realtime_stats.ingest.fold import EventFold
from realtime_stats.store import FoldSnapshot, SaveBatch, StreamId
from realtime_stats.wallboard.consumer_feed import ConsumerBoardFeed
from realtime_stats.wallboard.feed import InMemoryBoardFeed
from realtime_stats.wallboard.snapshot import board_snapshot
from site_config import load_site_config
from tests.unit.realtime_stats.test_fold_script import T0, Script, folded

SITE = load_site_config(Path(__file__).resolve().parents[4] / "config" / "site.yaml")
NOW = T0 + timedelta(hours=1)


class _UnusedStore:
    """The consumer is never run here: its store must not be touched."""

    def snapshot(self, since: datetime) -> FoldSnapshot:
        raise AssertionError("the store was read")

    def write(self, batch: SaveBatch) -> NoReturn:
        raise AssertionError("the store was written")


def feed_over(fold: EventFold) -> ConsumerBoardFeed:
    consumer = EventConsumer(
        ConsumerSettings(redis_url="redis://unused"), _UnusedStore(), fold=fold
    )
    return ConsumerBoardFeed(consumer, clock=lambda: NOW)


def test_an_empty_fold_gives_an_empty_events_through() -> None:
    feed = feed_over(EventFold())
    assert feed.inputs().events_through == ""
    assert board_snapshot(SITE, feed.inputs())["events_through"] == ""


def test_events_through_is_the_last_folded_entry_and_follows_the_fold() -> None:
    script = Script(first_ms=1_732_000_000_000)
    script.answered_call("c1", "1001", 60)
    fold = folded(script.events[:4])  # up to and including call.queued
    feed = feed_over(fold)
    assert feed.inputs().events_through == f"{1_732_000_000_000 + 4}-0"

    folded(script.events[4:], fold)
    inputs = feed.inputs()
    snap = board_snapshot(SITE, inputs)
    last = script.events[-1].stream_id
    assert inputs.events_through == snap["events_through"] == str(last)
    assert snap["totals"]["answered"] == 1  # the records are those of the same fold


def test_an_undecodable_entry_moves_it_on_too() -> None:
    script = Script()
    script.abandoned_call("c1", 30)
    fold = folded(script.events)
    fold.apply(UnreadableEntry(StreamId(9_999, 3), EntryProblem.MALFORMED, "not an event"))
    assert feed_over(fold).inputs().events_through == "9999-3"


def test_an_in_memory_feed_is_not_from_the_stream() -> None:
    feed = InMemoryBoardFeed(clock=lambda: NOW)
    assert board_snapshot(SITE, feed.inputs())["events_through"] == ""
