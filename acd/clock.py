"""Time for the controller: the ``Clock`` interface, asyncio's, and a fake to steer.

Everything in the controller that waits or asks the time goes through a ``Clock``: the
waiting message every N rings, after-call-work timers, the few seconds a leg is given to
settle. ``AsyncioClock`` is the real one (the event loop's monotonic time, the wall
clock in UTC). ``FakeClock`` is shipped beside it, as httpx ships ``MockTransport``: its
time moves only when a test calls ``advance``, which runs the timers and wakes the
sleepers that fall due, in order, so a test of a 20-second wait takes microseconds and
never depends on how loaded the machine is.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Protocol, TypeVar

T = TypeVar("T")


class Timer(Protocol):
    def cancel(self) -> None: ...


class Clock(Protocol):
    """The controller's one source of time."""

    def now(self) -> datetime:
        """The wall-clock time, timezone-aware, in UTC."""
        ...

    def monotonic(self) -> float:
        """Seconds on a clock that never jumps (for intervals)."""
        ...

    async def sleep(self, seconds: float) -> None: ...

    def call_later(self, seconds: float, callback: Callable[[], None]) -> Timer: ...


class AsyncioClock:
    """The event loop's time; ``wall`` may be shifted (the IVR's opening-hours tests)."""

    def __init__(self, wall: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self._wall = wall

    def now(self) -> datetime:
        return self._wall()

    def monotonic(self) -> float:
        return asyncio.get_running_loop().time()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds))

    def call_later(self, seconds: float, callback: Callable[[], None]) -> Timer:
        return asyncio.get_running_loop().call_later(max(0.0, seconds), callback)


async def within(clock: Clock, seconds: float, awaitable: Awaitable[T]) -> tuple[bool, T | None]:
    """Await ``awaitable`` for at most ``seconds`` of ``clock`` time.

    Returns (True, its result) when it finished in time, else (False, None) after
    cancelling it. Exceptions from ``awaitable`` propagate.
    """
    work = asyncio.ensure_future(awaitable)
    timer = asyncio.ensure_future(clock.sleep(seconds))
    try:
        await asyncio.wait({work, timer}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        timer.cancel()
    if work.done():
        await asyncio.gather(timer, return_exceptions=True)
        return True, work.result()
    work.cancel()
    await asyncio.gather(work, timer, return_exceptions=True)
    return False, None


class _FakeTimer:
    def __init__(self) -> None:
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True


class FakeClock:
    """A clock that stands still until ``advance``; see the module docstring.

    Time is kept in whole microseconds, so steps like 19.999 s + 0.001 s land exactly
    on a timer due at 20 s, as they would on a real clock.
    """

    def __init__(self, start: datetime = datetime(2026, 6, 15, 7, 0, tzinfo=UTC)) -> None:
        if start.utcoffset() is None:
            raise ValueError(f"FakeClock start must be timezone-aware, got {start!r}")
        self._start = start.astimezone(UTC)
        self._elapsed_us = 0
        self._due: list[tuple[int, int, _FakeTimer, Callable[[], None]]] = []
        self._order = itertools.count()

    def now(self) -> datetime:
        return self._start + timedelta(microseconds=self._elapsed_us)

    def monotonic(self) -> float:
        return self._elapsed_us / 1_000_000

    @property
    def pending(self) -> int:
        """Timers and sleepers not yet due (cancelled ones not counted)."""
        return sum(1 for _, _, timer, _ in self._due if not timer.cancelled)

    def call_later(self, seconds: float, callback: Callable[[], None]) -> Timer:
        timer = _FakeTimer()
        when = self._elapsed_us + max(0, _microseconds(seconds))
        heapq.heappush(self._due, (when, next(self._order), timer, callback))
        return timer

    async def sleep(self, seconds: float) -> None:
        woken: asyncio.Future[None] = asyncio.get_running_loop().create_future()

        def wake() -> None:
            if not woken.done():
                woken.set_result(None)

        timer = self.call_later(seconds, wake)
        try:
            await woken
        finally:
            timer.cancel()

    async def advance(self, seconds: float) -> None:
        """Move time on by ``seconds``, running everything that falls due, in order."""
        target = self._elapsed_us + _microseconds(seconds)
        await settle()
        while self._due and self._due[0][0] <= target:
            when, _, timer, callback = heapq.heappop(self._due)
            if timer.cancelled:
                continue
            self._elapsed_us = max(self._elapsed_us, when)
            callback()
            await settle()
        self._elapsed_us = target
        await settle()


def _microseconds(seconds: float) -> int:
    return round(seconds * 1_000_000)


async def settle(rounds: int = 50) -> None:
    """Let every task that can run, run (in-process fakes answer within a few rounds)."""
    for _ in range(rounds):
        await asyncio.sleep(0)


def _both_are_clocks(real: AsyncioClock, fake: FakeClock) -> tuple[Clock, Clock]:
    return real, fake  # mypy checks both against the interface
