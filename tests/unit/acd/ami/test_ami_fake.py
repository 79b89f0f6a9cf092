"""FakeAmi answers as the test says, with Asterisk's own refusals, and parses events."""

from __future__ import annotations

import asyncio

import pytest

from acd.ami import AmiActionError, AmiConnectionError, ResyncRequired
from acd.ami.actions import Getvar, Hangup, Originate, Ping
from acd.ami.events import DialBegin
from acd.ami.events import Hangup as HangupEvent
from acd.ami.fake import FakeAmi, channel, event, failure, success


async def test_an_unanswered_action_is_refused_as_asterisk_refuses_it() -> None:
    ami = FakeAmi()
    with pytest.raises(AmiActionError, match="Invalid/unknown command: Ping"):
        await ami.send_action(Ping())
    assert ami.sent == [Ping()]


async def test_answers_carry_headers_and_errors_raise() -> None:
    ami = FakeAmi()
    ami.answer(Getvar, lambda action: success(Variable=action.variable, Value="Up"))
    result = await ami.send_action(Getvar(channel="kcc-1", variable="CHANNEL(state)"))
    assert result.response.headers.get("Value") == "Up"
    ami.answer(Hangup, lambda action: failure("No such channel"))
    with pytest.raises(AmiActionError, match="No such channel"):
        await ami.send_action(Hangup(channel="kcc-1", cause=16))


async def test_a_held_answer_comes_when_the_test_lets_it() -> None:
    ami = FakeAmi()
    gate: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    async def ringing(action: Originate) -> object:
        await gate
        return success("Originate successfully queued")

    ami.answer(Originate, ringing)  # type: ignore[arg-type]
    action = Originate(channel="PJSIP/201", application="Bridge", data="x", timeout=15)
    sent = asyncio.create_task(ami.send_action(action))
    await ami.wait_sent(Originate)
    assert not sent.done()
    gate.set_result(None)
    assert (await sent).ok


async def test_events_are_built_by_the_real_parser_and_delivered_in_order() -> None:
    ami = FakeAmi()
    dest = channel("Dest", name="Local/301@kcc-internal-00000001;1", uniqueid="2.5", linkedid="2.1")
    begin = event("DialBegin", [*dest, ("DialString", "301@kcc-internal")])
    gone = event("Hangup", [*channel(name="PJSIP/201-00000003", uniqueid="2.3"),
                            ("Cause", "16"), ("Cause-txt", "Normal Clearing")])  # fmt: skip
    assert isinstance(begin, DialBegin) and begin.dest.linkedid == "2.1"
    assert isinstance(gone, HangupEvent) and gone.channel.uniqueid == "2.3"
    ami.emit(begin, gone)
    ami.lose_events(3)
    ami.close()
    seen = [item async for item in ami.events()]
    assert seen == [begin, gone, ResyncRequired(3)]


async def test_a_lost_connection_fails_actions_until_it_is_back() -> None:
    ami = FakeAmi()
    ami.answer(Ping, lambda action: success(Ping="Pong"))
    ami.disconnect()
    with pytest.raises(AmiConnectionError):
        await ami.send_action(Ping())
    ami.reconnect()
    assert (await ami.send_action(Ping())).ok
