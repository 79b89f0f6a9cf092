"""DirectCalls: a caller of a back-office colleague's own number, in their FastAGI session
(``/direct``), through the controller on the fakes: ringback while it rings, answered
and bridged, or fallen back into the TIC's general queue; and the races real calls
showed between the Originate's answer and the Bridge taking the caller.

The caller is a ``FakeAgiChannel`` (``rig.dialled``); the colleague's phone answers the
Originate as ``rig.Asterisk`` is told. The ringer's own steps: test_direct_ringer.py.
"""

from __future__ import annotations

import asyncio

import pytest

from acd.agi.fake import FakeAgiChannel
from acd.ami.actions import Getvar
from acd.backoffice.session import PICKUP_S, SETTLE_S
from contract import events as stream
from tests.unit.acd.rig import (
    ANSWERED,
    BUSY,
    NO_ANSWER,
    REFUSED,
    RINGING,
    TRUNK,
    Chan,
    Outcome,
    Rig,
    by_type,
    dialled,
    direct_call,
    direct_caller,
    hangup,
    rig,
)

CALL = "1718000000.7"
LEG = f"kcc-{CALL}-d1"
CALLER_NUMBER = "0612345678"
TOPIC = "SET VARIABLE KCC_TOPIC algemeen"  # the sample site's general topic
PLAYTONES = "EXEC Playtones ring"
STOP_PLAYTONES = "EXEC StopPlaytones"


async def ended(task: asyncio.Task[None]) -> None:
    """The session is over (at once on the fakes; the limit only stops a hung test)."""
    await asyncio.wait_for(task, 2)


def hanging_up_after(extension: str, command: str) -> FakeAgiChannel:
    """A caller of ``extension`` who hangs up right after the session sends ``command``."""
    agi = direct_caller(extension, CALL)
    agi.on_command = lambda line: agi.hang_up() if line == command else None
    return agi


def queued_calls(r: Rig) -> list[stream.CallQueued]:
    return r.sink.of_type(stream.CallQueued)


async def test_an_answered_direct_call_joins_no_queue() -> None:
    async with rig() as r:
        r.asterisk.outcomes["302"] = ANSWERED
        caller = await dialled(r, "302", CALL)
        [originate] = r.asterisk.originated("302")
        assert originate.channel_id == LEG  # the call id is the Linkedid
        assert originate.data is not None and originate.data.startswith(f"{TRUNK},")
        await caller.gone()  # the colleague's Bridge takes the caller out of FastAGI
        assert r.types() == ["backoffice.ringing", "backoffice.answered"]
        [ringing] = r.sink.of_type(stream.BackOfficeRinging)
        assert (ringing.call_id, ringing.caller) == (CALL, CALLER_NUMBER)
        assert queued_calls(r) == []
        assert STOP_PLAYTONES not in caller.agi.commands
        assert r.asterisk.hung_up() == []


async def test_the_topic_is_set_before_the_caller_hears_ringing() -> None:
    async with rig() as r:
        r.asterisk.outcomes["301"] = RINGING
        caller = await dialled(r, "301", CALL)
        assert caller.agi.commands == [
            "GET VARIABLE CHANNEL(linkedid)",
            TOPIC,  # should the controller die now, the dialplan queues them for the TIC
            PLAYTONES,
        ]
        assert r.asterisk.ringing("301")
        r.asterisk.finish("301", NO_ANSWER)
        await r.settle()
        await caller.gone()


@pytest.mark.parametrize(("outcome", "reason"), [(NO_ANSWER, "no_answer"), (BUSY, "busy")])
async def test_an_unanswered_direct_call_falls_back_to_the_general_queue(
    outcome: Outcome, reason: str
) -> None:
    async with rig() as r:
        r.asterisk.outcomes["311"] = outcome
        caller = await dialled(r, "311", CALL)
        assert not caller.task.done()  # waiting for the TIC in the caller's own session
        assert r.types() == ["backoffice.ringing", "backoffice.not_answered", "call.queued"]
        assert r.sink.of_type(stream.BackOfficeNotAnswered)[0].reason.value == reason
        [joined] = queued_calls(r)
        assert (joined.call_id, joined.topic, joined.municipality, joined.fell_back_from) == (
            CALL, "algemeen", None, "belastingen",
        )  # fmt: skip
        # The ringback stops, then the queue's wait begins in the same session.
        commands = caller.agi.commands
        assert commands[2:] == [PLAYTONES, STOP_PLAYTONES, TOPIC, PLAYTONES]
        [waiting] = r.controller.queue.waiting()
        assert waiting.call_id == CALL
        await caller.gone()
        assert by_type(r.sink, "call.ended")[0]["phase"] == "queue"


