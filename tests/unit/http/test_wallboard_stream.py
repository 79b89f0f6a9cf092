"""The wallboard's event stream: pacing (snapshot_events) and the route, in-process and
over a real socket.

httpx's ASGITransport buffers a whole response before returning it, which never happens
for an endless stream; ``open_get`` (tests/unit/http/asgi_stream.py) drives the ASGI app
by hand instead.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import socket
import time
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta

import httpx
import pytest
import uvicorn
from fastapi import FastAPI

from contract.vocabulary import AgentState
from realtime_stats.app import create_app
from realtime_stats.figures.records import AgentInterval, CallRecord
from realtime_stats.wallboard.feed import BoardInputs, InMemoryBoardFeed
from realtime_stats.wallboard.stream import KEEPALIVE, StreamTiming, snapshot_events
from site_config import SiteConfig
from tests.unit.http.asgi_stream import open_get, parse_events
from tests.unit.http.demo_access import DISPLAY_TOKEN, basic, bearer

NOW = datetime(2026, 6, 15, 9, 0, tzinfo=UTC)
STREAM = "/api/wallboard/stream"


# --- snapshot_events: the stream's pacing, without HTTP ---


class Counter:
    """A render function that numbers its snapshots."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self) -> str:
        self.calls += 1
        return json.dumps({"n": self.calls})


async def next_chunk(stream: AsyncIterator[bytes], seconds: float = 1.0) -> bytes:
    return await asyncio.wait_for(anext(stream), seconds)


async def test_first_chunk_is_a_retry_hint_and_a_snapshot() -> None:
    feed, render = InMemoryBoardFeed(), Counter()
    stream = snapshot_events(feed, render, StreamTiming(retry_ms=2500))
    first = await next_chunk(stream)
    assert parse_events(first) == [("retry", 2500), ("snapshot", {"n": 1})]
    assert first.startswith(b"retry: 2500\nevent: snapshot\ndata: ")
    assert feed.subscriber_count == 1  # subscribed before the first snapshot was taken
    await stream.aclose()
    assert feed.subscriber_count == 0


async def test_a_burst_of_changes_is_pushed_once() -> None:
    feed, render = InMemoryBoardFeed(), Counter()
    stream = snapshot_events(feed, render, StreamTiming(min_gap_s=0.1))
    await next_chunk(stream)
    pushed = asyncio.ensure_future(next_chunk(stream))
    for _ in range(3):
        feed.notify()
        await asyncio.sleep(0.01)  # spread over 30 ms, all inside one gap
    assert parse_events(await pushed) == [("snapshot", {"n": 2})]
    quiet = asyncio.ensure_future(next_chunk(stream, 0.15))
    with pytest.raises(TimeoutError):  # the burst left nothing behind to push again
        await quiet
    assert render.calls == 2


async def test_pushes_are_at_least_the_minimum_gap_apart() -> None:
    feed, render = InMemoryBoardFeed(), Counter()
    stream = snapshot_events(feed, render, StreamTiming(min_gap_s=0.08))
    await next_chunk(stream)
    times = []
    for _ in range(3):
        feed.notify()
        await next_chunk(stream)
        times.append(time.monotonic())
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert all(gap >= 0.075 for gap in gaps), gaps
    await stream.aclose()


async def test_an_idle_stream_sends_keep_alive_comments() -> None:
    feed = InMemoryBoardFeed()
    stream = snapshot_events(feed, Counter(), StreamTiming(keepalive_s=0.05))
    await next_chunk(stream)
    assert await next_chunk(stream) == KEEPALIVE
    assert parse_events(KEEPALIVE) == [("comment", "keep-alive")]
    await stream.aclose()


class EndingFeed:
    """A feed whose subscription reports one change and then ends."""

    def inputs(self) -> BoardInputs:
        raise AssertionError("not called: these tests render with a Counter")

    async def subscribe(self) -> AsyncIterator[None]:
        yield


async def test_the_stream_ends_when_the_feed_ends() -> None:
    stream = snapshot_events(EndingFeed(), Counter(), StreamTiming(min_gap_s=0))
    chunks = [chunk async for chunk in stream]
    assert [event for chunk in chunks for event in parse_events(chunk)] == [
        ("retry", 3000),
        ("snapshot", {"n": 1}),
        ("snapshot", {"n": 2}),
    ]


def test_bad_timing_is_refused() -> None:
    with pytest.raises(ValueError, match="StreamTiming needs"):
        StreamTiming(keepalive_s=0)


