"""AgiServer and AgiRouter with real sockets: routing, bad peers, isolation, stop."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

import pytest

from acd.agi import AgiHangup, AgiRouter, AgiServer, AgiSession
from acd.agi.testing import FakeAsterisk, asterisk_env, encode_env
from tests.unit.acd.agi.agi_calls import Script

ENV = asterisk_env()


async def until(condition: Callable[[], bool], within_s: float = 2.0) -> None:
    # Polls: the server exposes counters, not events, and tests only need "soon".
    async with asyncio.timeout(within_s):
        while not condition():  # noqa: ASYNC110
            await asyncio.sleep(0.005)


async def test_router_picks_the_handler_by_script_path() -> None:
    seen: list[tuple[str, dict[str, str]]] = []

    async def feature(session: AgiSession) -> None:
        seen.append(("feature", dict(session.env.script_params)))
        await session.set_variable("KCC_HANDLED", "1")

    async def ivr(session: AgiSession) -> None:
        seen.append(("ivr", {}))

    router = AgiRouter({"/ivr": ivr, "feature": feature})
    assert router.paths == {"ivr", "feature"}
    async with AgiServer(router, port=0) as server, FakeAsterisk(server.port) as ast:
        await ast.send_env(asterisk_env("feature?code=*51"))
        await asyncio.wait_for(ast.closed_by_server.wait(), 2)
    assert seen == [("feature", {"code": "*51"})]
    assert ast.commands == ["SET VARIABLE KCC_HANDLED 1"]


async def test_unknown_script_path_closes_so_the_dialplan_continues(
    caplog: pytest.LogCaptureFixture,
) -> None:
    router = AgiRouter({"ivr": lambda session: asyncio.sleep(0)})
    async with AgiServer(router, port=0) as server, FakeAsterisk(server.port) as ast:
        await ast.send_env(asterisk_env("queue?topic=afval"))
        await asyncio.wait_for(ast.closed_by_server.wait(), 2)
        assert ast.commands == []
    assert "no AGI handler for script 'queue?topic=afval'" in caplog.text
    assert "PJSIP/trunk-00000001" in caplog.text


async def test_port_zero_binds_a_free_port_and_port_needs_start() -> None:
    server = AgiServer(lambda session: asyncio.sleep(0), port=0)
    with pytest.raises(RuntimeError, match="start"):
        _ = server.port
    async with server:
        assert server.port > 0
    with pytest.raises(RuntimeError, match="start"):
        _ = server.port


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"port": 70000}, "port"), ({"max_sessions": 0}, "max_sessions"), ({"env_timeout": 0}, "env")],
)
def test_bad_settings_are_refused(kwargs: dict[str, float], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        AgiServer(lambda session: asyncio.sleep(0), **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("data", "logged"),
    [
        (b"", "before the end of the AGI environment (0 lines, 0 bytes"),
        (b"agi_network: yes\nagi_chan", "middle of a line"),
        (b"GET / HTTP/1.1\r\nHost: kcc\r\n\r\n", "garbage before the AGI environment"),
        (b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\n", "garbage before the AGI environment"),
    ],
    ids=["connect-and-close", "half-env-then-close", "http", "tls-hello"],
)
async def test_bad_peers_are_dropped_and_logged(
    data: bytes, logged: str, caplog: pytest.LogCaptureFixture
) -> None:
    called: list[AgiSession] = []

    async def handler(session: AgiSession) -> None:
        called.append(session)

    async with AgiServer(handler, port=0) as server, FakeAsterisk(server.port) as ast:
        await ast.send(data)
        if b"\n\n" not in data.replace(b"\r", b""):
            await ast.close()
        await until(lambda: server.active_sessions == 0)
    assert called == []
    assert logged in caplog.text
    assert "dropped" in caplog.text


async def test_slow_environment_times_out_without_blocking_other_calls(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def handler(session: AgiSession) -> None:
        await session.answer()

    started = time.monotonic()  # before connecting, so before the server's clock starts
    async with (
        AgiServer(handler, port=0, env_timeout=0.5) as server,
        FakeAsterisk(server.port) as slow,
        FakeAsterisk(server.port) as quick,
    ):
        await slow.send(encode_env(ENV)[:40])
        await quick.send_env()
        await asyncio.wait_for(quick.closed_by_server.wait(), 2)
        assert quick.commands == ["ANSWER"]
        assert not slow.closed_by_server.is_set()  # served while the slow one still waits
        await asyncio.wait_for(slow.closed_by_server.wait(), 2)
        assert time.monotonic() - started >= 0.5
    assert "no complete AGI environment within 0.5 s (40 bytes received)" in caplog.text


async def test_crashing_handler_is_logged_with_its_channel_and_spares_the_other_call(
    caplog: pytest.LogCaptureFixture,
) -> None:
    both_started = asyncio.Barrier(2)

    async def handler(session: AgiSession) -> None:
        await both_started.wait()
        if session.env.channel == "PJSIP/a-1":
            raise RuntimeError("bug in the IVR flow")
        await asyncio.sleep(0.05)  # still running when the other call crashes
        await session.set_variable("KCC_TOPIC", "afval")

    async with (
        AgiServer(handler, port=0) as server,
        FakeAsterisk(server.port) as bad,
        FakeAsterisk(server.port) as good,
    ):
        await bad.send_env(asterisk_env(agi_channel="PJSIP/a-1"))
        await good.send_env(asterisk_env(agi_channel="PJSIP/b-2"))
        await asyncio.wait_for(bad.closed_by_server.wait(), 2)
        await asyncio.wait_for(good.closed_by_server.wait(), 2)
        assert good.commands == ["SET VARIABLE KCC_TOPIC afval"]
    crash = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(crash) == 1
    assert "PJSIP/a-1" in crash[0].getMessage()
    assert crash[0].exc_info is not None and "bug in the IVR flow" in str(crash[0].exc_info[1])


async def test_caller_hanging_up_mid_command_ends_the_handler(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="acd.agi")
    outcome: list[BaseException] = []

    async def handler(session: AgiSession) -> None:
        try:
            await session.stream_file("kcc/wachtmuziek")
        except AgiHangup as error:
            outcome.append(error)
            raise

    async with (
        AgiServer(handler, port=0) as server,
        FakeAsterisk(server.port, answer=Script({"STREAM": None})) as ast,
    ):
        await ast.send_env()
        await ast.wait_for_command("STREAM FILE")
        await ast.abort()
        await until(lambda: server.active_sessions == 0)
    assert len(outcome) == 1
    assert "ended by hangup" in caplog.text


async def test_stop_cancels_open_calls_and_waits_for_them() -> None:
    cancelled: list[str] = []
    started = asyncio.Event()

    async def handler(session: AgiSession) -> None:
        try:
            started.set()
            await session.wait_hangup()
        except asyncio.CancelledError:
            cancelled.append(session.env.channel)
            raise

    server = AgiServer(handler, port=0)
    await server.start()
    async with FakeAsterisk(server.port) as ast, FakeAsterisk(server.port) as slow:
        await ast.send_env()
        await slow.send(b"agi_network: yes\n")  # still in its environment
        await asyncio.wait_for(started.wait(), 2)
        await until(lambda: server.active_sessions == 2)
        await server.stop()
        assert server.active_sessions == 0
        assert cancelled == ["PJSIP/trunk-00000001"]
        await asyncio.wait_for(ast.closed_by_server.wait(), 2)
    await server.stop()  # a second stop is harmless


async def test_calls_above_max_sessions_are_refused_at_once() -> None:
    release = asyncio.Event()

    async def handler(session: AgiSession) -> None:
        await release.wait()

    async with (
        AgiServer(handler, port=0, max_sessions=1) as server,
        FakeAsterisk(server.port) as first,
        FakeAsterisk(server.port) as second,
    ):
        await first.send_env()
        await until(lambda: server.rejected_connections == 1)
        await second.send_env()
        await asyncio.wait_for(second.closed_by_server.wait(), 2)
        assert not first.closed_by_server.is_set()
        release.set()
        await asyncio.wait_for(first.closed_by_server.wait(), 2)
