"""A caller's wait on the fake clock: ringback, the waiting message every N rings (none once
answered), leaving."""

from __future__ import annotations

import asyncio

import pytest

from acd.clock import FakeClock
from acd.core.acd import Acd
from acd.queue.service import QueueService
from acd.queue.session import MAX_WAIT_PROMPT, MAX_WAIT_TEXTS, QueueWait
from contract import MemorySink
from site_config import SiteConfig
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


def _short_max_wait(seconds: int) -> SiteConfig:
    site = sample_site()
    return site.model_copy(update={"norms": site.norms.model_copy(update={"max_wait_s": seconds})})


async def test_after_the_longest_wait_the_caller_is_told_and_kept_out_of_the_fallback() -> None:
    async with rig(_short_max_wait(90)) as r:
        caller = await queued(r, "c1")
        await r.clock.advance(89.999)
        assert not caller.task.done()
        assert [w.call_id for w in r.controller.queue.waiting()] == ["c1"]
        await r.clock.advance(0.001)
        await asyncio.wait_for(caller.task, 1)
        assert r.controller.queue.waiting() == []
        assert caller.agi.commands[-3:] == [
            "SET VARIABLE KCC_HANDLED 1",
            "EXEC StopPlaytones",
            f"STREAM FILE kcc/prompts/{MAX_WAIT_PROMPT}",
        ]
        assert by_type(r.sink, "call.ended")[0]["phase"] == "queue"
    assert "geen medewerker vrij" in MAX_WAIT_TEXTS[MAX_WAIT_PROMPT]


async def test_the_site_default_is_half_an_hour_of_waiting() -> None:
    async with rig() as r:
        caller = await queued(r, "c1")
        await r.clock.advance(1799)
        assert not caller.task.done()
        await r.clock.advance(1)
        await asyncio.wait_for(caller.task, 1)
        assert "SET VARIABLE KCC_HANDLED 1" in caller.agi.commands


async def test_a_caller_answered_at_the_deadline_is_not_sent_away() -> None:
    async with rig(_short_max_wait(60)) as r:
        log_in(r, "1001", "tic1")
        r.asterisk.outcomes["201"] = ANSWERED
        caller = await queued(r, "c1")  # answered; the Bridge has not taken them yet
        await r.clock.advance(60)
        await asyncio.wait_for(caller.task, 1)
        assert "SET VARIABLE KCC_HANDLED 1" not in caller.agi.commands


def test_the_longest_wait_must_be_positive() -> None:
    queue = QueueService(Acd(sample_site()), MemorySink(), FakeClock(), ringer=None, mirror=None)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"max_wait_s must be > 0, got 0"):
        QueueWait(
            queue, MemorySink(), FakeClock(), prompt_name=str, message_interval_s=5, max_wait_s=0
        )
