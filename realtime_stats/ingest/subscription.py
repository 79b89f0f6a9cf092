"""Who hears of the event fold's changes: a `Subscription`, an async iterator of `Changes`.

The consumer pushes the changes of every stored batch to each subscription; changes a
reader has not taken yet are merged, so a slow wallboard never holds the consumer up and
never misses a change, it only sees several at once.
"""

from __future__ import annotations

import asyncio
from types import TracebackType
from typing import Self

from realtime_stats.ingest.changes import Changes


class Subscription:
    """An async iterator of `Changes`; changes pile up (merged) until the reader takes them."""

    def __init__(self, owner: set[Subscription]) -> None:
        self._owner = owner
        self._pending: Changes | None = None
        self._ready = asyncio.Event()
        self._closed = False
        owner.add(self)

    def push(self, changes: Changes) -> None:
        self._pending = changes if self._pending is None else self._pending | changes
        self._ready.set()

    def close(self) -> None:
        self._closed = True
        self._owner.discard(self)
        self._ready.set()

    def __aiter__(self) -> Self:
        return self

    async def __anext__(self) -> Changes:
        while self._pending is None:
            if self._closed:
                raise StopAsyncIteration
            self._ready.clear()
            await self._ready.wait()
        pending, self._pending = self._pending, None
        return pending

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
