"""The agent's desk in the controller on fakes: the screen pop when the phone rings, the
day's figures, the live stream, and who may read which desk."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import httpx
import pytest

from acd.desk import routes
from contract.events import CallIvrStep, CallStarted
from contract.vocabulary import IvrOutcome
from tests.unit.acd.rig import ANSWERED, RINGING, Chan, Rig, Waiting, hangup, log_in, queued, rig
from tests.unit.acd.test_control_api import SITE
from tests.unit.http.demo_access import basic

ANOUK, BRAM, FLOOR = basic("anouk"), basic("bram"), basic("floor")


@pytest.fixture
async def api() -> AsyncIterator[tuple[Rig, httpx.AsyncClient]]:
    async with rig(SITE) as r:
        transport = httpx.ASGITransport(app=r.controller.control_app())
        async with httpx.AsyncClient(transport=transport, base_url="http://ctl") as client:
            yield r, client


async def ringing(r: Rig, call_id: str) -> Waiting:
    """``call_id`` joins the queue and 1001's phone (201) rings, unanswered for now."""
    r.asterisk.outcomes["201"] = RINGING
    return await queued(r, call_id)


async def answer(r: Rig, caller: Waiting) -> None:
    r.asterisk.finish("201", ANSWERED)
    await caller.gone()


def through_the_ivr(r: Rig, call_id: str, caller: str = "0612345678") -> None:
    """What the IVR publishes for a caller choosing Haarlem, then Burgerzaken."""
    at = r.clock.now()
    r.controller.sink.publish(CallStarted(at=at, call_id=call_id, caller=caller, dialled="14023"))
    for node, digit in (("municipality", "1"), ("topics-haarlem", "1")):
        step = CallIvrStep(at=at, call_id=call_id, node=node, digit=digit,
                           outcome=IvrOutcome.CHOSEN)  # fmt: skip
        r.controller.sink.publish(step)


async def test_the_ringing_call_pops_up_with_its_context(
    api: tuple[Rig, httpx.AsyncClient],
) -> None:
    r, client = api
    through_the_ivr(r, "c0")  # the same number called before, today
    log_in(r, "1001", "tic1")
    through_the_ivr(r, "c1")
    await r.clock.advance(12)
    caller = await ringing(r, "c1")  # the phone rings at once: 1001 is free
    desk = (await client.get("/api/agents/1001/desk", headers=ANOUK)).json()
    assert desk["agent"]["state"] == "ringing"
    call = desk["call"]
    assert (call["id"], call["municipality"], call["topic"]) == ("c1", "Haarlem", "Burgerzaken")
    assert [(s["node"], s["digit"], s["choice"]) for s in call["ivr_path"]] == [
        ("municipality", "1", "Haarlem"),
        ("topics-haarlem", "1", "paspoort, rijbewijs, verhuizen of een uittreksel"),
    ]
    assert call["waited_s"] == 0 and call["fell_back_from"] is None
    assert call["calls_last_7_days"] == 1
    assert "0612345678" not in json.dumps(desk), "the number itself reached the page"
    await answer(r, caller)


async def test_todays_figures_count_the_agents_calls(api: tuple[Rig, httpx.AsyncClient]) -> None:
    r, client = api
    log_in(r, "1001", "tic1")
    r.asterisk.outcomes["201"] = ANSWERED
    await (await queued(r, "c1")).gone()
    await r.clock.advance(90)
    r.emit(hangup(Chan("PJSIP/201-00000002", "kcc-c1-1", "c1")))
    await r.settle()
    desk = (await client.get("/api/agents/1001/desk", headers=ANOUK)).json()
    assert desk["agent"]["state"] == "after_call_work"
    assert desk["agent"]["acw_until"] is not None
    assert desk["call"]["id"] == "c1", "the call stays on screen through after-call work"
    await r.clock.advance(60)
    desk = (await client.get("/api/agents/1001/desk", headers=ANOUK)).json()
    assert desk["agent"]["state"] == "available" and desk["call"] is None
    today = desk["today"]
    assert (today["answered"], today["talk_s"], today["after_call_work_s"]) == (1, 90, 60)
    assert today["mean_handling_s"] == 150


