"""``http_access.body_limit.BodyLimit``: bodies over the limit are refused, before reading."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import httpx
import pytest
from starlette.types import Message, Receive, Scope, Send

from http_access.body_limit import STATS_MAX_BODY, BodyLimit

LIMIT = 1024


class EchoApp:
    """Reads the whole body and answers its length; remembers what it saw."""

    def __init__(self) -> None:
        self.called = False
        self.saw_disconnect = False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.called = True
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                self.saw_disconnect = True
                break
            size += len(message.get("body", b""))
            if not message.get("more_body", False):
                break
        body = json.dumps({"size": size}).encode()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": body})


async def answer_to_declared_length(content_length: bytes) -> list[Message]:
    """What BodyLimit sends for a POST that declares ``content_length``; reading any of
    its body fails the test."""
    sent: list[Message] = []

    async def receive() -> Message:
        raise AssertionError("the body was read")

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "method": "POST",
        "path": "/",
        "headers": [(b"content-length", content_length)],
    }
    await BodyLimit(EchoApp(), max_bytes=LIMIT)(scope, receive, send)
    return sent


def client(app: EchoApp) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=BodyLimit(app, max_bytes=LIMIT))
    return httpx.AsyncClient(transport=transport, base_url="http://t")


async def chunks(total: int, size: int = 256) -> AsyncIterator[bytes]:
    sent = 0
    while sent < total:
        yield b"x" * min(size, total - sent)
        sent += size


async def test_a_body_within_the_limit_reaches_the_app() -> None:
    app = EchoApp()
    async with client(app) as c:
        reply = await c.post("/", content=b"x" * LIMIT)
    assert reply.status_code == 200 and reply.json() == {"size": LIMIT}


async def test_a_declared_length_over_the_limit_is_413_before_the_app_runs() -> None:
    app = EchoApp()
    async with client(app) as c:
        reply = await c.post("/", content=b"x" * (LIMIT + 1))
    assert reply.status_code == 413
    assert reply.json() == {
        "detail": "the request body is larger than 1024 bytes (1 KiB), "
        "the most this service accepts"
    }
    assert not app.called


async def test_413_on_a_declared_length_reads_no_byte_of_the_body() -> None:
    sent = await answer_to_declared_length(b"5000000000")
    assert sent[0]["status"] == 413


async def test_a_chunked_body_is_cut_off_with_413_once_over_the_limit() -> None:
    app = EchoApp()
    async with client(app) as c:
        reply = await c.post("/", content=chunks(LIMIT * 10))
    assert reply.status_code == 413
    assert "1024 bytes" in reply.json()["detail"]
    assert app.saw_disconnect  # the app stopped reading; its own answer was dropped


async def test_a_chunked_body_within_the_limit_passes() -> None:
    app = EchoApp()
    async with client(app) as c:
        reply = await c.post("/", content=chunks(LIMIT))
    assert reply.status_code == 200 and reply.json() == {"size": LIMIT}


async def test_a_content_length_that_is_no_number_is_400() -> None:
    sent = await answer_to_declared_length(b"12abc")
    assert sent[0]["status"] == 400
    assert b"'12abc' is not a whole number" in sent[1]["body"]


def test_a_negative_limit_is_refused() -> None:
    with pytest.raises(ValueError, match="max_bytes"):
        BodyLimit(EchoApp(), max_bytes=-1)


async def test_the_stats_app_refuses_a_large_body_before_authentication(
    client: httpx.AsyncClient,
) -> None:
    # Anonymous and to a GET route: the size decides first, before login or routing.
    reply = await client.post("/api/wallboard", content=b"x" * (STATS_MAX_BODY + 1))
    assert reply.status_code == 413
    assert f"{STATS_MAX_BODY} bytes" in reply.json()["detail"]
