"""The bounded event queue: order, overflow policy, resync signal, closing."""

from __future__ import annotations

import asyncio

import pytest

from acd.ami.event_stream import EventStream, EventStreamClosed, ResyncRequired, StreamItem
from acd.ami.events import AmiEvent, DeviceState, DeviceStateChange, GenericEvent


def device(n: int) -> DeviceStateChange:
    return DeviceStateChange(f"PJSIP/{n}", DeviceState.INUSE)


def generic(n: int) -> GenericEvent:
    return GenericEvent("Newexten", {"Priority": str(n)})


def drain(stream: EventStream) -> list[StreamItem]:
    items: list[StreamItem] = []
    while (item := stream.get_nowait()) is not None:
        items.append(item)
    return items


def test_delivers_in_arrival_order_across_both_tiers() -> None:
    stream = EventStream(10)
    items: list[AmiEvent] = [device(1), generic(2), device(3), generic(4)]
    for item in items:
        stream.put(item)
    assert drain(stream) == items


def test_overflow_drops_oldest_droppable_first_without_resync() -> None:
    stream = EventStream(3)
    for item in (device(1), generic(2), device(3), device(4)):
        stream.put(item)
    assert drain(stream) == [device(1), device(3), device(4)]
    assert (stream.dropped_droppable, stream.dropped) == (1, 0)


def test_overflow_of_state_events_drops_oldest_and_asks_for_resync_first() -> None:
    stream = EventStream(2)
    for n in range(5):
        stream.put(device(n))
    assert drain(stream) == [ResyncRequired(3), device(3), device(4)]
    assert stream.dropped == 3
    stream.put(device(9))
    assert drain(stream) == [device(9)]  # the gap was reported once


async def test_get_waits_for_put_and_close_ends_iteration() -> None:
    stream = EventStream(4)
    consumer = asyncio.create_task(stream.get())
    await asyncio.sleep(0)
    assert not consumer.done()
    stream.put(device(1))
    assert await asyncio.wait_for(consumer, 1) == device(1)
    stream.put(device(2))
    stream.close()
    stream.put(device(3))  # ignored after close
    assert [item async for item in stream] == [device(2)]
    with pytest.raises(EventStreamClosed):
        await stream.get()


def test_size_must_be_positive() -> None:
    with pytest.raises(ValueError, match="maxsize"):
        EventStream(0)
