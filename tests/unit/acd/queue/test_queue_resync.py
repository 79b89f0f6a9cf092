"""Callers whose channel ended while AMI was away leave the queue at the resync: counted
as abandoned (``call.ended``, phase ``queue`` or ``ringing``, by the caller), never
offered to an agent afterwards, and their FastAGI session ending later ends nothing
twice. A caller Asterisk still has, or who joined after Asterisk was asked, stays."""

from __future__ import annotations

from datetime import timedelta

import pytest

from acd.ami.actions import Originate
from acd.ami.channels import LiveChannels
from tests.unit.acd.leftovers import assert_no_call_left
from tests.unit.acd.rig import NO_ANSWER, RINGING, Chan, by_type, log_in, queued, rig

TRUNK = "PJSIP/trunk-00000001"  # ``queued``'s caller channel


async def test_a_caller_gone_while_ami_was_away_leaves_the_queue_as_abandoned(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async with rig() as r:
        caller = await queued(r, "c1")
        await r.clock.advance(3)
        await r.controller.on_connected(None)  # AMI is back; Asterisk has no channel
        await r.settle()
        ended = by_type(r.sink, "call.ended")
        assert [(e["call_id"], e["phase"], e["by"]) for e in ended] == [("c1", "queue", "caller")]
        assert r.controller.queue.waiting() == []
        log_in(r, "1001", "tic1")  # a free agent now is rung for nobody
        await r.settle()
        assert r.ami.sent_of(Originate) == []
        await caller.gone()  # the session's end, late, is no second end
        assert len(by_type(r.sink, "call.ended")) == 1
        assert "refused" not in caplog.text  # not even one the core turns down
        assert_no_call_left(r)


async def test_a_caller_asterisk_still_has_stays_in_the_queue() -> None:
    async with rig() as r:
        caller = await queued(r, "c1")
        r.asterisk.has(Chan(TRUNK, "c1"))
        await r.clock.advance(3)
        await r.controller.on_connected(None)
        assert by_type(r.sink, "call.ended") == []
        assert [w.call_id for w in r.controller.queue.waiting()] == ["c1"]
        await caller.gone()
        assert [e["phase"] for e in by_type(r.sink, "call.ended")] == ["queue"]
        assert_no_call_left(r)


async def test_a_caller_gone_while_an_agent_rings_ends_as_left_while_ringing() -> None:
    async with rig() as r:
        log_in(r, "1001", "tic1")
        r.asterisk.outcomes["201"] = RINGING
        caller = await queued(r, "c1")
        assert r.asterisk.ringing("201")
        await r.clock.advance(3)
        await r.controller.on_connected(None)
        await r.settle()
        assert [e["phase"] for e in by_type(r.sink, "call.ended")] == ["ringing"]
        assert r.asterisk.hung_up() == ["kcc-c1-1"]  # the agent's phone stops ringing
        r.asterisk.finish("201", NO_ANSWER)  # the Originate's answer to that hang-up
        await caller.gone()
        assert len(by_type(r.sink, "call.ended")) == 1
        assert_no_call_left(r)


async def test_a_caller_who_joined_after_asterisk_was_asked_is_not_judged() -> None:
    async with rig() as r:
        await queued(r, "c1")
        asked_before = r.clock.now() - timedelta(seconds=1)
        empty = LiveChannels(asked_at=asked_before, uniqueids=frozenset(), names=frozenset())
        r.controller.queue.reconcile(empty)
        assert [w.call_id for w in r.controller.queue.waiting()] == ["c1"]
        assert by_type(r.sink, "call.ended") == []
