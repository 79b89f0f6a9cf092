"""The bounded event queue: order, overflow policy, resync signal, closing."""

from __future__ import annotations

import asyncio

import pytest

from acd.ami.event_stream import EventStream, EventStreamClosed, ResyncRequired, StreamItem
from acd.ami.events import (
    AmiEvent,
    ChannelSnapshot,
    ChannelState,
    GenericEvent,
    HangupRequest,
)


def state(n: int) -> HangupRequest:
    """An event the controller keeps state from: never droppable."""
    channel = ChannelSnapshot(
        f"PJSIP/{n}-1",
        f"1.{n}",
        "1.0",
        ChannelState.UP,
        None,
        None,
        None,
        None,
        "nl",
        "",
        "kcc",
        "s",
        1,
    )
    return HangupRequest(channel)


def generic(n: int) -> GenericEvent:
    return GenericEvent("Newexten", {"Priority": str(n)})


def drain(stream: EventStream) -> list[StreamItem]:
    items: list[StreamItem] = []
    while (item := stream.get_nowait()) is not None:
        items.append(item)
    return items


def test_delivers_in_arrival_order_across_both_tiers() -> None:
    stream = EventStream(10)
    items: list[AmiEvent] = [state(1), generic(2), state(3), generic(4)]
    for item in items:
        stream.put(item)
    assert drain(stream) == items


def test_overflow_drops_oldest_droppable_first_without_resync() -> None:
    stream = EventStream(3)
    for item in (state(1), generic(2), state(3), state(4)):
        stream.put(item)
    assert drain(stream) == [state(1), state(3), state(4)]
    assert (stream.dropped_droppable, stream.dropped) == (1, 0)


def test_overflow_of_state_events_drops_oldest_and_asks_for_resync_first() -> None:
    stream = EventStream(2)
    for n in range(5):
        stream.put(state(n))
    assert drain(stream) == [ResyncRequired(3), state(3), state(4)]
    assert stream.dropped == 3
    stream.put(state(9))
    assert drain(stream) == [state(9)]  # the gap was reported once


async def test_get_waits_for_put_and_close_ends_iteration() -> None:
    stream = EventStream(4)
    consumer = asyncio.create_task(stream.get())
    await asyncio.sleep(0)
    assert not consumer.done()
    stream.put(state(1))
    assert await asyncio.wait_for(consumer, 1) == state(1)
    stream.put(state(2))
    stream.close()
    stream.put(state(3))  # ignored after close
    assert [item async for item in stream] == [state(2)]
    with pytest.raises(EventStreamClosed):
        await stream.get()


def test_size_must_be_positive() -> None:
    with pytest.raises(ValueError, match="maxsize"):
        EventStream(0)
