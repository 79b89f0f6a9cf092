"""Agents' phones rung over (fake) AMI: answers, failures, and the races real calls showed."""

from __future__ import annotations

import asyncio
import logging

import pytest

from acd.agents.service import SETTLE_S
from acd.ami.actions import Hangup
from acd.ami.fake import failure
from acd.core import AgentState, PauseReason
from tests.unit.acd.rig import (
    ANSWERED,
    BUSY,
    NO_ANSWER,
    REFUSED,
    RINGING,
    Chan,
    Outcome,
    Rig,
    Waiting,
    by_type,
    hangup,
    log_in,
    queued,
    rig,
    state_of,
)


async def ringing_1001(r: Rig, *, leg: str | None = None) -> Waiting:
    """Agent 1001 logged in at tic1, their phone (201) ringing for caller c1, who waits;
    ``leg``: the state Asterisk gives the leg's channel (``Getvar CHANNEL(state)``)."""
    log_in(r, "1001", "tic1")
    r.asterisk.outcomes["201"] = RINGING
    caller = await queued(r, "c1")
    if leg is not None:
        r.asterisk.states["kcc-c1-1"] = leg
    return caller


async def test_an_answered_ring_connects_and_the_legs_hangup_completes_the_call() -> None:
    async with rig() as r:
        log_in(r, "1001", "tic1")
        r.asterisk.outcomes["201"] = ANSWERED
        caller = await queued(r, "c1")
        [originate] = r.asterisk.originated("201")
        assert originate.channel_id == "kcc-c1-1"
        assert originate.caller_id == '"Burgerzaken" <0612345678>'
        assert (originate.timeout, originate.variables["KCC_AGENT"]) == (15, "1001")
        assert originate.variables["TRANSFER_CONTEXT"] == "kcc-internal"
        assert state_of(r, "1001") is AgentState.TALKING
        await caller.gone()  # the Bridge took the caller: not a caller who left
        assert r.types("call.ended") == []
        r.emit(hangup(Chan("PJSIP/201-00000002", "kcc-c1-1", "c1")))
        await r.settle()
        assert by_type(r.sink, "call.ended")[0]["by"] == "agent"
        assert r.controller.legs.legs() == []  # nothing kept once the call is over


async def test_no_answer_pauses_the_agent_and_the_caller_keeps_their_place() -> None:
    async with rig() as r:
        log_in(r, "1001", "tic1")
        r.asterisk.outcomes["201"] = NO_ANSWER
        caller = await queued(r, "c1")
        [failed] = by_type(r.sink, "call.not_answered")
        assert failed["reason"] == "no_answer"
        agent = r.controller.queue.agents()[0]
        assert (agent.state, agent.pause_reason) == (AgentState.PAUSED, PauseReason.NOT_ANSWERING)
        assert [w.call_id for w in r.controller.queue.waiting()] == ["c1"]
        await caller.gone()


async def test_a_busy_phone_is_reported_busy() -> None:
    async with rig() as r:
        log_in(r, "1001", "tic1")
        r.asterisk.outcomes["201"] = BUSY
        caller = await queued(r, "c1")
        assert by_type(r.sink, "call.not_answered")[0]["reason"] == "busy"
        await caller.gone()


async def test_a_refused_originate_is_an_error_and_its_leftover_leg_is_hung_up() -> None:
    async with rig() as r:
        log_in(r, "1001", "tic1")
        r.asterisk.outcomes["201"] = REFUSED
        caller = await queued(r, "c1")
        assert by_type(r.sink, "call.not_answered")[0]["reason"] == "error"
        assert r.asterisk.hung_up() == ["kcc-c1-1"]
        # A technical error is not the agent's doing: available again, not paused.
        assert state_of(r, "1001") is AgentState.AVAILABLE
        await caller.gone()


async def test_a_caller_who_hangs_up_while_it_rings_stops_the_ringing_at_once() -> None:
    async with rig() as r:
        caller = await ringing_1001(r, leg="Ringing")
        await caller.gone()
        await r.settle()
        assert r.asterisk.hung_up() == ["kcc-c1-1"]
        assert by_type(r.sink, "call.ended")[0]["phase"] == "ringing"
        assert state_of(r, "1001") is AgentState.AVAILABLE
        r.asterisk.finish("201", NO_ANSWER)  # the Originate's late answer changes nothing
        await r.settle()
        assert r.types("call.not_answered") == []
        assert state_of(r, "1001") is AgentState.AVAILABLE


async def test_an_answer_that_arrives_after_the_bridge_took_the_caller_still_connects() -> None:
    # Seen on real Asterisk: Bridge pulls the caller out of FastAGI a moment before the
    # OriginateResponse. The leg is Up, so the controller waits for the answer instead
    # of taking the session's end for a caller who hung up.
    async with rig() as r:
        caller = await ringing_1001(r, leg="Up")
        caller.agi.hang_up()
        await r.settle()
        assert not caller.task.done()  # waiting for the Originate's answer
        r.asterisk.finish("201", ANSWERED)
        await asyncio.wait_for(caller.task, 1)
        assert r.types("call.") == ["call.queued", "call.offered", "call.answered"]
        assert r.ami.sent_of(Hangup) == []
        assert state_of(r, "1001") is AgentState.TALKING


async def test_an_up_leg_whose_answer_never_comes_is_given_up_after_the_settle_time() -> None:
    async with rig() as r:
        caller = await ringing_1001(r, leg="Up")
        caller.agi.hang_up()
        await r.clock.advance(SETTLE_S - 0.01)
        assert not caller.task.done()
        await r.clock.advance(0.01)
        await asyncio.wait_for(caller.task, 1)
        assert by_type(r.sink, "call.ended")[0]["phase"] == "ringing"
        r.asterisk.finish("201", Outcome(answered=True, reason=4))
        await r.settle()


async def test_a_resync_ends_the_talking_legs_asterisk_no_longer_has() -> None:
    async with rig() as r:
        log_in(r, "1001", "tic1")
        log_in(r, "1002", "tic2")
        r.asterisk.outcomes["201"] = r.asterisk.outcomes["202"] = ANSWERED
        first, second = await queued(r, "c1"), await queued(r, "c2")
        await first.gone()
        await second.gone()
        r.asterisk.alive = {"kcc-c2-2"}  # c1's leg ended while AMI was away
        r.ami.lose_events(4)
        await r.settle()
        ended = by_type(r.sink, "call.ended")
        assert [(e["call_id"], e["by"]) for e in ended] == [("c1", "agent")]
        assert state_of(r, "1001") is AgentState.AFTER_CALL_WORK
        assert state_of(r, "1002") is AgentState.TALKING


async def test_a_hang_up_asterisk_refuses_is_logged_and_the_leg_is_done_with(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async with rig() as r:
        caller = await ringing_1001(r)
        assert r.controller.legs.leg("kcc-c1-1") is not None
        r.ami.answer(Hangup, lambda action: failure("No such channel"))  # gone already
        r.asterisk.states["kcc-c1-1"] = "Ringing"
        with caplog.at_level(logging.INFO, logger="acd.agents.service"):
            await caller.gone()
            await r.settle()
        assert "hang-up of kcc-c1-1: Hangup" in caplog.text and "No such channel" in caplog.text
        assert state_of(r, "1001") is AgentState.AVAILABLE
        r.asterisk.finish("201", NO_ANSWER)
        await asyncio.wait_for(r.controller.legs.idle(), 1)
        assert r.controller.legs.leg("kcc-c1-1") is None
