"""A ceiling on request bodies, enforced before anything reads them.

Theory of operation
-------------------
FastAPI resolves a route's body before its dependencies, so without a ceiling a
caller with no credentials at all could make the process hold a body of any size in
memory: the process that runs live calls. :class:`BodyLimit` is a pure ASGI
middleware in front of the whole app:

* a declared ``Content-Length`` over the limit is answered **413** at once, before
  the app runs and before one byte of the body is read;
* a body without a declared length (chunked), or one longer than it said, is counted
  as the app receives it; once over the limit the middleware answers 413 itself and
  tells the app the client has gone (``http.disconnect``), so the app stops reading
  and whatever it tries to answer afterwards is dropped.

The 413's JSON names the limit, in the ``{"detail": ...}`` form of every other error.
"""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONTROL_API_MAX_BODY = 64 * 1024  # the largest control API body is a callback note
STATS_MAX_BODY = 4 * 1024  # the stats service takes no bodies: GETs only


def _limit_text(max_bytes: int) -> str:
    if max_bytes % 1024 == 0:
        return f"{max_bytes} bytes ({max_bytes // 1024} KiB)"
    return f"{max_bytes} bytes"


async def _answer(send: Send, status: int, detail: str) -> None:
    body = json.dumps({"detail": detail}).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _declared_length(scope: Scope) -> str | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            return bytes(value).decode("latin-1").strip()
    return None


class BodyLimit:
    """Refuse request bodies over ``max_bytes`` with 413; see the module docstring."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        if max_bytes < 0:
            raise ValueError(f"max_bytes must be >= 0, not {max_bytes}")
        self._app = app
        self._max_bytes = max_bytes

    @property
    def max_bytes(self) -> int:
        return self._max_bytes

    @property
    def too_large(self) -> str:
        return (
            f"the request body is larger than {_limit_text(self._max_bytes)}, "
            "the most this service accepts"
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        declared = _declared_length(scope)
        if declared is not None and not declared.isdigit():
            await _answer(send, 400, f"Content-Length {declared!r} is not a whole number")
            return
        if declared is not None and int(declared) > self._max_bytes:
            await _answer(send, 413, self.too_large)
            return
        await _CountedRequest(self, receive, send).run(self._app, scope)


class _CountedRequest:
    """One request's body counted as it is received; over the limit it is cut off."""

    def __init__(self, limit: BodyLimit, receive: Receive, send: Send) -> None:
        self._limit, self._receive, self._send = limit, receive, send
        self._received = 0
        self._started = False  # has a response (ours or the app's) begun?
        self._cut = False

    async def run(self, app: ASGIApp, scope: Scope) -> None:
        await app(scope, self.receive, self.send)

    async def receive(self) -> Message:
        if self._cut:
            return {"type": "http.disconnect"}
        message = await self._receive()
        if message["type"] == "http.request":
            self._received += len(message.get("body", b""))
            if self._received > self._limit.max_bytes:
                self._cut = True
                if not self._started:
                    self._started = True
                    await _answer(self._send, 413, self._limit.too_large)
                return {"type": "http.disconnect"}
        return message

    async def send(self, message: Message) -> None:
        if self._cut:
            return  # the 413 went out already; the app's late answer is dropped
        if message["type"] == "http.response.start":
            self._started = True
        await self._send(message)