async def test_an_agent_reads_only_their_own_desk(api: tuple[Rig, httpx.AsyncClient]) -> None:
    _, client = api
    mine = await client.get("/api/agents/1001/desk", headers=ANOUK)
    assert mine.status_code == 200
    other = await client.get("/api/agents/1001/desk", headers=BRAM)
    assert other.status_code == 403
    assert (await client.get("/api/agents/1001/desk/stream", headers=BRAM)).status_code == 403
    assert (await client.get("/api/agents/1001/desk", headers=FLOOR)).status_code == 200
    unknown = await client.get("/api/agents/9999/desk", headers=FLOOR)
    assert (unknown.status_code, unknown.json()["detail"]) == (404, "unknown agent '9999'")
    assert (await client.get("/api/agents/1001/desk", headers=basic("els"))).status_code == 403


async def test_the_page_is_dutch_and_locked_down(api: tuple[Rig, httpx.AsyncClient]) -> None:
    _, client = api
    page = await client.get("/agent", headers=ANOUK)
    assert page.status_code == 200
    assert '<html lang="nl">' in page.text and 'data-agent="1001"' in page.text
    policy = page.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "connect-src 'self'" in policy
    nonce = policy.split("'nonce-")[1].split("'")[0]
    assert f'<script nonce="{nonce}">' in page.text
    assert page.headers["cache-control"] == "no-store"
    floor = await client.get("/agent", headers=FLOOR)
    assert 'data-agent=""' in floor.text  # the floor picks an agent on the page


async def test_the_stream_pushes_the_desk_again_when_the_phone_rings() -> None:
    async with rig(SITE) as r:
        log_in(r, "1001", "tic1")
        events = routes._events(r.controller.desks, "1001")
        assert await anext(events) == "retry: 3000\n\n"
        first = json.loads((await anext(events)).removeprefix("data: "))
        assert first["agent"]["state"] == "available" and first["call"] is None
        following = asyncio.ensure_future(anext(events))
        await asyncio.sleep(0)
        caller = await ringing(r, "c1")
        pushed = json.loads((await asyncio.wait_for(following, 1)).removeprefix("data: "))
        assert pushed["call"]["id"] == "c1"
        await events.aclose()
        await answer(r, caller)


async def test_a_withheld_number_and_a_call_started_before_a_restart(
    api: tuple[Rig, httpx.AsyncClient],
) -> None:
    r, client = api
    log_in(r, "1001", "tic1")
    through_the_ivr(r, "c1", caller="")
    caller = await ringing(r, "c1")
    desk = (await client.get("/api/agents/1001/desk", headers=ANOUK)).json()
    assert desk["call"]["calls_last_7_days"] is None
    await answer(r, caller)


async def test_the_desk_lists_the_departments_a_note_can_be_for(
    api: tuple[Rig, httpx.AsyncClient],
) -> None:
    _, client = api
    desk = (await client.get("/api/agents/1001/desk", headers=ANOUK)).json()
    assert [(d["id"], [c["extension"] for c in d["colleagues"]]) for d in desk["departments"]] == [
        ("burgerzaken", ["301", "302"]),
        ("belastingen", ["311"]),
        ("vergunningen", ["321"]),
    ]


@pytest.mark.parametrize(
    ("login", "status"),
    [("els", 200), ("teamlead", 200), ("admin", 200), ("anouk", 403), ("floor", 403)],
)
async def test_the_colleague_page_is_for_the_back_office_and_team_leads(
    api: tuple[Rig, httpx.AsyncClient], login: str, status: int
) -> None:
    _, client = api
    page = await client.get("/colleague", headers=basic(login))
    assert page.status_code == status
    if status == 200:
        assert '<html lang="nl">' in page.text
        assert "content-security-policy" in page.headers
        expected = 'data-extension="301"' if login == "els" else 'data-extension=""'
        assert expected in page.text
