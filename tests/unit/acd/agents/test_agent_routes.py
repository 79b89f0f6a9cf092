"""The agents' HTTP endpoints as functions on the controller's queue (who may call them is
``tests/unit/acd/test_control_api.py``): after-call work ended and extended."""

from __future__ import annotations

import pytest
from fastapi import HTTPException

from acd.agents import routes
from acd.core import AgentState
from acd.web import Auditing, AuditTrail
from http_access.auth import Principal, PrincipalKind
from site_config.access import Role
from tests.unit.acd.rig import ANSWERED, Chan, Rig, hangup, log_in, queued, rig, state_of

ANOUK = Principal(name="anouk", kind=PrincipalKind.USER, role=Role.AGENT, agent_id="1001")


def trail(r: Rig) -> AuditTrail:
    return AuditTrail(Auditing(r.audit, r.clock), ANOUK)


async def in_after_call_work(r: Rig) -> None:
    log_in(r, "1001", "tic1")
    r.asterisk.outcomes["201"] = ANSWERED
    await (await queued(r, "c1")).gone()
    r.emit(hangup(Chan("PJSIP/201-00000002", "kcc-c1-1", "c1")))
    await r.settle()
    assert state_of(r, "1001") is AgentState.AFTER_CALL_WORK


async def test_after_call_work_extended_over_http_lasts_that_much_longer() -> None:
    async with rig() as r:
        await in_after_call_work(r)
        queue = r.controller.queue
        extended = await routes.extend_acw("1001", routes.Extend(seconds=30), queue, trail(r))
        assert extended == {"ok": True}
        await r.clock.advance(89.9)
        assert state_of(r, "1001") is AgentState.AFTER_CALL_WORK
        await r.clock.advance(0.1)
        assert state_of(r, "1001") is AgentState.AVAILABLE


async def test_after_call_work_ended_over_http_makes_the_agent_available() -> None:
    async with rig() as r:
        await in_after_call_work(r)
        assert await routes.end_acw("1001", r.controller.queue, trail(r)) == {"ok": True}
        assert state_of(r, "1001") is AgentState.AVAILABLE
        with pytest.raises(HTTPException) as refused:
            await routes.extend_acw("1001", routes.Extend(), r.controller.queue, trail(r))
        assert refused.value.status_code == 409
