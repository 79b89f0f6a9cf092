"""AmiClient against the in-process FakeAmiServer: login, actions, keep-alive, reconnect."""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import Sequence

import pytest

from acd.ami import (
    AmiActionError,
    AmiClient,
    AmiConnectionError,
    AmiLoginError,
    AmiSettings,
    AmiTimeoutError,
    Backoff,
    ResyncRequired,
)
from acd.ami.actions import Originate, Ping, QueueAdd, QueueStatus
from acd.ami.events import GenericEvent, HangupRequest, OriginateResponse, QueueMember
from acd.ami.testing import FakeAmiServer, ReceivedAction, error, event, list_answer, success
from tests.unit.acd.ami.ami_frames import chan, queue_member

FAST = Backoff(initial=0.01, maximum=0.05, jitter=0)


def settings(server: FakeAmiServer, **overrides: object) -> AmiSettings:
    values: dict[str, object] = {
        "port": server.port,
        "username": server.username,
        "secret": server.secret,
        "startup_timeout": 2.0,
        "action_timeout": 1.0,
        "ping_interval": 30.0,
        "backoff": FAST,
        **overrides,
    }
    return AmiSettings(**values)  # type: ignore[arg-type]


def queue_status(action: ReceivedAction) -> Sequence[bytes]:
    return list_answer(
        action, [("QueueMember", queue_member())], "QueueStatusComplete", "Queue status will follow"
    )


def hangup_request(n: int) -> bytes:
    return event("HangupRequest", [("Privilege", "call,all"), *chan(uid=f"1.{n}")])


def is_fully_booted(item: object) -> bool:
    return isinstance(item, GenericEvent) and item.name == "FullyBooted"


async def test_login_events_and_a_list_action() -> None:
    async with FakeAmiServer() as server:
        server.handlers["QueueStatus"] = queue_status
        async with AmiClient(settings(server)) as client:
            assert client.connected and client.connections == 1
            assert client.reconnects == 0
            first = await asyncio.wait_for(client.events().get(), 1)
            assert is_fully_booted(first)  # no type: nothing in the product reads it
            result = await client.send_action(QueueStatus(queue="tic"))
            (member,) = result.items(QueueMember)
            assert (member.queue, member.name, member.paused) == ("tic", "TIC 1001", False)
            await server.emit(hangup_request(1001))
            pushed = await asyncio.wait_for(client.events().get(), 1)
            assert isinstance(pushed, HangupRequest) and pushed.channel.uniqueid == "1.1001"
        assert [a.name for a in server.received] == ["Login", "QueueStatus", "Logoff"]
        assert [item async for item in client.events()] == []  # stream ended with the client


