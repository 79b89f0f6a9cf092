"""A caller of a colleague's own number who finds the line in a call: "toets 1 om te
wachten". 1 camps on in the same FastAGI session; no key (or another) falls back to the
TIC at once, without ringing the phone of someone who is talking."""

from __future__ import annotations

import asyncio

from contract import events as stream
from tests.unit.acd.rig import ANSWERED, Rig, Waiting, direct_call, direct_caller, hint, rig

CALL = "1718000000.7"
OFFER = "STREAM FILE kcc/prompts/campon-offer 0123456789*#"


async def dialled_busy(r: Rig, keys: str = "") -> Waiting:
    r.emit(hint("311", 1))
    await r.settle()
    agi = direct_caller("311", CALL, sleep=r.clock.sleep)
    agi.press(keys)
    return await direct_call(r, agi)


async def test_pressing_1_camps_on_and_the_free_line_puts_the_caller_through() -> None:
    async with rig() as r:
        caller = await dialled_busy(r, "1")
        assert caller.agi.commands[2:6] == [
            OFFER,
            "SET VARIABLE KCC_TOPIC algemeen",
            "STREAM FILE kcc/prompts/campon-waiting",
            "EXEC Playtones ring",
        ]
        assert r.asterisk.originated("311") == []
        r.asterisk.outcomes["311"] = ANSWERED
        r.emit(hint("311", 0))
        await r.settle()
        [ringing] = r.sink.of_type(stream.BackOfficeRinging)
        assert (ringing.kind.value, ringing.call_id, ringing.ring) == ("camp_on", CALL, 1)
        assert r.types("backoffice.") == ["backoffice.ringing", "backoffice.answered"]
        await caller.gone()
        assert r.sink.of_type(stream.CallQueued) == []


async def test_pressing_1_then_the_camp_on_time_falls_back_with_the_direct_calls_id() -> None:
    async with rig() as r:
        caller = await dialled_busy(r, "1")
        await r.clock.advance(180)
        [joined] = r.sink.of_type(stream.CallQueued)
        # Never the TIC's call before: it keeps its own id.
        assert (joined.call_id, joined.fell_back_from) == (CALL, "belastingen")
        await caller.gone()


async def test_no_key_falls_back_at_once_without_ringing_the_busy_phone() -> None:
    async with rig() as r:
        caller = await dialled_busy(r)
        assert caller.agi.commands[-1] == "WAIT FOR DIGIT 5000"
        assert r.sink.of_type(stream.CallQueued) == []
        await r.clock.advance(5)
        [joined] = r.sink.of_type(stream.CallQueued)
        assert (joined.call_id, joined.fell_back_from) == (CALL, "belastingen")
        assert r.asterisk.originated() == [] and r.types("backoffice.") == []
        await caller.gone()


async def test_another_key_declines_too() -> None:
    async with rig() as r:
        caller = await dialled_busy(r, "2")
        assert [q.fell_back_from for q in r.sink.of_type(stream.CallQueued)] == ["belastingen"]
        assert "STREAM FILE kcc/prompts/campon-waiting" not in caller.agi.commands
        await caller.gone()


async def test_a_free_line_is_rung_as_before_without_an_offer() -> None:
    async with rig() as r:
        r.emit(hint("311", 0))
        await r.settle()
        r.asterisk.outcomes["311"] = ANSWERED
        caller = await direct_call(r, direct_caller("311", CALL, sleep=r.clock.sleep))
        assert OFFER not in caller.agi.commands
        assert r.types("backoffice.") == ["backoffice.ringing", "backoffice.answered"]
        assert r.sink.of_type(stream.BackOfficeRinging)[0].kind.value == "direct"
        await caller.gone()


async def test_hanging_up_during_the_offer_ends_the_session() -> None:
    async with rig() as r:
        r.emit(hint("311", 1))
        await r.settle()
        agi = direct_caller("311", CALL, sleep=r.clock.sleep)
        agi.on_command = lambda line: agi.hang_up() if line == OFFER else None
        task = asyncio.create_task(r.controller.direct.run(agi))
        await asyncio.wait_for(task, 2)
        assert r.sink.of_type(stream.CallQueued) == [] and r.asterisk.originated() == []
