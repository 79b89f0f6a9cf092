"""AgiSession against FakeAsterisk over real sockets: commands, errors, hangup, cancel."""

from __future__ import annotations

import asyncio

import pytest

from acd.agi import AgiCommandError, AgiHangup, AgiProtocolError
from acd.agi.testing import (
    DEAD_CHANNEL,
    INVALID_COMMAND,
    USAGE_NOT_AVAILABLE,
    asterisk_env,
    result,
    usage_error,
)
from tests.unit.acd.agi.agi_calls import Script, live_call

SYNC = "GET FULL VARIABLE agi-sync-"


async def test_env_and_plain_command() -> None:
    env = asterisk_env("ivr", "x", agi_channel="PJSIP/trunk-0000002a")
    async with live_call(env=env) as (session, ast):
        assert session.env.channel == "PJSIP/trunk-0000002a"
        assert session.env.arguments == ("x",)
        reply = await session.command("NOOP")
        assert (reply.code, reply.result) == (200, 0)
        assert ast.commands == ["NOOP"]


@pytest.mark.parametrize(
    ("reply", "expected"), [(result(50, endpos=800), "2"), (result(0, endpos=16000), None)]
)
async def test_stream_file_returns_the_digit_or_none(reply: str, expected: str | None) -> None:
    async with live_call(Script({"STREAM FILE": reply})) as (session, ast):
        assert await session.stream_file("kcc/welkom", "12") == expected
        assert ast.commands == ["STREAM FILE kcc/welkom 12"]


async def test_stream_file_without_escape_digits_sends_an_empty_argument() -> None:
    async with live_call(Script({"STREAM FILE": result(0, endpos=1)})) as (session, ast):
        assert await session.stream_file("kcc/menu uitleg") is None
        assert ast.commands == ['STREAM FILE "kcc/menu uitleg" ""']


async def test_missing_sound_file_is_a_command_error_naming_the_file() -> None:
    # res_agi.c answers a file it cannot open with result=-1 endpos=0 on a live channel.
    script = Script({"STREAM FILE": result(-1, endpos=0)})
    async with live_call(script) as (session, ast):
        with pytest.raises(AgiCommandError, match="could not play sound file 'kcc/nope'"):
            await session.stream_file("kcc/nope", "1")
        assert ast.commands[-1] == "CHANNEL STATUS"
        assert not session.hung_up
        assert (await session.command("NOOP")).code == 200  # the call goes on
        assert ast.commands[-1] == "NOOP"


async def test_hangup_during_playback_reply_then_hangup_line() -> None:
    script = Script({"STREAM FILE": "200 result=-1 endpos=4000\nHANGUP"})
    async with live_call(script) as (session, ast):
        with pytest.raises(AgiHangup):
            await session.stream_file("kcc/welkom", "1")
        assert session.hung_up
        with pytest.raises(AgiHangup, match="not sent"):
            await session.get_variable("KCC_TOPIC")
        assert "GET VARIABLE KCC_TOPIC" not in ast.commands


async def test_hangup_line_before_the_reply_is_not_taken_for_the_reply() -> None:
    script = Script({"GET VARIABLE": "HANGUP\n200 result=1 (burgerzaken)"})
    async with live_call(script) as (session, ast):
        assert await session.get_variable("KCC_TOPIC") == "burgerzaken"
        assert session.hung_up
        with pytest.raises(AgiHangup):
            await session.stream_file("kcc/welkom")
        assert ast.commands == ["GET VARIABLE KCC_TOPIC"]


async def test_hangup_line_then_511_for_the_command_sent_meanwhile() -> None:
    script = Script({"STREAM FILE": f"HANGUP\n{DEAD_CHANNEL}"})
    async with live_call(script) as (session, _ast):
        with pytest.raises(AgiHangup, match="511"):
            await session.stream_file("kcc/welkom", "1")


async def test_hangup_during_playback_without_hangup_line_is_found_by_the_511() -> None:
    # With AGISIGHUP=no Asterisk sends no HANGUP line; the dead channel refuses CHANNEL STATUS.
    script = Script({"STREAM FILE": result(-1, endpos=0), "CHANNEL STATUS": DEAD_CHANNEL})
    async with live_call(script) as (session, ast):
        with pytest.raises(AgiHangup, match="511"):
            await session.stream_file("kcc/welkom")
        assert ast.commands[-1] == "CHANNEL STATUS"
        assert session.hung_up


async def test_hangup_line_while_idle_is_noticed() -> None:
    async with live_call() as (session, ast):
        await ast.send_hangup()
        await asyncio.wait_for(session.wait_hangup(), 2)
        assert session.hung_up
        with pytest.raises(AgiHangup):
            await session.answer()
        assert ast.commands == []


async def test_connection_closed_while_waiting_is_a_hangup() -> None:
    async with live_call(Script({"WAIT FOR DIGIT": None})) as (session, ast):
        waiting = asyncio.create_task(session.wait_for_digit(10))
        await ast.wait_for_command("WAIT FOR DIGIT")
        await ast.close()
        with pytest.raises(AgiHangup, match="closed"):
            await asyncio.wait_for(waiting, 2)
        with pytest.raises(AgiHangup, match="closed"):
            await session.command("NOOP")


@pytest.mark.parametrize(
    ("reply", "expected"),
    [(result(35), "#"), (result(42), "*"), (result(0), None)],
)
async def test_wait_for_digit(reply: str, expected: str | None) -> None:
    async with live_call(Script({"WAIT FOR DIGIT": reply})) as (session, ast):
        assert await session.wait_for_digit(2.5) == expected
        assert ast.commands == ["WAIT FOR DIGIT 2500"]


