"""The wallboard's feed over the event consumer: the fold's records, and a wake-up per
stored batch."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from realtime_stats.ingest.changes import Changes
from realtime_stats.ingest.fold import EventFold
from realtime_stats.ingest.subscription import Subscription
from realtime_stats.store import StreamId
from realtime_stats.wallboard.consumer_feed import ConsumerBoardFeed
from tests.unit.realtime_stats.ingest.test_fold_callbacks import notes_morning
from tests.unit.realtime_stats.test_fold_script import T0, Script, folded


class FakeConsumer:
    """What the feed reads of an `EventConsumer`: its fold and its subscriptions."""

    def __init__(self, fold: EventFold) -> None:
        self.fold = fold
        self.subscriptions: set[Subscription] = set()

    def subscribe(self) -> Subscription:
        return Subscription(self.subscriptions)


async def test_the_feed_wakes_once_per_batch_and_lets_go_when_closed() -> None:
    consumer = FakeConsumer(EventFold())
    feed = ConsumerBoardFeed(consumer, clock=lambda: T0)
    changes = feed.subscribe()
    woken = asyncio.ensure_future(anext(changes))
    await asyncio.sleep(0)  # the generator subscribes on its first anext
    (subscription,) = consumer.subscriptions

    subscription.push(Changes(StreamId(1, 0), calls=frozenset({"c1"})))
    subscription.push(Changes(StreamId(2, 0), calls=frozenset({"c2"})))  # merged: one wake
    assert await asyncio.wait_for(woken, 1) is None
    second = asyncio.ensure_future(anext(changes))
    await asyncio.sleep(0.01)
    assert not second.done()
    second.cancel()
    await asyncio.gather(second, return_exceptions=True)
    await changes.aclose()
    assert consumer.subscriptions == set()


def test_the_inputs_are_the_folds_records_at_the_clocks_now() -> None:
    script = Script()
    script.answered_call("c1", "anna", 60)
    fold = folded(script.events)
    now = T0 + timedelta(hours=1)
    inputs = ConsumerBoardFeed(FakeConsumer(fold), clock=lambda: now).inputs()

    assert inputs.calls == tuple(fold.calls())
    assert inputs.intervals == tuple(fold.intervals_as_they_came())
    assert inputs.callback_notes == ()
    assert inputs.now == now and inputs.events_through == str(script.events[-1].stream_id)


def test_the_inputs_carry_where_each_logged_in_agent_sits() -> None:
    script = Script()
    script.state("anna", 0, "available", position_id="tic2")
    script.state("bob", 0, "available", position_id="tic1")
    script.state("bob", 9, "logged_out", position_id="tic1")
    inputs = ConsumerBoardFeed(FakeConsumer(folded(script.events)), clock=lambda: T0).inputs()
    assert inputs.agent_positions == {"anna": "tic2"}


def test_the_inputs_carry_the_folds_callback_notes() -> None:
    events = notes_morning().events
    fold = folded(events)
    inputs = ConsumerBoardFeed(FakeConsumer(fold), clock=lambda: T0).inputs()
    assert inputs.callback_notes == tuple(fold.notes())
    assert [n.note_id for n in inputs.callback_notes] == ["n1", "n2", "n3"]
