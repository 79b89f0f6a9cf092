"""A camped-on caller in their FastAGI session (``/campon``), through the controller on
the fakes: rung the moment the colleague's hint goes idle, waiting again when the ring
is not answered, falling back to the TIC's general queue at the camp-on time or on a
key (at the back, without priority), and hanging up while camped on.

The caller is a ``FakeAgiChannel`` whose ``WAIT FOR DIGIT`` waits on the rig's clock;
the colleague's line is moved with ``hint`` events, as Asterisk's ``ExtensionStatus``.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from acd.agi.fake import FakeAgiChannel
from contract import events as stream
from contract.vocabulary import RingFailure, RingKind
from tests.unit.acd.rig import (
    ANSWERED,
    NO_ANSWER,
    RINGING,
    TRUNK,
    Rig,
    hint,
    queued,
    rig,
)

CALL = "1718000000.7"
TIC_CALL = f"{CALL}-k1"  # the fallen-back part is a new TIC call
LEG1, LEG2 = f"kcc-{CALL}-d1", f"kcc-{CALL}-d2"
IDLE, IN_USE, RINGS = 0, 1, 8
CAMP_ON_S = 180  # the sample site's default camp_on_after_s


@dataclass
class Camped:
    agi: FakeAgiChannel
    task: asyncio.Task[None]

    async def ended(self) -> None:
        await asyncio.wait_for(self.task, 2)


async def line(r: Rig, extension: str, *statuses: int) -> None:
    for status in statuses:
        r.emit(hint(extension, status))
        await r.settle()


async def camped_on(r: Rig, extension: str = "311") -> Camped:
    """An agent's caller, redirected into ``kcc-campon`` at ``extension``."""
    agi = FakeAgiChannel(
        "campon", linkedid=CALL, channel=TRUNK, uniqueid=CALL, callerid="0612345678",
        extension=extension, sleep=r.clock.sleep,
    )  # fmt: skip
    task = asyncio.create_task(r.controller.camp_ons.run(agi))
    await r.settle()
    return Camped(agi, task)


def rings(r: Rig) -> list[tuple[str, str, int]]:
    return [(e.TYPE, e.kind.value, e.ring) for e in r.sink.events if hasattr(e, "ring")]


async def test_the_caller_hears_the_message_then_ringback_and_is_put_through_when_free() -> None:
    async with rig() as r:
        await line(r, "311", IN_USE)
        camped = await camped_on(r)
        assert camped.agi.commands == [
            "GET VARIABLE CHANNEL(linkedid)",
            "SET VARIABLE KCC_TOPIC algemeen",  # the dialplan's fallback, should we die
            "STREAM FILE kcc/prompts/campon-waiting",
            "EXEC Playtones ring",
            "WAIT FOR DIGIT 60000",
        ]
        await r.clock.advance(100)
        assert r.asterisk.originated("311") == []  # in a call: nobody is rung
        r.asterisk.outcomes["311"] = ANSWERED
        await line(r, "311", IDLE)
        [originate] = r.asterisk.originated("311")
        assert originate.channel_id == LEG1
        assert originate.data is not None and originate.data.startswith(f"{TRUNK},")
        assert originate.caller_id == '"Erachter gezet" <0612345678>'
        assert rings(r) == [
            ("backoffice.ringing", "camp_on", 1),
            ("backoffice.answered", "camp_on", 1),
        ]
        assert not camped.task.done()  # until the colleague's Bridge takes the caller
        camped.agi.hang_up()
        await camped.ended()
        assert r.sink.of_type(stream.CallQueued) == []


async def test_not_answered_it_waits_for_the_colleagues_next_call_to_end() -> None:
    async with rig() as r:
        await line(r, "311", IN_USE)
        camped = await camped_on(r)
        r.asterisk.outcomes["311"] = NO_ANSWER
        await line(r, "311", IDLE)  # rung: not answered
        await line(r, "311", RINGS, IDLE)  # our own ring, over: free, but nobody at it
        assert len(r.asterisk.originated("311")) == 1
        assert not camped.task.done() and r.sink.of_type(stream.CallQueued) == []
        r.asterisk.outcomes["311"] = ANSWERED
        await line(r, "311", IN_USE, IDLE)  # a call of theirs ended: free again
        assert [a.channel_id for a in r.asterisk.originated("311")] == [LEG1, LEG2]
        assert rings(r)[-2:] == [
            ("backoffice.ringing", "camp_on", 2), ("backoffice.answered", "camp_on", 2),
        ]  # fmt: skip
        camped.agi.hang_up()
        await camped.ended()


