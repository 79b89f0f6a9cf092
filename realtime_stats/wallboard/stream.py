"""The wallboard's event stream: a full snapshot over Server-Sent Events on every change.

Theory of operation: every event is a full snapshot, so a screen that reconnects is
whole again with its first event. Changes are coalesced: the first change after a quiet
spell is pushed at once, later ones at most every ``min_gap_s``, and a comment line
every ``keepalive_s`` keeps proxies from closing an idle stream.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncGenerator, Callable
from dataclasses import dataclass

from starlette.concurrency import run_in_threadpool

from realtime_stats.wallboard.feed import BoardFeed


@dataclass(frozen=True, slots=True, kw_only=True)
class StreamTiming:
    """How the event stream paces itself; see the module docstring."""

    min_gap_s: float = 0.1
    keepalive_s: float = 15.0
    retry_ms: int = 3000

    def __post_init__(self) -> None:
        if self.min_gap_s < 0 or self.keepalive_s <= 0 or self.retry_ms <= 0:
            raise ValueError(f"StreamTiming needs min_gap_s >= 0 and positive others: {self}")


def sse_event(name: str, data: str) -> bytes:
    """One Server-Sent Event; ``data`` is one JSON line, so one ``data:`` field."""
    if "\n" in data or "\r" in data:
        raise ValueError("SSE data must be a single line")
    return f"event: {name}\ndata: {data}\n\n".encode()


KEEPALIVE = b": keep-alive\n\n"


class _Changes:
    """A feed's change notifications, waited for with a timeout.

    One ``anext`` stays pending across waits instead of being cancelled on timeout:
    cancelling it would end the feed's generator. Closing cancels and awaits it.
    """

    def __init__(self, feed: BoardFeed) -> None:
        self._changes = feed.subscribe()
        self._pending: asyncio.Future[None] | None = None

    async def start(self) -> None:
        """Subscribe now, so no change between this and the first snapshot is missed."""
        self._pending = asyncio.ensure_future(anext(self._changes))
        await asyncio.sleep(0)  # let the generator register before its first wait

    async def wait(self, within_s: float) -> bool | None:
        """True on a change, False after `within_s` without one, None once the feed ended."""
        if self._pending is None:
            self._pending = asyncio.ensure_future(anext(self._changes))
        done, _ = await asyncio.wait({self._pending}, timeout=within_s)
        return self._take() if done else False

    async def drain(self) -> None:
        """Consume changes that came in meanwhile: the next snapshot covers them."""
        if self._pending is None:
            self._pending = asyncio.ensure_future(anext(self._changes))
        await asyncio.sleep(0)  # a change already signalled completes the anext now
        if self._pending.done():
            self._take()

    def _take(self) -> bool | None:
        task, self._pending = self._pending, None
        assert task is not None
        if isinstance(task.exception(), StopAsyncIteration):
            return None
        task.result()
        return True

    async def aclose(self) -> None:
        if self._pending is not None:
            self._pending.cancel()
            await asyncio.wait({self._pending})
            if not self._pending.cancelled():
                self._pending.exception()  # retrieved, so asyncio does not warn
            self._pending = None
        closer = getattr(self._changes, "aclose", None)
        if closer is not None:
            await closer()


async def snapshot_events(
    feed: BoardFeed,
    render: Callable[[], str],
    timing: StreamTiming,
    *,
    clock: Callable[[], float] = time.monotonic,
) -> AsyncGenerator[bytes, None]:
    """The stream's bytes: retry hint and a snapshot, then one snapshot per change.

    ``render`` runs in a worker thread, so a long rendering does not stall the loop.
    """
    changes = _Changes(feed)
    try:
        await changes.start()
        first = await run_in_threadpool(render)
        yield f"retry: {timing.retry_ms}\n".encode() + sse_event("snapshot", first)
        last_push = clock()
        while (changed := await changes.wait(timing.keepalive_s)) is not None:
            if not changed:
                yield KEEPALIVE
                continue
            gap = timing.min_gap_s - (clock() - last_push)
            if gap > 0:
                await asyncio.sleep(gap)
                await changes.drain()
            yield sse_event("snapshot", await run_in_threadpool(render))
            last_push = clock()
    finally:
        await changes.aclose()