async def test_wait_for_digit_hangup_and_nonsense() -> None:
    script = Script({"WAIT FOR DIGIT": [result(7), result(-1)]})
    async with live_call(script) as (session, _ast):
        with pytest.raises(AgiProtocolError, match="not a keypad digit"):
            await session.wait_for_digit(1)
        with pytest.raises(AgiHangup, match="result=-1"):
            await session.wait_for_digit(1)


async def test_argument_checks_happen_before_anything_is_sent() -> None:
    async with live_call() as (session, ast):
        with pytest.raises(ValueError, match="finite"):
            await session.wait_for_digit(-1)
        with pytest.raises(ValueError, match="keypad"):
            await session.stream_file("kcc/welkom", "1x")
        with pytest.raises(ValueError, match="newline"):
            await session.set_variable("A", "two\nlines")
        with pytest.raises(ValueError, match="empty"):
            await session.get_variable("")
        assert ast.commands == []


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        (result(1, "PJSIP/201-00000003"), "PJSIP/201-00000003"),
        (result(1, "a (b) c"), "a (b) c"),
        (result(1, ""), ""),
        (result(0), None),
    ],
)
async def test_get_variable(reply: str, expected: str | None) -> None:
    async with live_call(Script({"GET VARIABLE": reply})) as (session, ast):
        assert await session.get_variable("CHANNEL(linkedid)") == expected
        assert ast.commands == ["GET VARIABLE CHANNEL(linkedid)"]


async def test_set_variable_verbose_answer_hangup_send_quoted_lines() -> None:
    async with live_call() as (session, ast):
        await session.set_variable("KCC_NOTE", 'zegt "hallo"')
        await session.verbose("IVR start")
        await session.answer()
        await session.hangup()
        assert ast.commands == [
            'SET VARIABLE KCC_NOTE "zegt \\"hallo\\""',
            'VERBOSE "IVR start" 1',
            "ANSWER",
            "HANGUP",
        ]


async def test_hangup_of_a_hung_up_channel_is_quiet() -> None:
    async with live_call() as (session, ast):
        await ast.send_hangup()
        await session.wait_hangup()
        await session.hangup()
        assert ast.commands == []


async def test_exec_returns_the_application_result() -> None:
    script = Script({"EXEC Playback": result(0), "EXEC Dial": result(-1)})
    async with live_call(script) as (session, ast):
        assert await session.exec("Playback", "kcc/welkom,noanswer") == 0
        assert await session.exec("Dial", "PJSIP/201,20") == -1
        assert ast.commands == ["EXEC Playback kcc/welkom,noanswer", "EXEC Dial PJSIP/201,20"]
        assert session.owed_replies == 0


async def test_exec_of_unknown_application_names_it() -> None:
    async with live_call(Script({"EXEC": result(-2)})) as (session, _ast):
        with pytest.raises(AgiCommandError, match="no application 'Nonsense'"):
            await session.exec("Nonsense")


async def test_exec_result_1_trailing_520_is_discarded() -> None:
    # res_agi.c: an application returning 1 gets "200 result=1" and then a 520.
    script = Script({"EXEC": f"{result(1)}\n{USAGE_NOT_AVAILABLE}", "GET VARIABLE": result(1, "v")})
    async with live_call(script) as (session, ast):
        assert await session.exec("Odd") == 1
        assert await session.get_variable("X") == "v"
        assert session.discarded_replies == 1
        assert ast.commands[1].startswith(SYNC)


async def test_510_names_the_command() -> None:
    async with live_call(Script({"FROB": INVALID_COMMAND})) as (session, _ast):
        with pytest.raises(AgiCommandError, match=r"'FROB NICATE'.*510") as caught:
            await session.command("FROB NICATE")
        assert caught.value.code == 510
        assert (await session.command("NOOP")).result == 0  # the call goes on


async def test_520_carries_the_usage() -> None:
    usage = " Usage: WAIT FOR DIGIT <timeout>\n\tWaits up to 'timeout' milliseconds"
    async with live_call(Script({"WAIT FOR DIGIT": usage_error(usage)})) as (session, _ast):
        with pytest.raises(AgiCommandError, match="invalid command syntax") as caught:
            await session.command("WAIT FOR DIGIT soon")
        assert caught.value.code == 520
        assert usage in str(caught.value)


async def test_commands_are_sent_one_at_a_time() -> None:
    script = Script({"GET VARIABLE A": None, "GET VARIABLE B": result(1, "b")})
    async with live_call(script) as (session, ast):
        first = asyncio.create_task(session.get_variable("A"))
        second = asyncio.create_task(session.get_variable("B"))
        await ast.wait_for_command("GET VARIABLE A")
        await asyncio.sleep(0.05)
        assert ast.commands == ["GET VARIABLE A"]  # B waits for A's reply
        await ast.send(result(1, "a") + "\n")
        assert list(await asyncio.wait_for(asyncio.gather(first, second), 2)) == ["a", "b"]
        assert ast.commands == ["GET VARIABLE A", "GET VARIABLE B"]


async def test_unsolicited_reply_ends_the_session_with_a_protocol_error() -> None:
    async with live_call() as (session, ast):
        await ast.send(result(0) + "\n")
        await asyncio.wait_for(session.wait_hangup(), 2)
        with pytest.raises(AgiProtocolError, match="no command waiting"):
            await session.command("NOOP")
        assert ast.commands == []