@pytest.mark.parametrize(
    ("outcome", "reason"), [(Outcome(reason=8), "unavailable"), (REFUSED, "error")]
)
async def test_an_unreachable_or_failed_ring_falls_back_too(outcome: Outcome, reason: str) -> None:
    async with rig() as r:
        r.asterisk.outcomes["321"] = outcome
        caller = await dialled(r, "321", CALL)
        assert [q.fell_back_from for q in queued_calls(r)] == ["vergunningen"]
        assert r.sink.of_type(stream.BackOfficeNotAnswered)[0].reason.value == reason
        await caller.gone()


@pytest.mark.parametrize("leg_state", ["Ringing", None])
async def test_a_caller_hanging_up_while_the_leg_rings_abandons_it(leg_state: str | None) -> None:
    async with rig() as r:
        r.asterisk.outcomes["301"] = RINGING
        if leg_state is not None:  # None: Asterisk knows no such channel (yet)
            r.asterisk.states[LEG] = leg_state
        caller = await dialled(r, "301", CALL)
        caller.agi.hang_up()
        if leg_state is None:  # no leg: it may have been picked up; its answer gets a moment
            await r.clock.advance(PICKUP_S)
        await ended(caller.task)
        [getvar] = r.ami.sent_of(Getvar)
        assert getvar.channel == LEG
        assert r.asterisk.hung_up() == [LEG]
        assert r.types() == ["backoffice.ringing", "backoffice.not_answered"]
        assert by_type(r.sink, "backoffice.not_answered")[0]["reason"] == "caller_left"
        assert queued_calls(r) == []
        assert STOP_PLAYTONES not in caller.agi.commands


async def test_the_bridge_taking_the_caller_waits_for_the_originate_answer() -> None:
    async with rig() as r:
        r.asterisk.outcomes["302"] = RINGING
        r.asterisk.states[LEG] = "Up"  # the colleague answered ...
        caller = await dialled(r, "302", CALL)
        caller.agi.hang_up()  # ... and Bridge took the caller, before the Originate's answer
        await r.settle()
        assert [g.channel for g in r.ami.sent_of(Getvar)] == [LEG]
        assert not caller.task.done()  # waiting for the answer, not giving up
        r.asterisk.finish("302", ANSWERED)  # it arrives after the leg was seen Up
        await ended(caller.task)
        assert r.types() == ["backoffice.ringing", "backoffice.answered"]
        assert r.asterisk.hung_up() == []
        assert queued_calls(r) == []


async def test_an_answer_before_the_bridge_keeps_the_caller_in_fastagi_until_they_leave() -> None:
    # Seen on Asterisk 22: the OriginateResponse can come before the colleague's Bridge
    # takes the caller. Ending the session then would run the dialplan on, into the
    # fallback queue; the session stays until Asterisk says the caller left FastAGI.
    async with rig() as r:
        r.asterisk.outcomes["301"] = RINGING
        caller = await dialled(r, "301", CALL)
        r.asterisk.finish("301", ANSWERED)  # the answer comes first, ...
        await r.settle()
        assert r.types() == ["backoffice.ringing", "backoffice.answered"]
        assert not caller.task.done(), "the session gave the answered caller back to the dialplan"
        await r.clock.advance(3600)  # however long the Bridge takes
        assert not caller.task.done()
        assert caller.agi.commands[-1] == PLAYTONES  # nothing after the ringback
        caller.agi.hang_up()  # ... then Bridge takes the caller
        await ended(caller.task)
        assert r.types() == ["backoffice.ringing", "backoffice.answered"]
        assert queued_calls(r) == []


async def test_a_pickup_whose_answer_comes_after_the_caller_left_fastagi_is_answered() -> None:
    # Seen on Asterisk 22 (1 of 2 pickup runs): the picking phone's Bridge takes the
    # caller, and Asterisk hangs our leg up, before the Originate's answer arrives.
    async with rig() as r:
        r.asterisk.outcomes["301"] = RINGING
        caller = await dialled(r, "301", CALL)
        caller.agi.hang_up()  # our leg is gone: Getvar finds no such channel
        await r.settle()
        assert not caller.task.done()  # waiting for the answer, not giving the call up
        picker = Chan("PJSIP/302-0000000f", "1718000000.15", CALL)
        r.asterisk.finish("301", Outcome(answered=True, reason=4, by=picker))
        await ended(caller.task)
        assert r.types() == ["backoffice.ringing", "backoffice.answered"]
        assert r.asterisk.hung_up() == [] and queued_calls(r) == []


async def test_a_gone_leg_without_an_answer_is_given_up_after_the_pickup_time() -> None:
    async with rig() as r:
        r.asterisk.outcomes["301"] = RINGING
        caller = await dialled(r, "301", CALL)
        caller.agi.hang_up()
        await r.clock.advance(PICKUP_S - 0.01)
        assert not caller.task.done()
        await r.clock.advance(0.01)
        await ended(caller.task)
        assert by_type(r.sink, "backoffice.not_answered")[0]["reason"] == "caller_left"
        assert queued_calls(r) == []


