"""Owned background work: every task the controller starts is kept, cancelled and awaited.

Ringing an agent, hanging up a leg, mirroring a login into app_queue: each is a short
coroutine started from a synchronous decision. A ``TaskSet`` owns them, so none runs on
unwatched: ``close`` cancels what is left and waits for it, a task that fails is
logged with its name (it never fails silently), and ``idle`` lets a test wait until
everything started so far is done.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

log = logging.getLogger(__name__)


class TaskSet:
    """The tasks of one part of the controller."""

    def __init__(self, name: str) -> None:
        self._name = name
        self._tasks: set[asyncio.Task[Any]] = set()
        self._closed = False

    def spawn(self, work: Coroutine[Any, Any, Any], *, name: str) -> asyncio.Task[Any]:
        if self._closed:
            work.close()
            raise RuntimeError(f"{self._name} is closed: cannot start {name}")
        task = asyncio.get_running_loop().create_task(work, name=f"{self._name}: {name}")
        self._tasks.add(task)
        task.add_done_callback(self._done)
        return task

    def _done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("%s failed", task.get_name(), exc_info=task.exception())

    def __len__(self) -> int:
        return len(self._tasks)

    async def idle(self) -> None:
        """Wait until every task started so far (and those they start) has finished."""
        while self._tasks:
            await asyncio.wait(set(self._tasks))

    async def close(self) -> None:
        self._closed = True
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
