"""The controller's clocks: the fake runs what falls due in order, and nothing early."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from acd.clock import AsyncioClock, FakeClock, within

T0 = datetime(2026, 6, 15, 7, 0, tzinfo=UTC)


async def test_timers_fire_in_due_order_and_see_their_own_time() -> None:
    clock = FakeClock(T0)
    seen: list[tuple[str, float]] = []
    clock.call_later(5, lambda: seen.append(("five", clock.monotonic())))
    clock.call_later(2, lambda: seen.append(("two", clock.monotonic())))
    cancelled = clock.call_later(3, lambda: seen.append(("three", clock.monotonic())))
    cancelled.cancel()
    await clock.advance(4.9)
    assert seen == [("two", 2.0)]
    await clock.advance(0.1)
    assert seen == [("two", 2.0), ("five", 5.0)]
    assert clock.now() == T0 + timedelta(seconds=5)
    assert clock.pending == 0


async def test_a_sleeper_wakes_only_when_its_time_has_come() -> None:
    clock = FakeClock(T0)
    woke: list[float] = []

    async def nap() -> None:
        await clock.sleep(20)
        woke.append(clock.monotonic())

    task = asyncio.create_task(nap())
    await clock.advance(19.999)
    assert woke == [] and not task.done()
    await clock.advance(0.001)
    assert woke == [20.0]
    await task


async def test_within_gives_up_on_clock_time_and_cancels_the_work() -> None:
    clock = FakeClock(T0)
    never: asyncio.Future[int] = asyncio.get_running_loop().create_future()
    waiting = asyncio.create_task(within(clock, 5, never))
    await clock.advance(5)
    assert await waiting == (False, None)
    assert never.cancelled()


async def test_within_returns_the_result_in_time() -> None:
    clock = FakeClock(T0)
    soon: asyncio.Future[int] = asyncio.get_running_loop().create_future()
    waiting = asyncio.create_task(within(clock, 5, soon))
    await clock.advance(1)
    soon.set_result(7)
    await clock.advance(0)
    assert await waiting == (True, 7)
    assert clock.pending == 0  # the timeout's sleeper is gone


def test_a_fake_clock_needs_an_aware_start() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        FakeClock(datetime(2026, 6, 15, 7, 0))


async def test_the_real_clock_uses_the_loop_and_the_given_wall() -> None:
    clock = AsyncioClock(lambda: T0)
    assert clock.now() == T0
    fired = asyncio.Event()
    start = clock.monotonic()
    clock.call_later(0.01, fired.set)
    await asyncio.wait_for(fired.wait(), 1)
    await clock.sleep(0)
    assert clock.monotonic() >= start + 0.01
