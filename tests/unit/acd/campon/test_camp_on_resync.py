"""A camped-on caller whose channel ended while AMI was away: the resync ends the camp-on,
so the colleague's line coming free rings nobody, and the caller never falls back into
the TIC queue. A caller Asterisk still has waits on."""

from __future__ import annotations

import asyncio

from acd.agi.fake import FakeAgiChannel
from contract import events as stream
from contract.vocabulary import RingFailure
from tests.unit.acd.leftovers import assert_no_call_left
from tests.unit.acd.rig import REFUSED, RINGING, TRUNK, Chan, Rig, hangup, hint, rig

CALL = "1718000000.7"
IDLE, IN_USE = 0, 1
CAMP_ON_S = 180  # the sample site's default camp_on_after_s


async def camped_on(r: Rig) -> tuple[FakeAgiChannel, asyncio.Task[None]]:
    """An agent's caller, redirected into ``kcc-campon`` at 311, whose line is in a call."""
    r.emit(hint("311", IN_USE))
    await r.settle()
    agi = FakeAgiChannel(
        "campon", linkedid=CALL, channel=TRUNK, uniqueid=CALL, callerid="0612345678",
        extension="311", sleep=r.clock.sleep,
    )  # fmt: skip
    task = asyncio.create_task(r.controller.camp_ons.run(agi))
    await r.settle()
    return agi, task


async def test_a_camped_on_caller_gone_while_ami_was_away_is_rung_for_no_more() -> None:
    async with rig() as r:
        _, task = await camped_on(r)
        await r.clock.advance(30)
        await r.controller.on_connected(None)  # AMI is back; the caller's channel is gone
        await asyncio.wait_for(task, 2)  # the camp-on is over
        r.emit(hint("311", IDLE))
        await r.settle()
        await r.clock.advance(CAMP_ON_S)
        assert r.asterisk.originated() == []
        assert r.sink.of_type(stream.CallQueued) == []
        assert_no_call_left(r)


async def test_a_camped_on_caller_asterisk_still_has_waits_on() -> None:
    async with rig() as r:
        agi, task = await camped_on(r)
        r.asterisk.has(Chan(TRUNK, CALL))
        await r.clock.advance(30)
        await r.controller.on_connected(None)
        await r.settle()
        assert not task.done()
        agi.hang_up()
        await asyncio.wait_for(task, 2)


async def test_a_ring_given_up_whose_originate_then_fails_leaves_nothing() -> None:
    # AMI lost (or Asterisk refusing) just as the caller's key gave the ring up: the
    # Originate fails, and the mark that the ring was given up must go with it.
    async with rig() as r:
        agi, task = await camped_on(r)
        r.asterisk.outcomes["311"] = RINGING
        r.emit(hint("311", IDLE))
        await r.settle()
        agi.press("2")
        await r.settle()
        r.asterisk.finish("311", REFUSED)
        await r.settle()
        [lost] = r.sink.of_type(stream.BackOfficeNotAnswered)
        assert lost.reason is RingFailure.ERROR
        agi.hang_up()
        await asyncio.wait_for(task, 2)
        r.emit(hangup(Chan(TRUNK, CALL, CALL)))  # the call's first channel: it is over
        await r.settle()
        assert_no_call_left(r)
