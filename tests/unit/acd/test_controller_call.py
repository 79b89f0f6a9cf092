"""One TIC call through the whole controller on fakes: IVR, queue, ringing, talk, wrap-up."""

from __future__ import annotations

import asyncio

from acd.agi.fake import FakeAgiChannel
from acd.core import AgentState
from acd.core import inputs as ev
from tests.unit.acd.rig import ANSWERED, Chan, by_type, hangup, rig

CALL = "1781506800.11"


async def test_a_caller_through_the_ivr_is_answered_and_the_agent_wraps_up() -> None:
    async with rig() as r:
        queue, clock = r.controller.queue, r.clock
        assert (
            queue.command(ev.AgentLogin(agent_id="1001", position_id="tic1", at=clock.now()))
            is None
        )
        assert queue.agent_at("tic1") == "1001"
        r.asterisk.outcomes["201"] = ANSWERED
        caller = FakeAgiChannel(linkedid=CALL, channel="PJSIP/trunk-00000001", uniqueid=CALL)
        caller.press("11")  # Haarlem, then Burgerzaken
        session = asyncio.create_task(r.controller.ivr.run(caller))
        await r.settle()
        # The agent answered; their leg's Bridge takes the caller out of FastAGI.
        caller.hang_up()
        await asyncio.wait_for(session, 1)
        [originate] = r.asterisk.originated("201")
        assert originate.data == "PJSIP/trunk-00000001,F(kcc-done^s^1)T"
        assert originate.variables["KCC_CALLID"] == CALL
        assert "SET VARIABLE KCC_TOPIC burgerzaken" in caller.commands
        steps = ["call.ivr_step"] * 4  # welcome, recording notice, municipality, topic
        assert r.types("call.") == [
            "call.started", *steps, "call.queued", "call.offered", "call.answered",
        ]  # fmt: skip
        [answered] = by_type(r.sink, "call.answered")
        assert (answered["call_id"], answered["agent_id"], answered["position_id"]) == (
            CALL, "1001", "tic1",
        )  # fmt: skip
        # The agent hangs up: after-call work, then available when its minute is over.
        r.emit(hangup(Chan("PJSIP/201-00000002", originate.channel_id or "", CALL)))
        await r.settle()
        assert r.controller.queue.agents()[0].state is AgentState.AFTER_CALL_WORK
        await clock.advance(60)
        assert r.controller.queue.agents()[0].state is AgentState.AVAILABLE
        [ended] = by_type(r.sink, "call.ended")
        assert (ended["phase"], ended["by"]) == ("talking", "agent")
