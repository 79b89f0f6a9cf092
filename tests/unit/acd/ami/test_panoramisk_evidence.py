"""Evidence for docs/ami.md "panoramisk": faults of the pinned panoramisk 1.4.

Each test asserts that a fault EXISTS, against the in-process FakeAmiServer that
answers with Asterisk 22's exact wording. If an upgrade fixes one, its test fails:
then revisit the decision in docs/decisions.md. Every wait is bounded.

Claim checked: "Atxfer and synchronous Originate replies raise KeyError inside
data_received and drop the connection, QueueAdd can hang waiting for a list, and
its FastAGI server spins when a client closes early."
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from importlib.metadata import version
from typing import Any

import pytest
from panoramisk import fast_agi
from panoramisk.ami_protocol import AMIProtocol
from panoramisk.manager import Manager

from acd.ami.testing import FakeAmiServer, ReceivedAction, success

WAIT = 2.0  # seconds; the fake answers within milliseconds


def test_pinned_version() -> None:
    assert version("panoramisk") == "1.4"


@asynccontextmanager
async def panoramisk_manager(
    server: FakeAmiServer, **config: Any
) -> AsyncIterator[tuple[Manager, list[BaseException | None]]]:
    """A logged-in panoramisk Manager; the list collects on_disconnect exceptions."""
    lost: list[BaseException | None] = []
    manager = Manager(
        host="127.0.0.1",
        port=server.port,
        username=server.username,
        secret=server.secret,
        loop=asyncio.get_running_loop(),
        ping_delay=3600,  # keep its pinger out of the way
        on_disconnect=lambda _manager, exc: lost.append(exc),
        **{"reconnect_timeout": 3600, **config},
    )
    await asyncio.wait_for(manager.connect(), WAIT)
    await server.wait_until(lambda: server.logins >= 1, WAIT)
    try:
        yield manager, lost
    finally:
        manager.close()


def reply(message: str) -> Callable[[ReceivedAction], Sequence[bytes]]:
    return lambda action: [success(action, message)]


async def test_atxfer_reply_raises_keyerror_and_drops_the_connection() -> None:
    async with FakeAmiServer() as server:
        server.handlers["Atxfer"] = reply("Atxfer successfully queued")  # main/manager.c
        async with panoramisk_manager(server) as (manager, lost):
            answer = manager.send_action(
                {"Action": "Atxfer", "Channel": "PJSIP/1001-00000001", "Exten": "2001"}
            )
            await server.wait_until(lambda: server.disconnects >= 1, WAIT)
            await asyncio.sleep(0)  # on_disconnect is scheduled with call_soon
            assert len(lost) == 1 and isinstance(lost[0], KeyError)
            assert lost[0].args == ("async",)  # Action.multi reads self['async']
            assert not answer.done()  # and the caller waits forever


@pytest.mark.parametrize("async_header", [None, "true"])
async def test_originate_without_async_false_drops_the_connection(async_header: str | None) -> None:
    """Only an explicit ``Async: false`` avoids it; a synchronous Originate has no
    Async header at all, and Asterisk answers it "Originate successfully queued"."""
    action = {"Action": "Originate", "Channel": "PJSIP/1001", "Context": "kcc", "Exten": "s"}
    if async_header is not None:
        action["Async"] = async_header
    async with FakeAmiServer() as server:
        server.handlers["Originate"] = reply("Originate successfully queued")
        async with panoramisk_manager(server) as (manager, lost):
            answer = manager.send_action(action)
            if async_header is None:
                await server.wait_until(lambda: server.disconnects >= 1, WAIT)
                await asyncio.sleep(0)
                assert isinstance(lost[0], KeyError)
            else:  # async: it waits for OriginateResponse, as it should
                await asyncio.sleep(0.05)
                assert server.disconnects == 0 and lost == []
            assert not answer.done()


async def test_dropped_connection_reconnects_but_the_action_never_completes() -> None:
    async with FakeAmiServer() as server:
        server.handlers["Atxfer"] = reply("Atxfer successfully queued")
        async with panoramisk_manager(server, reconnect_timeout=0) as (manager, _lost):
            answer = manager.send_action({"Action": "Atxfer", "Channel": "C", "Exten": "1"})
            await server.wait_until(lambda: server.logins >= 2, WAIT)
            with pytest.raises(TimeoutError):
                await asyncio.wait_for(asyncio.shield(answer), 0.2)


async def test_unanswered_originate_is_sent_again_after_a_reconnect() -> None:
    """Found while checking the claim: actions without an answer when the connection
    drops are queued and re-sent after the next FullyBooted. A synchronous Originate
    is unanswered until the call is answered, so a drop can make it ring twice."""
    async with FakeAmiServer() as server:
        server.handlers["Originate"] = lambda action: []  # still ringing
        async with panoramisk_manager(server, reconnect_timeout=0) as (manager, _lost):
            manager.send_action(
                {"Action": "Originate", "Channel": "PJSIP/1001", "Application": "Playback"}
            )
            await server.wait_until(lambda: len(server.actions_named("Originate")) == 1, WAIT)
            await server.drop()
            await server.wait_until(lambda: len(server.actions_named("Originate")) == 2, WAIT)
            first, again = server.actions_named("Originate")
            assert first.action_id == again.action_id  # the very same action, dialled twice


async def test_queue_add_success_hangs_waiting_for_a_list_that_never_comes() -> None:
    async with FakeAmiServer() as server:
        server.handlers["QueueAdd"] = reply("Added interface to queue")  # apps/app_queue.c
        async with panoramisk_manager(server) as (manager, lost):
            answer = manager.send_action(
                {"Action": "QueueAdd", "Queue": "tic", "Interface": "PJSIP/1001"}
            )
            with pytest.raises(TimeoutError):
                await asyncio.wait_for(asyncio.shield(answer), 0.3)
            pong = await asyncio.wait_for(manager.send_action({"Action": "Ping"}), WAIT)
            assert pong.ping == "Pong"  # the connection itself is fine: a pure hang
            assert lost == [] and server.disconnects == 0
            waiting = [a["Action"] for a in manager.protocol.responses.values()]
            assert waiting == ["QueueAdd"]  # and it stays registered forever


async def test_fastagi_handler_spins_without_yielding_when_client_closes_early() -> None:
    """A client that closes before the blank line ending the AGI headers leaves the
    handler looping on ``reader.read()``, which returns b"" at EOF at once: the
    loop never yields, so the whole event loop is stuck. The reader below stops it
    after LIMIT reads; no loop tick happens meanwhile."""
    limit = 10_000
    loop = asyncio.get_running_loop()
    ticks = 0

    def tick() -> None:
        nonlocal ticks
        ticks += 1
        ticker[0] = loop.call_soon(tick)

    ticker = [loop.call_soon(tick)]
    seen: dict[str, int] = {}

    class Spin(Exception):
        pass

    class CountingReader:
        def __init__(self, reader: asyncio.StreamReader) -> None:
            self.reader, self.empty_reads = reader, 0

        async def read(self, n: int) -> bytes:
            data = await self.reader.read(n)
            if not data:
                self.empty_reads += 1
                seen.setdefault("ticks_at_eof", ticks)
                if self.empty_reads == limit:
                    seen.update(ticks_at_limit=ticks, reads=self.empty_reads)
                    raise Spin
            return data

    async def endpoint(request: fast_agi.Request) -> None:
        pytest.fail("no route may run for a request without complete headers")

    app = fast_agi.Application(loop=loop)
    app.add_route("calls/start", endpoint)
    done = asyncio.Event()

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await app.handler(CountingReader(reader), writer)
        except Spin:
            done.set()
        finally:
            writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    try:
        port = server.sockets[0].getsockname()[1]
        _reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"agi_network: yes\nagi_network_script: calls/start\n")  # no blank line
        await writer.drain()
        writer.close()
        await writer.wait_closed()
        await asyncio.wait_for(done.wait(), WAIT)
    finally:
        ticker[0].cancel()
        server.close()
        await server.wait_closed()
    assert seen["reads"] == limit
    assert seen["ticks_at_limit"] == seen["ticks_at_eof"]  # the event loop was starved


def test_utf8_character_split_across_reads_is_silently_dropped() -> None:
    """Found while checking the claim: data_received decodes each chunk on its own
    with errors='ignore', so a character cut by a TCP read boundary vanishes."""
    got: list[Any] = []

    class Factory:
        def dispatch(self, message: Any) -> None:
            got.append(message)

    protocol = AMIProtocol()
    protocol.connection_made(None)
    protocol.encoding = "utf8"
    protocol.factory = Factory()
    data = "Event: Newchannel\r\nCallerIDName: Jöran\r\nUniqueid: 1.1\r\n\r\n".encode()
    cut = data.index("ö".encode()) + 1
    protocol.data_received(data[:cut])
    protocol.data_received(data[cut:])
    assert got[0]["CallerIDName"] == "Jran"