async def test_wrong_secret_raises_login_error_and_never_logs_the_secret(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    async with FakeAmiServer() as server:
        bad = settings(server, secret="wrong-s3cret")
        with pytest.raises(AmiLoginError) as raised:
            async with AmiClient(bad):
                pytest.fail("must not get here")
        message = str(raised.value)
        assert "'kcc'" in message and f"127.0.0.1:{server.port}" in message
        assert "Authentication failed" in message
        assert server.logins == 0
    assert "wrong-s3cret" not in message
    assert "wrong-s3cret" not in caplog.text


async def test_error_response_raises_action_error_with_asterisk_message() -> None:
    async with FakeAmiServer() as server:
        server.handlers["QueueAdd"] = lambda a: [error(a, "Unable to add interface: Already there")]
        async with AmiClient(settings(server)) as client:
            with pytest.raises(AmiActionError, match=r"QueueAdd .* Already there"):
                await client.send_action(QueueAdd(queue="tic", interface="PJSIP/1001"))


async def test_async_originate_returns_with_the_originate_response() -> None:
    def originate(action: ReceivedAction) -> Sequence[bytes]:
        outcome = [
            ("Privilege", "call,all"),
            ("Response", "Success"),
            ("Channel", "PJSIP/1001-0000000a"),
            ("Context", "kcc"),
            ("Exten", "s"),
            ("Reason", "4"),
            ("Uniqueid", "1.10"),
            ("CallerIDNum", "<unknown>"),
            ("CallerIDName", "<unknown>"),
        ]
        return [
            success(action, "Originate successfully queued"),
            event("OriginateResponse", outcome, action=action),
        ]

    async with FakeAmiServer() as server:
        server.handlers["Originate"] = originate
        async with AmiClient(settings(server)) as client:
            result = await client.send_action(
                Originate(channel="PJSIP/1001", context="kcc", exten="s")
            )
            (outcome,) = result.items(OriginateResponse)
            assert outcome.success and outcome.uniqueid == "1.10"


async def test_timeout_names_the_action_and_the_late_answer_is_swallowed() -> None:
    answers: list[ReceivedAction] = []

    def hold_back(action: ReceivedAction) -> Sequence[bytes]:
        answers.append(action)  # answered later, after the timeout
        return []

    async with FakeAmiServer() as server:
        server.handlers["QueueStatus"] = hold_back
        async with AmiClient(settings(server)) as client:
            with pytest.raises(AmiTimeoutError, match=r"QueueStatus \(ActionID .*\) .* 0.1 s"):
                await client.send_action(QueueStatus(), timeout=0.1)
            await server.emit(b"".join(queue_status(answers[0])))
            await server.emit(hangup_request(7))
            item = await asyncio.wait_for(client.events().get(), 1)
            while is_fully_booted(item):
                item = await asyncio.wait_for(client.events().get(), 1)
            assert isinstance(item, HangupRequest)  # no QueueMember leaked into the stream


async def test_a_cancelled_action_has_its_late_answer_swallowed() -> None:
    held: list[ReceivedAction] = []

    def hold_back(action: ReceivedAction) -> Sequence[bytes]:
        held.append(action)  # answered later, after the caller gave up
        return []

    server = FakeAmiServer(fully_booted=False)
    server.handlers["QueueStatus"] = hold_back
    async with server, AmiClient(settings(server)) as client:
        asking = asyncio.create_task(client.send_action(QueueStatus()))
        await server.wait_until(lambda: bool(held))
        asking.cancel()
        with pytest.raises(asyncio.CancelledError):
            await asking
        await server.emit(b"".join(queue_status(held[0])) + hangup_request(3))
        item = await asyncio.wait_for(client.events().get(), 1)
        assert isinstance(item, HangupRequest)  # no QueueMember leaked into the stream
        await asyncio.wait_for(client.send_action(Ping()), 1)


async def test_timeout_names_the_configured_timeout_not_what_was_left_of_it() -> None:
    # Part of the timeout goes on waiting for a connection: the message must still
    # name the 0.5 s the caller set, not the remainder the answer was waited for.
    async with FakeAmiServer() as server:
        server.handlers["QueueStatus"] = lambda action: []
        slow = settings(server, backoff=Backoff(initial=0.2, maximum=0.2, jitter=0))
        async with AmiClient(slow) as client:
            await server.drop()
            await server.wait_until(lambda: not client.connected)
            with pytest.raises(AmiTimeoutError) as raised:
                await client.send_action(QueueStatus(), timeout=0.5)
            assert server.logins == 2  # the wait spanned a reconnect
    assert str(raised.value).endswith("within 0.5 s")


async def test_keepalive_detects_a_stalled_server_and_reconnects() -> None:
    connected = 0

    async def on_connected(client: AmiClient) -> None:
        nonlocal connected
        connected += 1

    async with FakeAmiServer() as server:
        quick = settings(server, ping_interval=0.05, ping_timeout=0.1)
        async with AmiClient(quick, on_connected=on_connected) as client:
            await server.wait_until(lambda: len(server.actions_named("Ping")) >= 1)
            server.stall()
            await server.wait_until(lambda: server.disconnects >= 1, limit=1.0)
            server.resume()
            await server.wait_until(lambda: server.logins >= 2, limit=1.0)
            await asyncio.wait_for(client.send_action(Ping()), 1)
        assert connected == 2


async def test_reconnect_after_drop_calls_on_connected_again_and_fails_inflight() -> None:
    seen: list[int] = []

    async def on_connected(client: AmiClient) -> None:
        seen.append(client.connections)
        await client.send_action(Ping())  # the hook may use the connection (resync)

    async with FakeAmiServer() as server:
        server.handlers["QueueStatus"] = lambda a: []  # never answered before the drop
        async with AmiClient(settings(server), on_connected=on_connected) as client:
            pending = asyncio.create_task(client.send_action(QueueStatus(), timeout=2))
            await server.wait_until(lambda: bool(server.actions_named("QueueStatus")))
            await server.drop()
            with pytest.raises(AmiConnectionError, match="closed"):
                await pending
            await server.wait_until(lambda: server.logins >= 2)
            await asyncio.wait_for(client.send_action(Ping()), 1)
        assert seen == [1, 2]
        assert client.reconnects == 1
        assert len(server.actions_named("QueueStatus")) == 1  # never re-sent


async def test_slow_consumer_gets_resync_and_the_socket_keeps_draining() -> None:
    server = FakeAmiServer(fully_booted=False)
    async with server, AmiClient(settings(server, event_queue_size=3)) as client:
        for n in range(10):
            await server.emit(hangup_request(n))
        await asyncio.wait_for(client.send_action(Ping()), 1)  # reader still reading
        stream = client.events()
        assert stream.get_nowait() == ResyncRequired(7)
        rest = [stream.get_nowait() for _ in range(3)]
        assert [e.channel.uniqueid for e in rest] == ["1.7", "1.8", "1.9"]  # type: ignore[union-attr]
        assert client.dropped_events == 7


async def test_no_server_fails_startup_with_a_clear_error() -> None:
    with socket.socket() as reserved:  # bound, never listening: connections are refused
        reserved.bind(("127.0.0.1", 0))
        port = reserved.getsockname()[1]
        quick = AmiSettings(
            port=port, username="kcc", secret="x", startup_timeout=0.2, backoff=FAST
        )
        with pytest.raises(AmiConnectionError, match=rf"127.0.0.1:{port} within 0.2 s .*cannot"):
            async with AmiClient(quick):
                pytest.fail("must not get here")


async def test_send_after_close_is_refused() -> None:
    async with FakeAmiServer() as server:
        async with AmiClient(settings(server)) as client:
            pass
        with pytest.raises(AmiConnectionError, match="closed"):
            await client.send_action(Ping())


async def test_a_bug_in_on_connected_is_raised_not_retried() -> None:
    calls = 0

    async def broken(client: AmiClient) -> None:
        nonlocal calls
        calls += 1
        raise KeyError("resync bug")

    async with FakeAmiServer() as server:
        with pytest.raises(BaseExceptionGroup) as raised:
            async with AmiClient(settings(server), on_connected=broken):
                pytest.fail("must not get here")
        assert raised.group_contains(KeyError)
        assert calls == 1 and server.logins == 1


async def test_varset_is_skipped_and_unknown_events_arrive_generic() -> None:
    varset = event(
        "VarSet",
        [
            ("Privilege", "dialplan,all"),
            ("Channel", "none"),
            ("Uniqueid", "none"),
            ("Variable", "KCC_TOPIC"),
            ("Value", "1"),
        ],
    )
    music = event("MusicOnHoldStart", [("Privilege", "call,all"), *chan(), ("Class", "default")])
    server = FakeAmiServer(fully_booted=False)
    async with server, AmiClient(settings(server)) as client:
        await server.emit(varset + music + hangup_request(1))
        first = await asyncio.wait_for(client.events().get(), 1)
        assert isinstance(first, GenericEvent) and first.name == "MusicOnHoldStart"
        assert first.headers["Class"] == "default"
        assert isinstance(await asyncio.wait_for(client.events().get(), 1), HangupRequest)


async def test_malformed_frame_is_logged_and_the_stream_goes_on(
    caplog: pytest.LogCaptureFixture,
) -> None:
    server = FakeAmiServer(fully_booted=False)
    async with server, AmiClient(settings(server)) as client:
        await server.emit(b"Event: Broken\r\nno separator here\r\n\r\n" + hangup_request(5))
        item = await asyncio.wait_for(client.events().get(), 1)
        assert isinstance(item, HangupRequest) and item.channel.uniqueid == "1.5"
    assert "line 2 has no ':' separator: 'no separator here'" in caplog.text
