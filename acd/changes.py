"""Change notifications for pages that stream: each subscriber wakes once per change.

A page's stream (the agent page, the phonebook) re-reads the state it shows whenever
something changed; it never needs each change, only that there was one since it last
looked. So each subscriber has a one-slot queue: a change fills an empty slot and
changes in between are merged, so a slow page never piles up work. Subscribers are
grouped by a key (an agent's id), or all under one key.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)


class ChangeFeed(Generic[K]):
    """``async for _ in feed.changes(key)`` wakes once per ``feed.wake(key)``, merged."""

    def __init__(self) -> None:
        self._slots: dict[K, set[asyncio.Queue[None]]] = {}

    async def changes(self, key: K) -> AsyncGenerator[None]:
        """Yields once per change for ``key`` (changes in between merged), until closed."""
        slot: asyncio.Queue[None] = asyncio.Queue(maxsize=1)
        self._slots.setdefault(key, set()).add(slot)
        try:
            while True:
                await slot.get()
                yield None
        finally:
            subscribers = self._slots.get(key, set())
            subscribers.discard(slot)
            if not subscribers:
                self._slots.pop(key, None)  # no key stays behind once its pages are gone

    def wake(self, key: K) -> None:
        for slot in self._slots.get(key, ()):
            if slot.empty():
                slot.put_nowait(None)

    def subscribers(self, key: K) -> int:
        return len(self._slots.get(key, ()))
