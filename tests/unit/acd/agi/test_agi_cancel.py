"""Cancelling a waiting command: the reply Asterisk still owes must not be taken for the next.

res_agi.c decides what an interrupted command sends: STREAM FILE stops and sends
nothing when the next command line arrives, WAIT FOR DIGIT stops and sends
"200 result=1", a command that ran to its end sends its normal reply. The
session must get the next command's own reply in every case.
"""

from __future__ import annotations

import asyncio

from acd.agi.testing import result
from tests.unit.acd.agi.agi_calls import commands_sent, live_call

SYNC = "GET FULL VARIABLE agi-sync-"


def echo(line: str) -> str:
    return result(1, line.split()[-1])


async def cancel_when_sent(task: asyncio.Task[object], ast_wait: asyncio.Future[str]) -> None:
    await asyncio.wait_for(ast_wait, 2)
    task.cancel()
    await asyncio.wait([task])
    assert task.cancelled()


def playback_then(line: str) -> str | None:
    """Asterisk with a long playback: STREAM FILE is still playing when we move on."""
    if line.startswith(SYNC):
        return echo(line)
    return None if line.startswith("STREAM") else result(1, "v")


async def test_cancelled_playback_that_sends_no_reply() -> None:
    async with live_call(playback_then) as (session, ast):
        playing = asyncio.create_task(session.stream_file("kcc/wachtmuziek", "1"))
        await cancel_when_sent(playing, asyncio.ensure_future(ast.wait_for_command("STREAM")))
        assert session.owed_replies == 1
        assert await session.get_variable("KCC_TOPIC") == "v"
        assert session.owed_replies == 0
        assert session.discarded_replies == 0
        assert [c.split()[0] for c in ast.commands] == ["STREAM", "GET", "GET"]
        assert ast.commands[1].startswith(SYNC)


async def test_cancelled_playback_whose_reply_arrives_while_idle() -> None:
    async with live_call(playback_then) as (session, ast):
        playing = asyncio.create_task(session.stream_file("kcc/wachtmuziek", "1"))
        await cancel_when_sent(playing, asyncio.ensure_future(ast.wait_for_command("STREAM")))
        await ast.send(result(0, endpos=48000) + "\n")  # the playback ends by itself
        await asyncio.sleep(0.02)
        assert await session.get_variable("KCC_TOPIC") == "v"
        assert session.discarded_replies == 1


async def test_cancelled_wait_for_digit_answered_when_the_next_line_arrives() -> None:
    def answer(line: str) -> str | None:
        if line.startswith(SYNC):
            return f"{result(1)}\n{echo(line)}"  # WAIT FOR DIGIT gives up with result=1
        return None if line.startswith("WAIT") else result(1, "v")

    async with live_call(answer) as (session, ast):
        waiting = asyncio.create_task(session.wait_for_digit(30))
        await cancel_when_sent(waiting, asyncio.ensure_future(ast.wait_for_command("WAIT")))
        assert await session.get_variable("KCC_TOPIC") == "v"
        assert session.discarded_replies == 1
        assert commands_sent(ast, without=[SYNC]) == [
            "WAIT FOR DIGIT 30000",
            "GET VARIABLE KCC_TOPIC",
        ]


async def test_two_cancelled_commands_and_a_cancelled_sync() -> None:
    syncs: list[str] = []

    def answer(line: str) -> str | None:
        if line.startswith(SYNC):
            syncs.append(line)
            return None if len(syncs) == 1 else f"{echo(syncs[0])}\n{echo(line)}"
        return None if line.startswith("STREAM") else result(1, "v")

    async with live_call(answer) as (session, ast):
        playing = asyncio.create_task(session.stream_file("kcc/a"))
        await cancel_when_sent(playing, asyncio.ensure_future(ast.wait_for_command("STREAM")))
        reading = asyncio.create_task(session.get_variable("A"))
        await cancel_when_sent(reading, asyncio.ensure_future(ast.wait_for_command(SYNC)))
        assert session.owed_replies == 2  # the playback and the first marker
        assert await session.get_variable("B") == "v"
        assert session.discarded_replies == 1  # the first marker's late echo
        assert session.owed_replies == 0
        assert [c.split()[0] for c in ast.commands] == ["STREAM", "GET", "GET", "GET"]
