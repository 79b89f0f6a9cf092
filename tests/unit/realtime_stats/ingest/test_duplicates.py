"""An event the controller wrote twice (a pipeline broken part-way, sent again whole) is
folded once: the fold skips an entry whose stamp (origin, seq) it has applied, and the
store keeps the last seq per origin with the records, so a restart between the two
copies skips it too. Entries without a stamp (older controllers) are folded as before."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

from acd.clock import FakeClock
from acd.publisher import EventPublisher
from contract import decode
from contract.codec import Stamp, stamp
from realtime_stats.ingest.entries import EntryProblem, StreamEntry, UnreadableEntry, read_entry
from realtime_stats.ingest.fold import EventFold
from realtime_stats.store import StreamId, open_store
from tests.unit.acd.fake_redis import MemoryRedis
from tests.unit.realtime_stats.ingest.test_consumer import (
    FakeStream,
    consumer_for,
    running,
    stored_up_to,
)
from tests.unit.realtime_stats.test_fold_script import T0, Script, folded, stream_fields


def _calls() -> Script:
    script = Script()
    script.state("anna", 0, "available")
    script.answered_call("c1", "anna", 60)
    script.abandoned_call("c2", 100)
    return script


def _stamped(script: Script, origin: str = "run1") -> list[dict[str, str]]:
    return [stamp(stream_fields(e), Stamp(origin, n)) for n, e in enumerate(script.events, 1)]


def _with_ids(entries: list[dict[str, str]], first_ms: int = 1_000) -> list[StreamEntry]:
    read = [read_entry(StreamId(first_ms + n, 0), e) for n, e in enumerate(entries)]
    assert all(isinstance(r, StreamEntry) for r in read)
    return read  # type: ignore[return-value]


def test_an_entry_sent_twice_is_folded_once() -> None:
    entries = _stamped(_calls())
    # The second batch of three broke after two entries and went again whole.
    sent = entries[:5] + entries[3:]
    fold = folded(list(_with_ids(sent)))
    whole = folded(_calls().events)
    assert fold.calls() == whole.calls() and fold.intervals() == whole.intervals()
    assert fold.counts.applied == len(entries)
    assert fold.counts.duplicate == 2


def test_two_runs_of_the_controller_count_apart() -> None:
    first, second = _calls(), Script(start=T0 + timedelta(minutes=5), first_ms=50_000)
    second.abandoned_call("c9", 10)
    entries = _stamped(first, "run1") + _stamped(second, "run2")  # run2 starts at seq 1
    fold = folded(list(_with_ids(entries)))
    assert fold.counts.applied == len(entries) and fold.counts.duplicate == 0


def test_entries_without_a_stamp_are_folded_as_before() -> None:
    entries = [stream_fields(e) for e in _calls().events]
    fold = folded(list(_with_ids(entries + entries[-2:])))  # no stamp: no way to tell
    assert fold.counts.duplicate == 0


async def test_a_restart_between_the_two_copies_still_skips_the_second(tmp_path: Path) -> None:
    entries = _stamped(_calls())
    stream = FakeStream()
    with open_store(tmp_path / "stats.sqlite3") as store:
        for n, entry in enumerate(entries, 1):
            stream.add(StreamId(1_000 + n, 0), entry)
        first = consumer_for(store, stream, clock=lambda: T0 + timedelta(hours=1))
        async with running(first):
            await stored_up_to(first, StreamId(1_000 + len(entries), 0))
        assert store.snapshot(T0).applied[0].seq == len(entries)

        for n, entry in enumerate(entries[-3:], 1):  # the last batch, again
            stream.add(StreamId(9_000 + n, 0), entry)
        second = consumer_for(store, stream, clock=lambda: T0 + timedelta(hours=1))
        async with running(second):
            await stored_up_to(second, StreamId(9_003, 0))
        assert second.fold.counts.duplicate == 3 and second.fold.counts.applied == 0
        whole = folded(_calls().events)
        assert store.calls_between(T0, T0 + timedelta(hours=2)) == whole.calls()


async def test_a_batch_the_publisher_sent_twice_counts_each_event_once() -> None:
    # End to end on the fakes: the controller's publisher, a pipeline broken part-way,
    # and the stats service's fold over what the stream then holds.
    events = [e.event for e in _calls().events if isinstance(e, StreamEntry)]
    redis, clock = MemoryRedis(), FakeClock(T0)
    publisher = EventPublisher("redis://unused", redis=redis, sleep=clock.sleep)  # type: ignore[arg-type]
    redis.down()
    for event in events:
        publisher.publish(event)
    draining = asyncio.create_task(publisher.run())
    try:
        await asyncio.sleep(0)
        redis.up()
        redis.break_after(3)
        for _ in range(3):
            await clock.advance(0.4)
        await asyncio.wait_for(publisher.drained(), 1)
    finally:
        draining.cancel()
        await asyncio.gather(draining, return_exceptions=True)
    written = redis.entries()
    assert len(written) == len(events) + 3  # three of them twice
    fold = EventFold()
    for entry in _with_ids(written):
        fold.apply(entry)
    assert fold.counts.applied == len(events) and fold.counts.duplicate == 3
    assert [decode(e) for e in written[3:]] == events
    assert fold.calls() == folded(_calls().events).calls()


def test_an_entry_with_a_broken_stamp_is_malformed_naming_it() -> None:
    fields = {**stream_fields(_calls().events[0]), "origin": "run1", "seq": "x"}
    read = read_entry(StreamId(1_000, 0), fields)
    assert isinstance(read, UnreadableEntry) and read.problem is EntryProblem.MALFORMED
    assert "field 'seq' is not a whole number: 'x'" in read.reason