# --- the route, driven in-process ---


@pytest.fixture
def feed() -> InMemoryBoardFeed:
    feed = InMemoryBoardFeed(clock=lambda: NOW)
    feed.put_agent_state(
        AgentInterval(agent_id="1001", state=AgentState.AVAILABLE, start=NOW - timedelta(hours=1))
    )
    return feed


@pytest.fixture
def board_app(site: SiteConfig, feed: InMemoryBoardFeed) -> FastAPI:
    return create_app(site, feed=feed)


async def test_the_stream_sends_a_snapshot_then_one_per_change(
    board_app: FastAPI, feed: InMemoryBoardFeed
) -> None:
    async with open_get(board_app, STREAM, headers=basic("floor")) as response:
        assert response.status == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        assert response.headers["cache-control"] == "no-store"
        retry, (name, first) = await response.next_events()
        assert (retry, name) == (("retry", 3000), "snapshot")
        assert (first["totals"]["waiting"], first["agents"][0]["state"]) == (0, "available")
        feed.put_call(CallRecord(call_id="c1", entered_at=NOW - timedelta(seconds=42)))
        [(name, second)] = await response.next_events()
        assert (name, second["totals"]["waiting"]) == ("snapshot", 1)
        assert second["totals"]["longest_wait_s"] == pytest.approx(42.0)
    assert feed.subscriber_count == 0  # the disconnect ended the subscription


@pytest.mark.parametrize(
    ("query", "headers", "status"),
    [
        ("", {}, 401),
        ("", basic("anouk"), 403),
        ("", basic("floor", "wrong"), 401),
        ("token=not-the-token", {}, 401),
        ("", bearer(), 200),
        (f"token={DISPLAY_TOKEN}", {}, 200),
        ("", basic("teamlead"), 200),
        ("", basic("admin"), 200),
    ],
    ids=[
        "anonymous",
        "agent",
        "bad-password",
        "bad-token",
        "bearer",
        "query-token",
        "lead",
        "admin",
    ],
)
async def test_who_may_open_the_stream(
    board_app: FastAPI, query: str, headers: dict[str, str], status: int
) -> None:
    async with open_get(board_app, STREAM, query=query, headers=headers) as response:
        assert response.status == status
        if status == 200:
            assert (await response.next_events())[1][0] == "snapshot"
        else:
            assert ("www-authenticate" in response.headers) is (status == 401)
            assert json.loads(await response.body())["detail"]


# --- over a real socket, as a browser sees it ---


def bound_socket() -> socket.socket:
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


async def until(condition: Callable[[], bool]) -> None:
    async with asyncio.timeout(5):
        while not condition():  # noqa: ASYNC110 (uvicorn offers no event to wait on)
            await asyncio.sleep(0.01)


async def read_block(lines: AsyncIterator[str]) -> list[str]:
    """The lines of one event, up to the blank line that ends it."""
    block = []
    async with asyncio.timeout(2):
        while line := await anext(lines):
            block.append(line)
    return block


@pytest.mark.usefixtures("restore_uvicorn_logging")
async def test_the_stream_over_a_real_socket(board_app: FastAPI, feed: InMemoryBoardFeed) -> None:
    sock = bound_socket()
    port = sock.getsockname()[1]
    config = uvicorn.Config(board_app, lifespan="on", log_level="warning")
    server = uvicorn.Server(config)
    serving = asyncio.ensure_future(server.serve(sockets=[sock]))
    try:
        await until(lambda: server.started)
        url = f"http://127.0.0.1:{port}{STREAM}"
        async with (
            httpx.AsyncClient(timeout=5) as client,
            client.stream("GET", url, params={"token": DISPLAY_TOKEN}) as response,
        ):
            assert response.headers["content-type"].startswith("text/event-stream")
            lines = response.aiter_lines()
            first = await read_block(lines)
            assert first[:2] == ["retry: 3000", "event: snapshot"]
            assert json.loads(first[2].removeprefix("data: "))["totals"]["waiting"] == 0
            feed.put_call(CallRecord(call_id="c1", entered_at=NOW))
            second = await read_block(lines)
            assert second[0] == "event: snapshot"
            assert json.loads(second[1].removeprefix("data: "))["totals"]["waiting"] == 1
        await until(lambda: feed.subscriber_count == 0)  # the closed connection ended it
    finally:
        server.should_exit = True
        await asyncio.wait_for(serving, 5)
