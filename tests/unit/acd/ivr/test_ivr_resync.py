"""A caller in the 14023 menu whose channel ended while AMI was away: the resync ends the
call in the IVR (``call.ended``, phase ``ivr``, by the caller) and their session, so they
are never queued. A caller Asterisk still has goes on through the menu."""

from __future__ import annotations

import asyncio

from acd.agi.fake import FakeAgiChannel
from tests.unit.acd.leftovers import assert_no_call_left
from tests.unit.acd.rig import Chan, Rig, by_type, rig

CALL, CHANNEL = "1781506800.11", "PJSIP/trunk-00000001"


async def at_the_menu(r: Rig) -> tuple[FakeAgiChannel, asyncio.Task[None]]:
    """A caller at the municipality menu, pressing nothing yet (it waits on the clock)."""
    agi = FakeAgiChannel(linkedid=CALL, channel=CHANNEL, uniqueid=CALL, sleep=r.clock.sleep)
    session = asyncio.create_task(r.controller.ivr.run(agi))
    await r.settle()
    await r.clock.advance(1)
    assert not session.done()
    return agi, session


async def test_a_caller_gone_from_the_menu_while_ami_was_away_ends_in_the_ivr() -> None:
    async with rig() as r:
        _, session = await at_the_menu(r)
        await r.controller.on_connected(None)  # Asterisk has no channel of theirs
        await asyncio.wait_for(session, 2)
        ended = by_type(r.sink, "call.ended")
        assert [(e["call_id"], e["phase"], e["by"]) for e in ended] == [(CALL, "ivr", "caller")]
        assert by_type(r.sink, "call.queued") == []
        assert_no_call_left(r)


async def test_a_caller_asterisk_still_has_goes_on_through_the_menu() -> None:
    async with rig() as r:
        agi, session = await at_the_menu(r)
        r.asterisk.has(Chan(CHANNEL, CALL))
        await r.controller.on_connected(None)
        await r.settle()
        assert not session.done() and by_type(r.sink, "call.ended") == []
        agi.press("11")
        await r.clock.advance(1)
        assert [q["topic"] for q in by_type(r.sink, "call.queued")] == ["burgerzaken"]
        agi.hang_up()
        await asyncio.wait_for(session, 2)
