"""A caller on 14023 through the IVR room (``IvrSession``) on the controller's fakes: the
call started, each step published, a hang-up in the IVR, a closed municipality, the live
switches read as the caller reaches them, and the hand-over to the queue."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from acd.agi.fake import FakeAgiChannel
from tests.unit.acd.rig import Rig, by_type, rig

SATURDAY = datetime(2026, 6, 20, 10, 0, tzinfo=UTC)  # Haarlem and Zandvoort are closed


def call(keys: str = "", *, linkedid: str = "1781506800.11") -> FakeAgiChannel:
    agi = FakeAgiChannel(
        linkedid=linkedid, channel="PJSIP/trunk-00000001", uniqueid="1781506800.12"
    )
    agi.press(keys)
    return agi


async def through_ivr(r: Rig, agi: FakeAgiChannel) -> asyncio.Task[None]:
    session = asyncio.create_task(r.controller.ivr.run(agi))
    await r.settle()
    return session


def steps(r: Rig) -> list[tuple[str, str, str]]:
    return [(s["node"], s["digit"], s["outcome"]) for s in by_type(r.sink, "call.ivr_step")]


async def test_a_caller_who_chooses_a_topic_is_handed_to_its_queue() -> None:
    async with rig() as r:
        agi = call("11")  # Haarlem, then Burgerzaken
        session = await through_ivr(r, agi)
        [started] = by_type(r.sink, "call.started")
        assert (started["call_id"], started["caller"], started["dialled"]) == (
            "1781506800.11", "0612345678", "14023",
        )  # fmt: skip
        assert steps(r) == [
            ("welcome", "", "played"),
            ("recording-notice", "", "played"),
            ("municipality", "1", "chosen"),
            ("topics-haarlem", "1", "chosen"),
        ]
        [queued] = by_type(r.sink, "call.queued")
        assert (queued["topic"], queued["municipality"]) == ("burgerzaken", "haarlem")
        assert agi.variables["KCC_TOPIC"] == "burgerzaken"
        assert "KCC_HANDLED" not in agi.variables  # the dialplan's fallback still queues them
        assert not session.done()  # waiting in the queue, in the same session
        agi.hang_up()
        await asyncio.wait_for(session, 1)
        assert by_type(r.sink, "call.ended")[0]["phase"] == "queue"


async def test_the_call_is_named_by_its_linkedid_or_else_by_its_channel() -> None:
    async with rig() as r:
        agi = call("11", linkedid="")
        session = await through_ivr(r, agi)
        assert by_type(r.sink, "call.started")[0]["call_id"] == "1781506800.12"
        agi.hang_up()
        await asyncio.wait_for(session, 1)


async def test_a_caller_who_hangs_up_in_the_ivr_ends_there() -> None:
    async with rig() as r:
        agi = call()  # presses nothing: the municipality menu waits for a digit
        agi.on_command = lambda line: agi.hang_up() if "municipality" in line else None
        session = await through_ivr(r, agi)
        await asyncio.wait_for(session, 1)
        [ended] = by_type(r.sink, "call.ended")
        assert (ended["phase"], ended["by"]) == ("ivr", "caller")
        assert r.types("call.queued") == []
        assert r.controller.queue.waiting() == []


async def test_a_caller_of_a_closed_municipality_hears_its_hours_and_is_not_queued() -> None:
    async with rig(start=SATURDAY) as r:
        agi = call("1")
        session = await through_ivr(r, agi)
        await asyncio.wait_for(session, 1)
        assert steps(r)[-2:] == [("hours-haarlem", "", "closed"), ("closed-haarlem", "", "played")]
        assert agi.commands[-2:] == [
            "STREAM FILE kcc/prompts/closed-haarlem",
            "SET VARIABLE KCC_HANDLED 1",  # the dialplan must not queue them after all
        ]
        [ended] = by_type(r.sink, "call.ended")
        assert (ended["phase"], ended["by"]) == ("closed", "system")
        assert r.types("call.queued") == []


async def test_a_calamity_message_switched_on_is_played_before_the_menus() -> None:
    async with rig() as r:
        prompt = await r.controller.switches.calamity_on("  Er is een storing.  ", by="fm1")
        agi = call("11")
        session = await through_ivr(r, agi)
        assert ("calamity", "", "calamity") in steps(r)
        assert f"STREAM FILE kcc/prompts/{prompt}" in agi.commands
        agi.hang_up()
        await asyncio.wait_for(session, 1)


async def test_the_topic_menu_switched_off_while_a_caller_listens_is_skipped_for_them() -> None:
    async with rig() as r:
        agi = call("1")
        switches = r.controller.switches

        def welcome(line: str) -> None:
            if line.endswith("/welcome"):
                switches.topic_menu(False, by="fm1")  # the floor manager, as the caller is welcomed

        agi.on_command = welcome
        session = await through_ivr(r, agi)
        assert steps(r)[-1] == ("topics-haarlem", "", "menu_off")
        assert by_type(r.sink, "call.queued")[0]["topic"] == "algemeen"
        agi.hang_up()
        await asyncio.wait_for(session, 1)
