"""An answered direct call whose channels ended while AMI was away: the resync ends it
(``backoffice.ended``) as the lost ``Hangup`` would have, by the side that is gone (the
caller's first when both are), and keeps nothing of it. A call Asterisk still has
goes on."""

from __future__ import annotations

from acd.backoffice.service import leg_id
from tests.unit.acd.leftovers import assert_no_call_left
from tests.unit.acd.rig import ANSWERED, TRUNK, Chan, Rig, Waiting, by_type, dialled, rig

CALL = "1718000000.7"
CALLER = Chan(TRUNK, CALL, CALL)
LEG = Chan("PJSIP/301-0000002a", f"kcc-{CALL}-d1", CALL)


async def answered(r: Rig) -> Waiting:
    r.asterisk.outcomes["301"] = ANSWERED
    caller = await dialled(r, "301", CALL)
    assert r.types("backoffice.") == ["backoffice.ringing", "backoffice.answered"]
    assert LEG.uniqueid == leg_id(r.controller.ringer._answered[CALL])
    return caller


async def test_an_answered_direct_call_gone_while_ami_was_away_ends_by_the_caller() -> None:
    async with rig() as r:
        caller = await answered(r)
        await r.controller.on_connected(None)  # Asterisk has neither side any more
        ended = by_type(r.sink, "backoffice.ended")
        assert [(e["call_id"], e["ring"], e["by"]) for e in ended] == [(CALL, "1", "caller")]
        assert r.controller.ringer.answered_calls == 0
        await caller.gone()
        assert len(by_type(r.sink, "backoffice.ended")) == 1
        assert_no_call_left(r)


async def test_the_colleagues_side_gone_ends_it_by_the_colleague() -> None:
    async with rig() as r:
        caller = await answered(r)
        r.asterisk.has(CALLER)
        await r.controller.on_connected(None)
        assert [e["by"] for e in by_type(r.sink, "backoffice.ended")] == ["colleague"]
        await caller.gone()


async def test_a_direct_call_asterisk_still_has_goes_on() -> None:
    async with rig() as r:
        caller = await answered(r)
        r.asterisk.has(CALLER, LEG)
        await r.controller.on_connected(None)
        assert by_type(r.sink, "backoffice.ended") == []
        assert r.controller.ringer.answered_calls == 1
        await caller.gone()