async def test_an_up_leg_whose_answer_never_comes_is_given_up_after_the_settle_time() -> None:
    async with rig() as r:
        r.asterisk.outcomes["302"] = RINGING
        r.asterisk.states[LEG] = "Up"
        caller = await dialled(r, "302", CALL)
        caller.agi.hang_up()
        await r.clock.advance(SETTLE_S - 0.01)
        assert not caller.task.done()
        assert r.types() == ["backoffice.ringing"]
        await r.clock.advance(0.01)
        await ended(caller.task)
        assert r.asterisk.hung_up() == [LEG]
        assert r.types() == ["backoffice.ringing", "backoffice.not_answered"]
        assert by_type(r.sink, "backoffice.not_answered")[0]["reason"] == "caller_left"
        assert queued_calls(r) == []


async def test_a_caller_gone_before_the_ringing_starts_is_no_ring() -> None:
    async with rig() as r:
        r.asterisk.outcomes["301"] = ANSWERED
        caller = await direct_call(r, hanging_up_after("301", TOPIC))
        await ended(caller.task)
        assert caller.agi.commands[-1] == TOPIC  # the ringback found the caller gone
        assert r.asterisk.originated() == []
        assert r.asterisk.hung_up() == [LEG]
        assert r.types() == ["backoffice.ringing", "backoffice.not_answered"]
        assert by_type(r.sink, "backoffice.not_answered")[0]["reason"] == "caller_left"
        assert queued_calls(r) == []


async def test_a_caller_gone_as_the_ringback_stops_never_joins_the_queue() -> None:
    async with rig() as r:
        r.asterisk.outcomes["311"] = NO_ANSWER
        caller = await direct_call(r, hanging_up_after("311", STOP_PLAYTONES))
        await ended(caller.task)
        assert caller.agi.commands[-1] == STOP_PLAYTONES  # joining the queue found them gone
        assert r.types() == ["backoffice.ringing", "backoffice.not_answered"]
        assert queued_calls(r) == [] and r.controller.queue.waiting() == []


async def test_an_extension_of_no_department_goes_straight_to_the_general_queue() -> None:
    async with rig() as r:
        caller = await dialled(r, "201", CALL)  # a TIC position: no back office
        assert r.asterisk.originated() == []
        assert r.types("backoffice.") == []
        [joined] = queued_calls(r)
        assert (joined.call_id, joined.topic, joined.fell_back_from) == (CALL, "algemeen", None)
        # No ringback of a colleague's phone: straight into the queue's own wait.
        assert caller.agi.commands == [
            "GET VARIABLE CHANNEL(linkedid)", STOP_PLAYTONES, TOPIC, PLAYTONES,
        ]  # fmt: skip
        await caller.gone()


async def test_the_call_id_is_the_uniqueid_without_a_linkedid() -> None:
    async with rig() as r:
        r.asterisk.outcomes["301"] = ANSWERED
        agi = direct_caller("301", CALL, uniqueid="1718000000.9", caller="unknown")
        del agi.variables["CHANNEL(linkedid)"]  # GET VARIABLE answers "not set"
        caller = await direct_call(r, agi)
        await caller.gone()
        [ringing] = r.sink.of_type(stream.BackOfficeRinging)
        assert (ringing.call_id, ringing.caller) == ("1718000000.9", "")
        [originate] = r.asterisk.originated("301")
        assert originate.channel_id == "kcc-1718000000.9-d1"
        assert originate.caller_id == '"Rechtstreeks" <anoniem>'


async def test_a_caller_whose_hangup_came_before_the_ring_leaves_no_ring_numbering() -> None:
    # AMI may report the caller's Hangup before their FastAGI session opened the ring:
    # the consumer then forgets nothing, and the session must forget the numbering itself.
    async with rig() as r:
        r.asterisk.outcomes["301"] = ANSWERED
        r.emit(hangup(Chan(TRUNK, CALL)))  # the caller's channel is the call's first
        await r.settle()
        caller = await direct_call(r, hanging_up_after("301", TOPIC))
        await ended(caller.task)
        assert r.types() == ["backoffice.ringing", "backoffice.not_answered"]
        assert len(r.controller.ring_numbers) == 0


@pytest.mark.parametrize("hang_up_after", [None, STOP_PLAYTONES])
async def test_an_abandoned_direct_call_forgets_its_ring_numbering(
    hang_up_after: str | None,
) -> None:
    # No AMI Hangup at all (it was lost in an AMI reconnect): the session's own
    # knowledge that the caller left is enough.
    async with rig() as r:
        r.asterisk.outcomes["301"] = RINGING if hang_up_after is None else NO_ANSWER
        agi = (
            direct_caller("301", CALL)
            if hang_up_after is None
            else hanging_up_after("301", hang_up_after)
        )
        caller = await direct_call(r, agi)
        if hang_up_after is None:
            r.asterisk.states[LEG] = "Ringing"
            caller.agi.hang_up()
        await ended(caller.task)
        assert by_type(r.sink, "backoffice.not_answered")
        assert len(r.controller.ring_numbers) == 0
