"""An agent camps their caller on a busy colleague from the agent page: the checks (409
naming why), the ``Redirect`` into ``kcc-campon``, and the call as the ACD core sees it
then: transferred to the department, the agent in after-call work, and the agent's leg
hanging up after the ``Redirect`` taken as the agent's end, never the caller's."""

from __future__ import annotations

import httpx

from acd.ami.actions import Redirect
from acd.ami.fake import failure, success
from acd.core import AgentState
from contract import events as stream
from tests.unit.acd.rig import Chan, Rig, by_type, hangup, hint, rig, state_of, talking
from tests.unit.acd.test_control_api import SITE
from tests.unit.http.demo_access import basic

CALL = "1718000000.9"
ANOUK = basic("anouk")  # agent 1001's own login


def client(r: Rig) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=r.controller.control_app())
    return httpx.AsyncClient(transport=transport, base_url="http://ctl")


async def camp_on(r: Rig, extension: str = "311", agent: str = "1001") -> httpx.Response:
    async with client(r) as http:
        return await http.post(
            f"/api/agents/{agent}/camp-on", json={"extension": extension}, headers=ANOUK
        )


async def busy(r: Rig, extension: str = "311", status: int = 1) -> None:
    r.emit(hint(extension, status))
    await r.settle()


async def test_the_caller_is_redirected_and_the_call_is_transferred_to_the_department() -> None:
    async with rig(SITE) as r:
        leg = await talking(r, "1001", "tic1", CALL)
        await busy(r)
        reply = await camp_on(r)
        assert reply.status_code == 200, reply.text
        [redirect] = r.ami.sent_of(Redirect)
        assert (redirect.channel, redirect.context, redirect.exten, redirect.priority) == (
            "PJSIP/trunk-00000001", "kcc-campon", "311", 1,
        )  # fmt: skip
        [transferred] = r.sink.of_type(stream.CallTransferred)
        assert (transferred.call_id, transferred.department) == (CALL, "belastingen")
        await agent_leg_hangs_up(r, leg)
        entries = r.audit.day(r.clock.now().date()).entries
        assert [(e.action, e.outcome, e.detail) for e in entries] == [
            ("camp-on", "done", {"to": "311"})
        ]


async def agent_leg_hangs_up(r: Rig, leg: Chan) -> None:
    """The agent's leg, alone in its bridge after the Redirect, hangs up: the agent's
    end of a transferred call (after-call work), not the caller hanging up."""
    r.emit(hangup(leg))
    await r.settle()
    [ended] = by_type(r.sink, "call.ended")
    assert (ended["call_id"], ended["by"], ended["phase"]) == (CALL, "agent", "talking")
    assert state_of(r, "1001") is AgentState.AFTER_CALL_WORK
    assert r.types("call.")[-2:] == ["call.transferred", "call.ended"]


async def test_a_leg_hang_up_before_the_redirects_answer_still_ends_a_transferred_call() -> None:
    async with rig(SITE) as r:
        leg = await talking(r, "1001", "tic1", CALL)
        await busy(r)

        async def hang_up_first(action: Redirect) -> object:
            r.emit(hangup(leg))  # Asterisk's Hangup can come before the Redirect's answer
            await r.settle()
            return success("Redirect successful")

        r.ami.answer(Redirect, hang_up_first)  # type: ignore[arg-type]
        assert (await camp_on(r)).status_code == 200
        await agent_leg_hangs_up(r, leg)
        assert len(r.sink.of_type(stream.CallTransferred)) == 1


async def test_the_refusals_name_why() -> None:
    async with rig(SITE) as r:
        not_talking = await camp_on(r)
        assert (not_talking.status_code, not_talking.json()["detail"]) == (
            409, "agent 1001 is on no call",
        )  # fmt: skip
        await talking(r, "1001", "tic1", CALL)
        position = await camp_on(r, "202")
        assert position.json()["detail"] == "extension 202 is no back-office extension"
        unregistered = await camp_on(r)  # no hint seen yet: not registered
        assert unregistered.json()["detail"] == (
            "the line of 311 has no phone registered: nobody to wait for"
        )
        await busy(r, status=0)
        free = await camp_on(r)
        assert (free.status_code, free.json()["detail"]) == (
            409, "the line of 311 is free: use the warm transfer",
        )  # fmt: skip
        await busy(r, status=8)
        assert (await camp_on(r)).json()["detail"].startswith("the line of 311 is ringing")
        await busy(r)
        r.ami.answer(Redirect, lambda action: failure("Channel specified does not exist"))
        refused = await camp_on(r)
        assert refused.status_code == 409
        assert refused.json()["detail"].startswith("Asterisk refused the camp-on:")
        assert r.sink.of_type(stream.CallTransferred) == []
        other = await camp_on(r, agent="1002")
        assert other.status_code == 403
        outcomes = [e.outcome for e in r.audit.day(r.clock.now().date()).entries]
        assert outcomes == ["refused"] * 6 + ["forbidden"]
