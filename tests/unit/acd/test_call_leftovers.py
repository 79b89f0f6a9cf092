"""No per-call table stays non-empty once a call is over, on every way a call ends:
answered and wrapped up, abandoned in the IVR or in the queue, warm-transferred, a
direct call answered or fallen back to the TIC, camped on, and a call whose channels
vanished while AMI was away (``tests/unit/acd/leftovers.py`` names the tables).

Asterisk ends each call as it does live: the ``Hangup`` of every channel, the call's
first channel (the caller's, whose uniqueid is the call id) last of all.
"""

from __future__ import annotations

import asyncio

import httpx

from acd.agi.fake import FakeAgiChannel
from contract import events as stream
from contract.vocabulary import RecordingState
from tests.unit.acd.leftovers import assert_no_call_left, leftovers
from tests.unit.acd.rig import (
    ANSWERED,
    NO_ANSWER,
    Chan,
    Rig,
    attended_transfer,
    consult_channels,
    dial_begin,
    dial_end,
    dialled,
    hangup,
    hint,
    log_in,
    queued,
    rig,
    talking,
)
from tests.unit.acd.test_control_api import SITE
from tests.unit.http.demo_access import basic

CALL = "c1"
CALLER = Chan("PJSIP/trunk-00000001", CALL, CALL)  # ``talking``'s and ``queued``'s caller
ACW_S = 60


async def hang_up(r: Rig, *chans: Chan) -> None:
    r.emit(*(hangup(c) for c in chans))
    await r.settle()


async def test_an_answered_call_wrapped_up_leaves_nothing() -> None:
    async with rig() as r:
        leg = await talking(r, "1001", "tic1", CALL)
        await hang_up(r, leg, CALLER)
        await r.clock.advance(ACW_S)
        assert_no_call_left(r)


async def test_a_caller_who_hangs_up_in_the_ivr_leaves_nothing() -> None:
    async with rig() as r:
        caller = FakeAgiChannel(linkedid=CALL, channel=CALLER.name, uniqueid=CALL)
        caller.on_command = lambda line: caller.hang_up() if "municipality" in line else None
        await asyncio.wait_for(r.controller.ivr.run(caller), 2)
        await hang_up(r, CALLER)
        assert [e.phase.value for e in r.sink.of_type(stream.CallEnded)] == ["ivr"]
        assert_no_call_left(r)


async def test_a_caller_who_hangs_up_in_the_queue_leaves_nothing() -> None:
    async with rig() as r:
        await (await queued(r, CALL)).gone()
        await hang_up(r, CALLER)
        assert_no_call_left(r)


async def test_a_warm_transfer_leaves_nothing() -> None:
    async with rig() as r:
        leg = await talking(r, "1001", "tic1", CALL)
        local, phone = consult_channels("321", CALL, 0x21)
        r.emit(dial_begin(phone, local, "321"), dial_end(phone, local, "ANSWER"))
        second = Chan("Local/321@kcc-internal-00000021;1", "l.21a", CALL)
        r.emit(attended_transfer(leg, second, local))
        await hang_up(r, leg, second, local)
        await r.clock.advance(ACW_S)
        await hang_up(r, phone, CALLER)  # the colleague and the caller, done
        assert r.types("call.")[-2:] == ["call.transferred", "call.ended"]
        assert_no_call_left(r)


async def test_an_answered_direct_call_leaves_nothing() -> None:
    async with rig() as r:
        r.asterisk.outcomes["301"] = ANSWERED
        caller = await dialled(r, "301", CALL)
        await caller.gone()
        await hang_up(r, Chan("PJSIP/301-0000002a", f"kcc-{CALL}-d1", CALL), CALLER)
        assert r.types("backoffice.")[-1] == "backoffice.ended"
        assert_no_call_left(r)


async def test_a_direct_call_fallen_back_to_the_tic_leaves_nothing() -> None:
    async with rig() as r:
        r.asterisk.outcomes["301"] = NO_ANSWER
        caller = await dialled(r, "301", CALL)
        assert [q.fell_back_from for q in r.sink.of_type(stream.CallQueued)] == ["burgerzaken"]
        await caller.gone()
        await hang_up(r, CALLER)
        assert_no_call_left(r)


async def test_an_agents_camp_on_put_through_leaves_nothing() -> None:
    async with rig(SITE) as r:
        leg = await talking(r, "1001", "tic1", CALL)
        r.emit(hint("311", 1))
        await r.settle()
        transport = httpx.ASGITransport(app=r.controller.control_app())
        async with httpx.AsyncClient(transport=transport, base_url="http://ctl") as http:
            reply = await http.post(
                "/api/agents/1001/camp-on", json={"extension": "311"}, headers=basic("anouk")
            )
        assert reply.status_code == 200, reply.text
        await hang_up(r, leg)
        await r.clock.advance(ACW_S)
        camped = FakeAgiChannel(
            "campon", linkedid=CALL, channel=CALLER.name, uniqueid=CALL, extension="311",
            sleep=r.clock.sleep,
        )  # fmt: skip
        session = asyncio.create_task(r.controller.camp_ons.run(camped))
        await r.settle()
        r.asterisk.outcomes["311"] = ANSWERED
        r.emit(hint("311", 0))
        await r.settle()
        camped.hang_up()  # the colleague's Bridge takes the caller
        await asyncio.wait_for(session, 2)
        await hang_up(r, Chan("PJSIP/311-0000002a", f"kcc-{CALL}-d1", CALL), CALLER)
        assert r.types("backoffice.")[-1] == "backoffice.ended"
        assert_no_call_left(r)


async def test_a_talk_that_vanished_while_ami_was_away_leaves_nothing() -> None:
    async with rig() as r:
        await talking(r, "1001", "tic1", CALL)
        await r.controller.on_connected(None)  # Asterisk has no channel of it any more
        await r.clock.advance(ACW_S)
        assert_no_call_left(r)


async def test_a_recording_stored_after_its_call_ended_opens_no_screen() -> None:
    async with rig() as r:
        leg = await talking(r, "1001", "tic1", CALL)
        await hang_up(r, leg, CALLER)
        await r.clock.advance(ACW_S)
        r.controller.sink.publish(
            stream.CallRecording(
                at=r.clock.now(), call_id=CALL, agent_id="1001", state=RecordingState.STORED,
                extension="201", segment=1, recording_id="rec-1",
            )
        )  # fmt: skip
        assert "desk.calls" not in leftovers(r.controller)


async def test_a_consult_whose_phone_vanished_while_ami_was_away_is_closed() -> None:
    async with rig() as r:
        log_in(r, "1002", "tic2")  # not needed by the call; an agent left on the floor
        leg = await talking(r, "1001", "tic1", CALL)
        local, phone = consult_channels("321", CALL, 0x21)
        r.emit(dial_begin(phone, local, "321"))
        await r.settle()
        r.asterisk.has(CALLER, leg, local)  # the colleague's phone is gone, unseen
        await r.controller.on_connected(None)
        [lost] = r.sink.of_type(stream.BackOfficeNotAnswered)
        assert (lost.kind.value, lost.extension, lost.reason.value) == ("consult", "321", "error")
        assert r.controller.transfer_events.consults == 0
        await hang_up(r, leg, local, CALLER)
        await r.clock.advance(ACW_S)
        assert_no_call_left(r)
