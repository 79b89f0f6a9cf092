"""FakeAgiChannel records commands as the session sends them and hangs up like Asterisk."""

from __future__ import annotations

import asyncio

import pytest

from acd.agi import AgiHangup
from acd.agi.fake import FakeAgiChannel


async def test_commands_are_recorded_as_wire_lines_and_variables_kept() -> None:
    agi = FakeAgiChannel(linkedid="9.1", callerid="0612345678")
    assert await agi.get_variable("CHANNEL(linkedid)") == "9.1"
    await agi.set_variable("KCC_TOPIC", "afval")
    await agi.exec("Playtones", "ring")
    await agi.answer()
    assert agi.variables["KCC_TOPIC"] == "afval"
    assert agi.commands == [
        "GET VARIABLE CHANNEL(linkedid)",
        "SET VARIABLE KCC_TOPIC afval",
        "EXEC Playtones ring",
        "ANSWER",
    ]
    assert agi.env.callerid == "0612345678"


async def test_keys_stop_a_prompt_only_when_they_may_and_are_read_in_order() -> None:
    agi = FakeAgiChannel()
    agi.press("1#")
    assert await agi.stream_file("welcome") is None  # no escape digits: plays out
    assert await agi.stream_file("menu", "0123456789") == "1"
    assert await agi.wait_for_digit(5.0) == "#"
    assert await agi.wait_for_digit(5.0) is None


async def test_a_hang_up_wakes_the_waiter_and_refuses_later_commands() -> None:
    agi = FakeAgiChannel()
    agi.on_command = lambda line: agi.hang_up() if line == "EXEC Playtones ring" else None
    waiter = asyncio.create_task(agi.wait_hangup())
    assert await agi.exec("Playtones", "ring") == 0  # its reply came before the HANGUP
    await asyncio.wait_for(waiter, 1)
    assert agi.hung_up
    with pytest.raises(AgiHangup):
        await agi.exec("StopPlaytones")
