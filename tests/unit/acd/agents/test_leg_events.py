"""Asterisk's news about agents' legs: a ``Hangup`` steps the leg, and a resync after lost
events ends the talking legs whose channel Asterisk no longer has, and only those."""

from __future__ import annotations

import logging

import pytest

from acd.agents.machine import LegState
from acd.core import AgentState
from tests.unit.acd.rig import (
    ANSWERED,
    NO_ANSWER,
    RINGING,
    Chan,
    Rig,
    by_type,
    hangup,
    log_in,
    queued,
    rig,
    state_of,
)


def leg_states(r: Rig) -> dict[str, LegState]:
    return {leg.call_id: leg.state for leg in r.controller.legs.legs()}


async def two_talking_and_one_ringing(r: Rig) -> None:
    """c1 and c2 answered by 1001 and 1002; c3's leg to 1003 still rings."""
    log_in(r, "1001", "tic1")
    log_in(r, "1002", "tic2")
    log_in(r, "1003", "tic3")
    r.asterisk.outcomes["201"] = r.asterisk.outcomes["202"] = ANSWERED
    r.asterisk.outcomes["203"] = RINGING
    for call_id in ("c1", "c2"):
        await (await queued(r, call_id)).gone()  # their Bridge took the callers
    await queued(r, "c3", "afval-openbare-ruimte")
    assert leg_states(r) == {"c1": LegState.TALKING, "c2": LegState.TALKING,
                             "c3": LegState.RINGING}  # fmt: skip


async def test_a_resync_after_lost_events_ends_only_the_talking_legs_asterisk_lost() -> None:
    async with rig() as r:
        await two_talking_and_one_ringing(r)
        r.asterisk.alive = {"kcc-c2-2"}  # c1 hung up while AMI was away; c3's is not up yet
        r.ami.lose_events(3)
        await r.settle()
        ended = by_type(r.sink, "call.ended")
        assert [(e["call_id"], e["phase"], e["by"]) for e in ended] == [("c1", "talking", "agent")]
        assert leg_states(r) == {"c2": LegState.TALKING, "c3": LegState.RINGING}
        assert state_of(r, "1001") is AgentState.AFTER_CALL_WORK
        assert state_of(r, "1002") is AgentState.TALKING
        # The ringing leg carries on as before: its Originate's answer still counts.
        r.asterisk.finish("203", ANSWERED)
        await r.settle()
        assert state_of(r, "1003") is AgentState.TALKING


async def test_a_resync_when_asterisk_has_every_leg_changes_nothing() -> None:
    async with rig() as r:
        await two_talking_and_one_ringing(r)
        r.asterisk.alive = {"kcc-c1-1", "kcc-c2-2"}
        await r.controller.leg_events.resync()
        assert r.types("call.ended") == []
        assert set(leg_states(r)) == {"c1", "c2", "c3"}
        r.asterisk.finish("203", NO_ANSWER)


async def test_a_resync_that_cannot_ask_asterisk_keeps_the_legs(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async with rig() as r:
        await two_talking_and_one_ringing(r)
        r.ami.disconnect()
        with caplog.at_level(logging.WARNING, logger="acd.agents.consumer"):
            await r.controller.leg_events.resync()
        assert "resync failed: CoreShowChannels" in caplog.text
        assert r.types("call.ended") == []
        assert set(leg_states(r)) == {"c1", "c2", "c3"}
        r.ami.reconnect()
        r.asterisk.finish("203", NO_ANSWER)


async def test_a_ringing_legs_own_hangup_waits_for_the_originates_answer() -> None:
    async with rig() as r:
        await two_talking_and_one_ringing(r)
        r.emit(hangup(Chan("PJSIP/203-00000003", "kcc-c3-3", "c3"), cause=21))  # rejected
        await r.settle()
        assert leg_states(r)["c3"] is LegState.RINGING
        r.asterisk.finish("203", NO_ANSWER)
        await r.settle()
        assert by_type(r.sink, "call.not_answered")[0]["agent_id"] == "1003"
        assert "c3" not in leg_states(r)


async def test_the_hangup_of_a_channel_that_is_no_leg_of_ours_changes_nothing() -> None:
    async with rig() as r:
        await two_talking_and_one_ringing(r)
        r.emit(hangup(Chan("PJSIP/trunk-00000009", "1781506800.9")))
        await r.settle()
        assert set(leg_states(r)) == {"c1", "c2", "c3"}
        assert r.types("call.ended") == []
        r.asterisk.finish("203", NO_ANSWER)
