"""Drive an ASGI app's endless response by hand, for event streams.

httpx's ASGITransport buffers a whole response before returning it, which never happens
for an endless stream; :func:`open_get` hands out the body as it is sent, then
disconnects like a browser closing the tab.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, MutableMapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI


def parse_events(data: bytes) -> list[tuple[str, Any]]:
    """Per block: ("comment", text), ("retry", ms) and (event name, its JSON data)."""
    found: list[tuple[str, Any]] = []
    for block in data.decode().split("\n\n"):
        event: dict[str, str] = {}
        for line in filter(None, block.split("\n")):
            if line.startswith(":"):
                found.append(("comment", line[1:].strip()))
                continue
            name, _, value = line.partition(":")
            event[name] = value.removeprefix(" ")
        if "retry" in event:
            found.append(("retry", int(event["retry"])))
        if "data" in event:
            found.append((event.get("event", "message"), json.loads(event["data"])))
    return found


@dataclass
class OpenResponse:
    status: int
    headers: dict[str, str]
    chunks: asyncio.Queue[bytes] = field(default_factory=asyncio.Queue)

    async def next_events(self, seconds: float = 2.0) -> list[tuple[str, Any]]:
        return parse_events(await asyncio.wait_for(self.chunks.get(), seconds))

    async def body(self) -> bytes:
        parts = []
        while part := await asyncio.wait_for(self.chunks.get(), 2):
            parts.append(part)
        return b"".join(parts)


@asynccontextmanager
async def open_get(
    app: FastAPI, path: str, *, query: str = "", headers: dict[str, str] | None = None
) -> AsyncIterator[OpenResponse]:
    """GET ``path`` on ``app``; the body arrives chunk by chunk (b"" marks its end)."""
    started: asyncio.Future[MutableMapping[str, Any]] = asyncio.get_running_loop().create_future()
    chunks: asyncio.Queue[bytes] = asyncio.Queue()
    gone, asked = asyncio.Event(), False

    async def receive() -> dict[str, Any]:
        nonlocal asked
        if not asked:
            asked = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await gone.wait()
        return {"type": "http.disconnect"}

    async def send(message: MutableMapping[str, Any]) -> None:
        if message["type"] == "http.response.start":
            started.set_result(message)
        elif message["type"] == "http.response.body":
            if message.get("body"):
                chunks.put_nowait(message["body"])
            if not message.get("more_body", False):
                chunks.put_nowait(b"")

    raw_headers = [(b"host", b"testserver")]
    raw_headers += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": query.encode(),
        "headers": raw_headers,
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }
    task = asyncio.ensure_future(app(scope, receive, send))
    try:
        start = await asyncio.wait_for(started, 2)
        response_headers = {k.decode(): v.decode() for k, v in start["headers"]}
        yield OpenResponse(start["status"], response_headers, chunks)
    finally:
        gone.set()
        await asyncio.wait_for(task, 2)