async def test_at_the_camp_on_time_it_falls_back_behind_the_callers_waiting() -> None:
    async with rig() as r:
        earlier = await queued(r, "c-early", "algemeen", channel="PJSIP/trunk-00000009")
        await line(r, "311", IN_USE)
        camped = await camped_on(r)
        await r.clock.advance(CAMP_ON_S - 1)
        assert r.controller.queue.callers == 1
        await r.clock.advance(1)
        [_, joined] = r.sink.of_type(stream.CallQueued)
        assert (joined.call_id, joined.topic, joined.fell_back_from) == (
            TIC_CALL, "algemeen", "belastingen",
        )  # fmt: skip
        assert [w.call_id for w in r.controller.queue.waiting()] == ["c-early", TIC_CALL]
        assert camped.agi.commands[-3:] == [
            "EXEC StopPlaytones", "SET VARIABLE KCC_TOPIC algemeen", "EXEC Playtones ring",
        ]  # fmt: skip
        assert r.asterisk.originated("311") == []
        await earlier.gone()
        camped.agi.hang_up()
        await camped.ended()


async def test_a_key_falls_back_at_once() -> None:
    async with rig() as r:
        await line(r, "311", IN_USE)
        camped = await camped_on(r)
        await r.clock.advance(30)
        camped.agi.press("1")
        await r.settle()
        [joined] = r.sink.of_type(stream.CallQueued)
        assert (joined.call_id, joined.fell_back_from) == (TIC_CALL, "belastingen")
        camped.agi.hang_up()
        await camped.ended()


async def test_a_key_while_the_colleague_rings_stops_the_ring_and_falls_back() -> None:
    async with rig() as r:
        await line(r, "311", IN_USE)
        camped = await camped_on(r)
        r.asterisk.outcomes["311"] = RINGING
        await line(r, "311", IDLE)
        camped.agi.press("2")  # any key
        await r.settle()
        assert r.asterisk.hung_up() == [LEG1]
        assert r.sink.of_type(stream.CallQueued) == []  # the ring's outcome comes first
        r.asterisk.finish("311", NO_ANSWER)
        await r.settle()
        [given_up] = r.sink.of_type(stream.BackOfficeNotAnswered)
        assert (given_up.kind, given_up.reason) == (RingKind.CAMP_ON, RingFailure.CANCELLED)
        assert [q.call_id for q in r.sink.of_type(stream.CallQueued)] == [TIC_CALL]
        camped.agi.hang_up()
        await camped.ended()


async def test_the_time_lets_a_ring_finish_then_falls_back() -> None:
    async with rig() as r:
        await line(r, "311", IN_USE)
        camped = await camped_on(r)
        await r.clock.advance(CAMP_ON_S - 10)
        r.asterisk.outcomes["311"] = RINGING
        await line(r, "311", IDLE)
        await r.clock.advance(10)
        assert r.sink.of_type(stream.CallQueued) == [] and r.asterisk.hung_up() == []
        r.asterisk.finish("311", NO_ANSWER)
        await r.settle()
        assert [q.call_id for q in r.sink.of_type(stream.CallQueued)] == [TIC_CALL]
        camped.agi.hang_up()
        await camped.ended()


async def test_a_caller_hanging_up_while_camped_on_is_gone() -> None:
    async with rig() as r:
        await line(r, "311", IN_USE)
        camped = await camped_on(r)
        camped.agi.hang_up()
        await camped.ended()
        await line(r, "311", IDLE)
        await r.clock.advance(CAMP_ON_S)
        assert r.asterisk.originated() == [] and r.sink.of_type(stream.CallQueued) == []
        assert rings(r) == []
