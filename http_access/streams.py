"""Open event streams per login: at most a few at once, each slot freed when its client goes.

Theory of operation
-------------------
A Server-Sent Events stream (the wallboard's, the agent page's, the phonebook's) is
a response that never ends by itself: each open one holds a connection, a
subscription and a task for as long as the client keeps it. :class:`StreamSlots`
counts them per principal - a user by name, a display by its token's name - and
refuses the one over ``per_principal`` with 429 and a message. A screen or a few
browser tabs fit; a script opening streams in a loop does not.

The slot is taken by the route before it answers, and :class:`HeldStream` (a
``StreamingResponse``) frees it when the response ends for whatever reason: the
stream ran out, the client disconnected, the server is shutting down. A slot that was
never handed to a response is freed by :meth:`StreamSlot.release` from the route.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterable, Mapping

from fastapi import FastAPI, HTTPException, Request, status
from fastapi.responses import StreamingResponse
from starlette.types import Receive, Scope, Send

from http_access.auth import Principal

DEFAULT_STREAMS_PER_PRINCIPAL = 4
_STATE_KEY = "kcc_stream_slots"


class StreamSlot:
    """One open stream's place; releasing it twice is harmless."""

    def __init__(self, slots: StreamSlots, key: tuple[str, str]) -> None:
        self._slots, self._key = slots, key
        self._held = True

    def release(self) -> None:
        if self._held:
            self._held = False
            self._slots._free(self._key)


class StreamSlots:
    """How many streams each principal has open; see the module docstring."""

    def __init__(self, *, per_principal: int = DEFAULT_STREAMS_PER_PRINCIPAL) -> None:
        if per_principal < 1:
            raise ValueError(f"per_principal must be >= 1, not {per_principal}")
        self.per_principal = per_principal
        self._open: Counter[tuple[str, str]] = Counter()

    def take(self, who: Principal) -> StreamSlot:
        """A slot for one more stream of ``who``; 429 ``HTTPException`` when all are taken."""
        key = (who.kind.value, who.name)
        if self._open[key] >= self.per_principal:
            detail = (
                f"{who.name!r} has {self._open[key]} event streams open already, the most "
                f"allowed at once; close one (another tab or screen) first"
            )
            raise HTTPException(status.HTTP_429_TOO_MANY_REQUESTS, detail=detail)
        self._open[key] += 1
        return StreamSlot(self, key)

    def open_streams(self, who: Principal) -> int:
        return self._open[(who.kind.value, who.name)]

    def _free(self, key: tuple[str, str]) -> None:
        self._open[key] -= 1
        if self._open[key] <= 0:
            del self._open[key]


class HeldStream(StreamingResponse):
    """An event stream that frees its :class:`StreamSlot` once the response is over."""

    def __init__(
        self,
        events: AsyncIterable[str | bytes],
        slot: StreamSlot,
        *,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(events, media_type="text/event-stream", headers=headers)
        self._slot = slot

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            self._slot.release()


def install_stream_slots(app: FastAPI, slots: StreamSlots) -> None:
    """Give ``app``'s stream routes their slots (called by the composition root)."""
    setattr(app.state, _STATE_KEY, slots)


def event_stream(
    request: Request,
    who: Principal,
    events: AsyncIterable[str | bytes],
    *,
    headers: Mapping[str, str] | None = None,
) -> HeldStream:
    """The response for one of ``who``'s event streams, or 429 when they have too many."""
    slots = getattr(request.app.state, _STATE_KEY, None)
    if not isinstance(slots, StreamSlots):
        raise RuntimeError("no StreamSlots on this app: call install_stream_slots(app, ...)")
    return HeldStream(events, slots.take(who), headers=headers)
