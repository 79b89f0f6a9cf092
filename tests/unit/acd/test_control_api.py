"""The controller's HTTP API over each room's routes, on the fakes: who may, what it does."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from acd.ami.actions import Atxfer
from site_config import SiteConfig
from tests.unit.acd.rig import ANSWERED, Rig, log_in, queued, rig, sample_site
from tests.unit.http.demo_access import basic, cheaply_hashed

FLOOR, AGENT, LEAD = basic("floor"), basic("anouk"), basic("teamlead")  # anouk is agent 1001


def cheap_site() -> SiteConfig:
    """The sample site with its demo passwords hashed at a tiny scrypt cost."""
    return cheaply_hashed(sample_site())


SITE = cheap_site()


@pytest.fixture
async def api() -> AsyncIterator[tuple[Rig, httpx.AsyncClient]]:
    async with rig(SITE) as r:
        transport = httpx.ASGITransport(app=r.controller.control_app())
        async with httpx.AsyncClient(transport=transport, base_url="http://ctl") as client:
            yield r, client


ROUTES = [
    ("GET", "/api/acd/state"),
    ("POST", "/api/agents/1001/login"),
    ("POST", "/api/agents/1001/logout"),
    ("POST", "/api/agents/1001/pause"),
    ("POST", "/api/agents/1001/available"),
    ("POST", "/api/agents/1001/after-call-work/end"),
    ("POST", "/api/agents/1001/after-call-work/extend"),
    ("POST", "/api/agents/1001/transfer"),
    ("POST", "/api/agents/1001/transfer/complete"),
    ("POST", "/api/agents/1001/transfer/cancel"),
    ("POST", "/api/agents/1001/recording"),
    ("POST", "/api/agents/1001/camp-on"),
    ("GET", "/api/agents/1001/desk"),
    ("GET", "/api/agents/1001/desk/stream"),
    ("GET", "/agent"),
    ("GET", "/colleague"),
    ("PUT", "/api/agents/1001/topics"),
    ("POST", "/api/positions/tic4/open"),
    ("POST", "/api/positions/tic4/close"),
    ("PUT", "/api/ivr/calamity"),
    ("DELETE", "/api/ivr/calamity"),
    ("PUT", "/api/ivr/topic-menu"),
    ("GET", "/api/ivr/settings"),
    ("GET", "/api/audit"),
    ("GET", "/api/phonebook"),
    ("GET", "/api/phonebook/stream"),
    ("PUT", "/api/phonebook/301/status"),
    ("GET", "/api/phonebook/301/photo"),
    ("POST", "/api/agents/1001/callback-notes"),
    ("GET", "/api/callback-notes"),
    ("POST", "/api/callback-notes/n1/done"),
    ("GET", "/api/recordings/r1/coaching"),
    ("POST", "/api/recordings/r1/notes"),
    ("POST", "/api/recordings/r1/discussed"),
    ("POST", "/api/recordings/r1/evaluations"),
    ("GET", "/coaching.js"),
    ("GET", "/coaching.css"),
    ("GET", "/recordings"),
    ("GET", "/recordings/r1"),
    ("GET", "/api/recordings"),
    ("GET", "/api/recordings/r1"),
    ("GET", "/api/recordings/r1/audio"),
    ("GET", "/api/recordings/r1/waveform"),
    ("GET", "/api/recordings/r1/download"),
    ("GET", "/metrics"),
]


async def test_the_app_serves_exactly_these_routes(api: tuple[Rig, httpx.AsyncClient]) -> None:
    r, _ = api
    app = r.controller.control_app()
    served = {(m, route.path) for route in app.routes for m in getattr(route, "methods", ())}
    documented = {(m, p.replace("1001", "{agent_id}").replace("tic4", "{position_id}")
                   .replace("/301/", "/{extension}/").replace("/n1/", "/{note_id}/")
                   .replace("recordings/r1", "recordings/{recording_id}"))
                  for m, p in ROUTES}  # fmt: skip
    assert served == documented


@pytest.mark.parametrize(("method", "path"), ROUTES)
async def test_every_route_refuses_anonymous_callers(
    api: tuple[Rig, httpx.AsyncClient], method: str, path: str
) -> None:
    _, client = api
    reply = await client.request(method, path, json={})
    assert reply.status_code == 401


MANAGER_ONLY = [
    ("PUT", "/api/agents/1001/topics", {"topics": ["burgerzaken"]}),
    ("POST", "/api/positions/tic4/open", None),
    ("PUT", "/api/ivr/calamity", {"text": "Storing"}),
    ("DELETE", "/api/ivr/calamity", None),
    ("PUT", "/api/ivr/topic-menu", {"enabled": False}),
]


@pytest.mark.parametrize(("method", "path", "body"), MANAGER_ONLY)
async def test_an_agent_may_not_change_the_floor(
    api: tuple[Rig, httpx.AsyncClient], method: str, path: str, body: object
) -> None:
    _, client = api
    reply = await client.request(method, path, json=body, headers=AGENT)
    assert reply.status_code == 403


AGENT_ACTIONS = [
    ("POST", "login", {"position": "tic2"}),
    ("POST", "logout", None),
    ("POST", "pause", {"reason": "break"}),
    ("POST", "available", None),
    ("POST", "after-call-work/end", None),
    ("POST", "after-call-work/extend", {"seconds": 30}),
    ("POST", "transfer", {"extension": "301"}),
    ("POST", "callback-notes", {"department": "burgerzaken", "caller_name": "J. Smit",
                                "callback_number": "023 511 5115", "question": "Paspoort?"}),
    ("POST", "transfer/complete", None),
    ("POST", "transfer/cancel", None),
    ("POST", "camp-on", {"extension": "311"}),
    ("POST", "recording", {"on": True}),
]  # fmt: skip


def test_every_action_on_an_agent_is_in_the_list() -> None:
    on_agents = {
        path.removeprefix("/api/agents/1001/")
        for method, path in ROUTES
        if path.startswith("/api/agents/1001/") and method == "POST"
    }
    assert on_agents == {action for _, action, _ in AGENT_ACTIONS}


@pytest.mark.parametrize(("method", "action", "body"), AGENT_ACTIONS)
async def test_agent_1001s_login_is_refused_every_action_on_agent_1002(
    api: tuple[Rig, httpx.AsyncClient], method: str, action: str, body: object
) -> None:
    r, client = api
    log_in(r, "1002", "tic2")
    before = r.controller.queue.agents()
    reply = await client.request(method, f"/api/agents/1002/{action}", json=body, headers=AGENT)
    assert reply.status_code == 403
    assert reply.json()["detail"] == (
        "'anouk' is agent 1001 and may act only on agent 1001, not on agent 1002"
    )
    assert r.controller.queue.agents() == before, "a forbidden action changed something"
    [entry] = r.audit.day(r.clock.now().date()).entries
    assert (entry.user, entry.via, entry.action, entry.outcome, entry.agent_id) == (
        "anouk", "web", action, "forbidden", "1002",
    )  # fmt: skip
    # The floor manager and the team lead may act on any agent; the route then answers
    # as the action allows (200 or 409), never 403.
    for who in (FLOOR, LEAD):
        reply = await client.request(method, f"/api/agents/1002/{action}", json=body, headers=who)
        assert reply.status_code in (200, 409), reply.text


@pytest.mark.parametrize(("method", "action", "body"), AGENT_ACTIONS)
async def test_agent_1001s_login_may_do_every_action_on_itself(
    api: tuple[Rig, httpx.AsyncClient], method: str, action: str, body: object
) -> None:
    _, client = api
    reply = await client.request(method, f"/api/agents/1001/{action}", json=body, headers=AGENT)
    assert reply.status_code in (200, 409), reply.text


async def test_every_change_is_audited_with_who_and_how(
    api: tuple[Rig, httpx.AsyncClient],
) -> None:
    _, client = api
    await client.post("/api/agents/1001/login", json={"position": "tic1"}, headers=AGENT)
    await client.post("/api/agents/1001/pause", json={"reason": "training"}, headers=AGENT)
    await client.post("/api/agents/1001/after-call-work/end", headers=AGENT)  # refused: 409
    await client.put("/api/agents/1001/topics", json={"topics": ["nope"]}, headers=FLOOR)
    await client.put("/api/ivr/topic-menu", json={"enabled": False}, headers=FLOOR)
    for reader in (AGENT, FLOOR):
        assert (await client.get("/api/audit", headers=reader)).status_code == 403
    day = (await client.get("/api/audit", headers=LEAD)).json()
    assert day["day"] == "2026-06-15"
    assert [
        (e["user"], e["via"], e["action"], e["outcome"], e["agent_id"], e["detail"])
        for e in day["entries"]
    ] == [
        ("anouk", "web", "login", "done", "1001", {"position": "tic1"}),
        ("anouk", "web", "pause", "done", "1001", {"reason": "training"}),
        ("anouk", "web", "after-call-work/end", "refused", "1001", {}),
        ("floor", "web", "topics", "refused", "1001", {"topics": "nope"}),
        ("floor", "web", "topic-menu", "done", None, {"enabled": "False"}),
    ]
    assert day["entries"][2]["reason"].startswith("agent 1001 is paused")
    assert {e["address"] for e in day["entries"]} == {"127.0.0.1"}  # httpx's ASGI client
    assert day["unreadable"] == []
    other = await client.get("/api/audit", params={"day": "2026-06-14"}, headers=LEAD)
    assert other.json()["entries"] == []
    bad = await client.get("/api/audit", params={"day": "yesterday"}, headers=LEAD)
    assert bad.status_code == 400
    assert bad.json()["detail"] == "day 'yesterday' is not a date like 2026-12-02"


async def test_an_agents_day_over_the_api(api: tuple[Rig, httpx.AsyncClient]) -> None:
    _, client = api
    ok = await client.post("/api/agents/1001/login", json={"position": "tic1"}, headers=AGENT)
    assert ok.json() == {"ok": True}
    taken = await client.post("/api/agents/1002/login", json={"position": "tic1"}, headers=FLOOR)
    assert taken.status_code == 409 and "taken by agent 1001" in taken.json()["detail"]
    paused = await client.post("/api/agents/1001/pause", json={"reason": "training"}, headers=AGENT)
    assert paused.status_code == 200
    state = (await client.get("/api/acd/state", headers=AGENT)).json()
    [agent] = [a for a in state["agents"] if a["agent_id"] == "1001"]
    assert (agent["state"], agent["pause_reason"], agent["position_id"]) == (
        "paused", "training", "tic1",
    )  # fmt: skip
    assert (await client.post("/api/agents/1001/available", headers=AGENT)).status_code == 200
    not_in_acw = await client.post("/api/agents/1001/after-call-work/end", headers=AGENT)
    assert not_in_acw.status_code == 409
    too_long = await client.post(
        "/api/agents/1001/after-call-work/extend", json={"seconds": 7200}, headers=AGENT
    )
    assert too_long.status_code == 422
    assert (await client.post("/api/agents/1001/logout", headers=AGENT)).status_code == 200


async def test_topics_unknown_to_the_site_are_named(api: tuple[Rig, httpx.AsyncClient]) -> None:
    _, client = api
    reply = await client.put(
        "/api/agents/1001/topics", json={"topics": ["parkeren", "burgerzaken"]}, headers=FLOOR
    )
    assert reply.status_code == 422
    assert reply.json()["detail"].startswith("unknown topics ['parkeren']; known: [")
    ok = await client.put("/api/agents/1001/topics", json={"topics": ["afval-openbare-ruimte"]},
                          headers=FLOOR)  # fmt: skip
    assert ok.status_code == 200


async def test_the_peak_position_opens_for_a_login(api: tuple[Rig, httpx.AsyncClient]) -> None:
    _, client = api
    joost = basic("joost")  # agent 1004
    closed = await client.post("/api/agents/1004/login", json={"position": "tic4"}, headers=joost)
    assert closed.status_code == 409 and "closed" in closed.json()["detail"]
    assert (await client.post("/api/positions/tic4/open", headers=FLOOR)).status_code == 200
    again = await client.post("/api/positions/tic4/open", headers=FLOOR)
    assert again.status_code == 409 and "already open" in again.json()["detail"]
    opened = await client.post("/api/agents/1004/login", json={"position": "tic4"}, headers=joost)
    assert opened.status_code == 200
    assert (await client.post("/api/positions/tic4/close", headers=FLOOR)).status_code == 200


async def test_a_warm_transfer_is_an_atxfer_of_the_agents_leg(
    api: tuple[Rig, httpx.AsyncClient],
) -> None:
    r, client = api
    idle = await client.post("/api/agents/1001/transfer", json={"extension": "301"}, headers=AGENT)
    assert idle.status_code == 409 and idle.json()["detail"] == "agent 1001 is on no call"
    log_in(r, "1001", "tic1")
    r.asterisk.outcomes["201"] = ANSWERED
    caller = await queued(r, "c1")
    unknown = await client.post(
        "/api/agents/1001/transfer", json={"extension": "999"}, headers=AGENT
    )
    assert unknown.json()["detail"] == "extension 999 is no position or back-office extension"
    own = await client.post("/api/agents/1001/transfer", json={"extension": "201"}, headers=AGENT)
    assert own.json()["detail"] == "agent 1001 cannot transfer to their own extension"
    bad = await client.post("/api/agents/1001/transfer", json={"extension": "3a"}, headers=AGENT)
    assert bad.status_code == 422
    ok = await client.post("/api/agents/1001/transfer", json={"extension": "301"}, headers=AGENT)
    assert ok.status_code == 200
    [atxfer] = r.ami.sent_of(Atxfer)
    assert (atxfer.channel, atxfer.exten, atxfer.context) == ("kcc-c1-1", "301", "kcc-internal")
    r.asterisk.refuse_transfer = "No such channel"
    refused = await client.post(
        "/api/agents/1001/transfer", json={"extension": "301"}, headers=AGENT
    )
    assert refused.status_code == 409
    assert refused.json()["detail"].startswith("Asterisk refused the transfer:")
    await caller.gone()


async def test_the_ivr_switches_live(api: tuple[Rig, httpx.AsyncClient]) -> None:
    r, client = api
    on = await client.put("/api/ivr/calamity", json={"text": "Er is een storing."}, headers=FLOOR)
    assert on.json() == {"ok": True, "prompt": "live-1"}
    assert r.controller.switches.switches().calamity_prompt == "live-1"
    assert (await client.put("/api/ivr/topic-menu", json={"enabled": False},
                             headers=FLOOR)).json() == {"ok": True, "enabled": False}  # fmt: skip
    settings = (await client.get("/api/ivr/settings", headers=AGENT)).json()
    at = r.clock.now().isoformat()
    assert settings == {
        "calamity": "Er is een storing.",
        "topic_menu_enabled": False,
        "changed": {"calamity": {"at": at, "by": "floor"}, "topic_menu": {"at": at, "by": "floor"}},
    }
    assert (await client.delete("/api/ivr/calamity", headers=FLOOR)).status_code == 200
    assert r.controller.switches.switches().calamity_prompt is None
    short = await client.put("/api/ivr/calamity", json={"text": "x"}, headers=FLOOR)
    assert short.status_code == 422


async def test_a_login_without_a_position_is_refused_as_a_bad_body(
    api: tuple[Rig, httpx.AsyncClient],
) -> None:
    # Found by the OpenAPI fuzzing: "" reached the core's input check, a 500.
    _, client = api
    reply = await client.post("/api/agents/1001/login", json={"position": ""}, headers=AGENT)
    assert reply.status_code == 422
    assert reply.json()["detail"][0]["loc"] == ["body", "position"]


async def test_setting_no_topics_is_refused_as_a_bad_body(
    api: tuple[Rig, httpx.AsyncClient],
) -> None:
    # Found by the OpenAPI fuzzing: [] reached the core's input check, a 500.
    _, client = api
    reply = await client.put("/api/agents/1001/topics", json={"topics": []}, headers=FLOOR)
    assert reply.status_code == 422
    assert reply.json()["detail"][0]["loc"] == ["body", "topics"]


async def test_a_body_of_infinity_is_a_bad_body_not_a_failure(
    api: tuple[Rig, httpx.AsyncClient],
) -> None:
    # Found by the OpenAPI fuzzing: the 422's echo of Infinity could not be written, a 500.
    _, client = api
    reply = await client.post(
        "/api/recordings/r1/discussed",
        content=b"Infinity",
        headers={**LEAD, "Content-Type": "application/json"},
    )
    assert reply.status_code == 422
