"""The controller's ``kcc_controller_call_entries`` gauge: every per-call table by name,
holding entries while a call is in progress and 0 for all once it is over (the
tables: ``acd.call_tables``; every ending path: ``tests/unit/acd/test_call_leftovers.py``).
"""

from __future__ import annotations

import asyncio

import httpx
from prometheus_client.parser import text_string_to_metric_families

from acd.agi.fake import FakeAgiChannel
from tests.unit.acd.prometheus.test_metrics import ADMIN, client_of
from tests.unit.acd.rig import Chan, hangup, queued, rig, talking
from tests.unit.acd.test_control_api import SITE

CALL = "c1"
CALLER = Chan("PJSIP/trunk-00000001", CALL, CALL)  # ``talking``'s caller
ACW_S = 60

# Every table the controller keeps per call; a room that stops reporting one, or a new
# one nobody named here, shows as a difference.
TABLES = {
    "ivr.in_menu",
    "core.calls",
    "queue.callers",
    "queue.call_timers",
    "legs.legs",
    "legs.rings",
    "backoffice.answered",
    "backoffice.gave_up",
    "campon.moving",
    "campon.waiting",
    "transfer.consults",
    "transfer.consulted",
    "transfer.consult_legs",
    "desk.calls",
    "desk.ended",
    "recorder.keeping",
    "recorder.tapes",
}


async def scrape(client: httpx.AsyncClient) -> dict[str, float]:
    """The gauge's value for each table, as Prometheus reads it."""
    reply = await client.get("/metrics", headers=ADMIN)
    assert reply.status_code == 200
    return {
        s.labels["table"]: s.value
        for family in text_string_to_metric_families(reply.text)
        for s in family.samples
        if s.name == "kcc_controller_call_entries"
    }


async def test_a_call_in_progress_shows_entries_and_none_once_it_is_over() -> None:
    async with rig(SITE) as r, client_of(r.controller.control_app()) as client:
        assert await scrape(client) == dict.fromkeys(TABLES, 0)
        leg = await talking(r, "1001", "tic1", CALL)
        during = await scrape(client)
        r.emit(hangup(leg), hangup(CALLER))
        await r.settle()
        wrapping_up = await scrape(client)
        await r.clock.advance(ACW_S)
        after = await scrape(client)
    assert set(during) == TABLES
    assert during["core.calls"] == 1 and during["legs.legs"] == 1
    assert during["desk.calls"] == 0  # the agent's own screen: not a leftover
    # Hung up, the agent in after-call work: the screen they still see is theirs.
    assert wrapping_up == dict.fromkeys(TABLES, 0)
    assert after == dict.fromkeys(TABLES, 0)


async def test_the_gauge_is_the_product_s_own_tables() -> None:
    async with rig(SITE) as r:
        leg = await talking(r, "1001", "tic1", CALL)
        async with client_of(r.controller.control_app()) as client:
            exported = await scrape(client)
        assert exported == r.controller.call_tables.entries()
        assert r.controller.call_tables.total() == sum(exported.values()) > 0
        r.emit(hangup(leg), hangup(CALLER))
        await r.settle()
        await r.clock.advance(ACW_S)
        assert r.controller.call_tables.total() == 0


async def test_a_caller_in_the_menu_and_one_in_the_queue_are_counted() -> None:
    async with rig(SITE) as r:
        in_menu: list[int] = []
        caller = FakeAgiChannel(linkedid=CALL, channel=CALLER.name, uniqueid=CALL)

        def at_the_menu(line: str) -> None:
            if "municipality" in line:
                in_menu.append(r.controller.call_tables.entries()["ivr.in_menu"])
                caller.hang_up()

        caller.on_command = at_the_menu
        await asyncio.wait_for(r.controller.ivr.run(caller), 2)
        after_menu = r.controller.call_tables.entries()["ivr.in_menu"]
        waiting = await queued(r, "c2")
        in_queue = r.controller.call_tables.entries()
        await waiting.gone()
        await r.settle()
        left = r.controller.call_tables.entries()
    assert (in_menu, after_menu) == ([1], 0)
    assert (in_queue["queue.callers"], in_queue["core.calls"]) == (1, 1)
    assert (left["queue.callers"], left["core.calls"]) == (0, 0)
