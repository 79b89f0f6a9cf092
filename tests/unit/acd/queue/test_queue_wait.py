"""A caller's wait on the fake clock: ringback, the waiting message every N rings (none once
answered), leaving."""

from __future__ import annotations

import asyncio

import pytest

from acd.clock import FakeClock
from acd.core.acd import Acd
from acd.queue.service import QueueService
from acd.queue.session import QueueWait
from contract import MemorySink
from tests.unit.acd.rig import ANSWERED, by_type, log_in, queued, rig, sample_site

MESSAGE = "EXEC StopPlaytones"
RINGBACK = "EXEC Playtones ring"


def spoken(commands: list[str]) -> int:
    return commands.count(MESSAGE)


async def test_the_first_message_comes_after_four_rings_and_again_every_four_rings() -> None:
    async with rig() as r:
        caller = await queued(r, "c1")
        assert caller.agi.commands[:2] == ["SET VARIABLE KCC_TOPIC burgerzaken", RINGBACK]
        await r.clock.advance(19.999)
        assert spoken(caller.agi.commands) == 0
        await r.clock.advance(0.001)
        assert spoken(caller.agi.commands) == 1
        # The message plays (instantly on the fake), then four full rings again.
        assert caller.agi.commands[-1] == RINGBACK
        await r.clock.advance(19.999)
        assert spoken(caller.agi.commands) == 1
        await r.clock.advance(0.001)
        assert spoken(caller.agi.commands) == 2
        announced = by_type(r.sink, "call.announced")
        assert [a["position"] for a in announced] == ["1", "1"]
        assert "U bent de eerste" in announced[0]["wait_text"]
        await caller.gone()
        assert by_type(r.sink, "call.ended")[0]["phase"] == "queue"


async def test_the_interval_is_the_sites() -> None:
    site = sample_site()
    norms = site.norms.model_copy(update={"waiting_message_every_rings": 3})
    async with rig(site.model_copy(update={"norms": norms})) as r:
        caller = await queued(r, "c1")
        await r.clock.advance(14.999)
        assert spoken(caller.agi.commands) == 0
        await r.clock.advance(0.001)
        assert spoken(caller.agi.commands) == 1
        await caller.gone()


async def test_the_message_says_the_callers_place_and_the_prompts_it_plays() -> None:
    async with rig() as r:
        first, second = await queued(r, "c1"), await queued(r, "c2")
        await r.clock.advance(20)
        played = [c for c in second.agi.commands if c.startswith("STREAM FILE")]
        assert played and all(c.startswith("STREAM FILE kcc/prompts/") for c in played)
        positions = {a["call_id"]: a["position"] for a in by_type(r.sink, "call.announced")}
        assert positions == {"c1": "1", "c2": "2"}
        await first.gone()
        await second.gone()


async def test_a_caller_who_hangs_up_mid_wait_leaves_the_queue_at_once() -> None:
    async with rig() as r:
        caller = await queued(r, "c1")
        await r.clock.advance(7)
        caller.agi.hang_up()
        await asyncio.wait_for(caller.task, 1)
        assert r.controller.queue.waiting() == []
        assert r.controller.queue.callers == 0
        await r.clock.advance(60)
        assert by_type(r.sink, "call.announced") == []


async def test_no_waiting_message_once_answered_while_the_bridge_takes_the_caller() -> None:
    async with rig() as r:
        log_in(r, "1001", "tic1")
        r.asterisk.outcomes["201"] = ANSWERED
        caller = await queued(r, "c1")  # answered; the session has not ended yet
        await r.clock.advance(20)
        assert spoken(caller.agi.commands) == 0  # no longer waiting: no place to tell
        assert caller.agi.commands[-2:] == [RINGBACK, RINGBACK]
        await caller.gone()
        assert by_type(r.sink, "call.announced") == []


def test_the_message_interval_must_be_positive() -> None:
    queue = QueueService(Acd(sample_site()), MemorySink(), FakeClock(), ringer=None, mirror=None)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"message_interval_s must be > 0, got 0"):
        QueueWait(queue, MemorySink(), FakeClock(), prompt_name=str, message_interval_s=0)
