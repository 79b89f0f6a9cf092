"""The bounded queue between the AMI reader and the controller.

Why bounded, and why it never blocks the reader: Asterisk drops a manager
session whose socket stops draining, so the reader must keep reading however
slow the consumer is. Memory must still stay bounded. When the queue is full:

1. the oldest *droppable* event is dropped first (types passed as
   ``droppable``, by default GenericEvent and InvalidEvent: events the
   controller keeps no state from). Counted in ``dropped_droppable``; no
   resync is needed.
2. Only if no droppable event is queued, the oldest event is dropped. That
   leaves a hole in the controller's view of calls and queues, so the next
   ``get()`` returns ``ResyncRequired(dropped=n)`` before any later event;
   the consumer should rebuild its state (QueueStatus, CoreShowChannels).
   Dropping the oldest rather than the newest keeps the events closest to
   the state a resync will find.

Both tiers are FIFO deques tagged with a sequence number, so eviction and
delivery stay O(1) and the delivery order is the arrival order.
"""

from __future__ import annotations

import asyncio
from collections import deque
from dataclasses import dataclass
from itertools import count

from acd.ami.events import AmiEvent, GenericEvent, InvalidEvent


@dataclass(frozen=True)
class ResyncRequired:
    """``dropped`` state-bearing events were lost because the consumer fell behind."""

    dropped: int


class EventStreamClosed(Exception):
    """The client was closed and every queued event has been delivered."""


StreamItem = AmiEvent | ResyncRequired


class EventStream:
    """Single-consumer async stream of typed events with a bounded buffer."""

    def __init__(
        self,
        maxsize: int,
        *,
        droppable: tuple[type, ...] = (GenericEvent, InvalidEvent),
    ) -> None:
        if maxsize < 1:
            raise ValueError(f"EventStream maxsize must be >= 1, got {maxsize}")
        self._maxsize = maxsize
        self._droppable = droppable
        self._seq = count()
        self._keep: deque[tuple[int, AmiEvent]] = deque()
        self._drop: deque[tuple[int, AmiEvent]] = deque()
        self._gap = 0
        self._closed = False
        self._wakeup = asyncio.Event()
        self.dropped = 0
        self.dropped_droppable = 0

    def __len__(self) -> int:
        return len(self._keep) + len(self._drop)

    def put(self, event: AmiEvent) -> None:
        """Queue ``event``; never blocks. Evicts per the module's overflow policy."""
        if self._closed:
            return
        if len(self._keep) + len(self._drop) >= self._maxsize:
            self._evict()
        target = self._drop if isinstance(event, self._droppable) else self._keep
        target.append((next(self._seq), event))
        self._wakeup.set()

    def _evict(self) -> None:
        if self._drop:
            self._drop.popleft()
            self.dropped_droppable += 1
        else:
            self._keep.popleft()
            self.dropped += 1
            self._gap += 1

    def get_nowait(self) -> StreamItem | None:
        """The next item, or None if nothing is queued."""
        if self._gap:
            gap, self._gap = self._gap, 0
            return ResyncRequired(gap)
        keep, drop = self._keep, self._drop
        if keep and (not drop or keep[0][0] < drop[0][0]):
            return keep.popleft()[1]
        if drop:
            return drop.popleft()[1]
        return None

    async def get(self) -> StreamItem:
        """Wait for the next item; raises EventStreamClosed once closed and empty."""
        while True:
            item = self.get_nowait()
            if item is not None:
                return item
            if self._closed:
                raise EventStreamClosed("the AMI client is closed")
            self._wakeup.clear()
            await self._wakeup.wait()

    def close(self) -> None:
        """End the stream after the queued events; later puts are ignored."""
        self._closed = True
        self._wakeup.set()

    def __aiter__(self) -> EventStream:
        return self

    async def __anext__(self) -> StreamItem:
        try:
            return await self.get()
        except EventStreamClosed:
            raise StopAsyncIteration from None
