"""A consult completed or given up from the agent page: the agent's or the colleague's
leg is hung up, as the phone would (hanging up, or the colleague going away)."""

from __future__ import annotations

import httpx

from acd.ami.actions import Hangup
from tests.unit.acd.rig import dial_begin, dial_end, hangup, rig, talking
from tests.unit.acd.test_control_api import SITE
from tests.unit.acd.transfer.test_transfer_events import CALL, Consults
from tests.unit.http.demo_access import basic

ANOUK = basic("anouk")


async def test_complete_hangs_up_the_agents_leg_and_cancel_the_colleagues() -> None:
    async with rig(SITE) as r:
        agent_leg = await talking(r, "1001", "tic1", CALL)
        transport = httpx.ASGITransport(app=r.controller.control_app())
        async with httpx.AsyncClient(transport=transport, base_url="http://ctl") as client:
            nothing = await client.post("/api/agents/1001/transfer/complete", headers=ANOUK)
            assert nothing.status_code == 409
            assert nothing.json()["detail"] == (
                "agent 1001 is consulting nobody: start a transfer first"
            )
            _, phone = Consults(r).answered("311")
            await r.settle()
            cancel = await client.post("/api/agents/1001/transfer/cancel", headers=ANOUK)
            assert cancel.status_code == 200
            assert [a.channel for a in r.ami.sent_of(Hangup)][-1] == phone.name
            r.emit(hangup(phone))
            await r.settle()
            again = await client.post("/api/agents/1001/transfer/cancel", headers=ANOUK)
            assert again.json()["detail"] == "agent 1001 is consulting nobody"
            Consults(r).begin("321")  # still ringing: it may be handed over
            await r.settle()
            done = await client.post("/api/agents/1001/transfer/complete", headers=ANOUK)
            assert done.status_code == 200
            assert [a.channel for a in r.ami.sent_of(Hangup)][-1] == agent_leg.uniqueid
            other = await client.post("/api/agents/1002/transfer/complete", headers=ANOUK)
            assert other.status_code == 403
        entries = r.audit.day(r.clock.now().date()).entries
        assert [(e.action, e.outcome) for e in entries] == [
            ("transfer/complete", "refused"),
            ("transfer/cancel", "done"),
            ("transfer/cancel", "refused"),
            ("transfer/complete", "done"),
            ("transfer/complete", "forbidden"),
        ]


async def test_a_consult_not_answered_is_no_consult_any_more() -> None:
    async with rig(SITE) as r:
        await talking(r, "1001", "tic1", CALL)
        local, phone = Consults(r).begin("311")
        await r.settle()
        assert r.controller.transfer_events.consult_leg(CALL) == phone.name
        r.emit(dial_end(phone, local, "NOANSWER"))
        await r.settle()
        assert r.controller.transfer_events.consult_leg(CALL) is None
        assert await r.controller.transfer.cancel("1001") == "agent 1001 is consulting nobody"
        assert await r.controller.transfer.complete("1002") == "agent 1002 is on no call"
        r.emit(dial_begin(phone, local, "311"))
        await r.settle()
        assert r.controller.transfer_events.consult_leg(CALL) == phone.name
