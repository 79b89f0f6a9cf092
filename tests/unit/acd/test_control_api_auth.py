"""The control API's login: challenges, bad and malformed credentials, roles, the
throttle after failed logins, and the body limit that comes before all of them."""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack

import httpx
import pytest

from http_access.auth import Authenticator, install_authenticator
from http_access.body_limit import CONTROL_API_MAX_BODY
from http_access.login_guard import LoginGuard, ThrottlePolicy
from http_access.streams import DEFAULT_STREAMS_PER_PRINCIPAL
from tests.unit.acd.rig import Rig, rig
from tests.unit.acd.test_control_api import ROUTES, SITE
from tests.unit.http.asgi_stream import open_get
from tests.unit.http.demo_access import DISPLAY_TOKEN, basic, bearer

FLOOR, AGENT = basic("floor"), basic("anouk")  # anouk is agent 1001
CHALLENGE = 'Basic realm="kcc14023", charset="UTF-8"'


class Clock:
    now = 5000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def api(clock: Clock) -> AsyncIterator[tuple[Rig, httpx.AsyncClient]]:
    async with rig(SITE) as r:
        app = r.controller.control_app()
        guard = LoginGuard(
            per_user=ThrottlePolicy(free_failures=3, first_lockout_s=20), clock=clock
        )
        install_authenticator(app, Authenticator(SITE.access, clock=clock), guard)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://ctl") as client:
            yield r, client


async def test_no_credentials_is_401_with_a_basic_challenge(
    api: tuple[Rig, httpx.AsyncClient],
) -> None:
    _, client = api
    reply = await client.get("/api/acd/state")
    assert reply.status_code == 401
    assert reply.headers["WWW-Authenticate"] == CHALLENGE  # no Bearer: no display here
    assert reply.json() == {"detail": "log in: HTTP Basic with a user name and password"}


@pytest.mark.parametrize("who", [basic("floor", "demo-floor "), basic("nobody", "demo-floor")])
async def test_a_wrong_password_or_unknown_user_is_401(
    api: tuple[Rig, httpx.AsyncClient], who: dict[str, str]
) -> None:
    _, client = api
    reply = await client.post("/api/agents/1001/pause", json={"reason": "break"}, headers=who)
    assert reply.status_code == 401
    assert reply.json() == {"detail": "wrong user name or password"}
    assert reply.headers["WWW-Authenticate"] == CHALLENGE


@pytest.mark.parametrize(
    ("header", "why"),
    [
        ("Basic !!!", "Basic credentials are not base64 of UTF-8 text"),
        ("Basic " + base64.b64encode(b"floor").decode(), "not in the form 'user:password'"),
        ("Digest abc", "scheme 'Digest' is not supported; allowed: Basic, Bearer"),
        ("Bearer ", "the Bearer token is empty"),
    ],
)
async def test_a_malformed_header_is_401_saying_what_is_wrong(
    api: tuple[Rig, httpx.AsyncClient], header: str, why: str
) -> None:
    _, client = api
    reply = await client.get("/api/acd/state", headers={"Authorization": header})
    assert reply.status_code == 401
    assert reply.json()["detail"].startswith("malformed Authorization header: ")
    assert why in reply.json()["detail"]


async def test_the_right_role_gets_in(api: tuple[Rig, httpx.AsyncClient]) -> None:
    _, client = api
    for who in (FLOOR, AGENT, basic("teamlead"), basic("admin")):
        assert (await client.get("/api/acd/state", headers=who)).status_code == 200


async def test_the_wrong_role_is_403_naming_the_roles_that_would_do(
    api: tuple[Rig, httpx.AsyncClient],
) -> None:
    _, client = api
    reply = await client.put("/api/ivr/topic-menu", json={"enabled": False}, headers=AGENT)
    assert reply.status_code == 403
    assert reply.json() == {
        "detail": "this needs role floor_manager, team_lead or admin; 'anouk' has role agent"
    }
    office = await client.get("/api/acd/state", headers=basic("els"))
    assert office.status_code == 403


CONTROL_ROUTES = [(method, path) for method, path in ROUTES if path != "/metrics"]


@pytest.mark.parametrize(("method", "path"), CONTROL_ROUTES)
async def test_the_metrics_login_and_a_display_token_open_no_control_route(
    api: tuple[Rig, httpx.AsyncClient], method: str, path: str
) -> None:
    """``/metrics`` is the one route the metrics login opens (its own test); no display."""
    _, client = api
    for who in (basic("prometheus"), bearer()):
        reply = await client.request(method, path, json={}, headers=who)
        assert reply.status_code == 403, (who, reply.text)
    query = await client.request(method, path, json={}, params={"token": DISPLAY_TOKEN})
    assert query.status_code == 401


async def test_an_agent_acting_on_another_agent_is_403(
    api: tuple[Rig, httpx.AsyncClient],
) -> None:
    _, client = api
    reply = await client.post("/api/agents/1002/available", headers=AGENT)
    assert reply.status_code == 403
    assert "may act only on agent 1001, not on agent 1002" in reply.json()["detail"]


async def test_failed_logins_are_throttled_with_429_and_retry_after(
    api: tuple[Rig, httpx.AsyncClient], clock: Clock
) -> None:
    _, client = api
    for _ in range(3):
        wrong = await client.get("/api/acd/state", headers=basic("floor", "guess"))
        assert wrong.status_code == 401
    locked = await client.get("/api/acd/state", headers=FLOOR)
    assert locked.status_code == 429
    assert locked.headers["Retry-After"] == "20"
    assert locked.json() == {"detail": "too many failed logins; try again in 20 s"}
    assert (await client.get("/api/acd/state", headers=AGENT)).status_code == 200
    clock.now += 20
    assert (await client.get("/api/acd/state", headers=FLOOR)).status_code == 200


def _note(question_bytes: int) -> bytes:
    note = {"department": "burgerzaken", "caller_name": "J. Smit",
            "callback_number": "023 511 5115", "question": "x" * question_bytes}  # fmt: skip
    return json.dumps(note).encode()


async def test_a_body_over_64_kib_is_413_before_authentication(
    api: tuple[Rig, httpx.AsyncClient],
) -> None:
    r, client = api
    path = "/api/agents/1001/callback-notes"
    body = _note(CONTROL_API_MAX_BODY)
    headers = {"Content-Type": "application/json"}
    for who in ({}, basic("floor", "wrong"), AGENT):  # anonymous, bad login, good login
        reply = await client.post(path, content=body, headers={**headers, **who})
        assert reply.status_code == 413, reply.text
        assert reply.json() == {
            "detail": "the request body is larger than 65536 bytes (64 KiB), "
            "the most this service accepts"
        }
    assert r.audit.day(r.clock.now().date()).entries == ()  # no route ran


async def test_a_chunked_body_is_cut_off_at_the_limit(api: tuple[Rig, httpx.AsyncClient]) -> None:
    _, client = api
    sent = 0

    async def endless() -> AsyncIterator[bytes]:
        nonlocal sent
        while sent < 10 * CONTROL_API_MAX_BODY:
            sent += 4096
            yield b" " * 4096

    reply = await client.post("/api/agents/1001/pause", content=endless(), headers=AGENT)
    assert reply.status_code == 413
    assert sent < 2 * CONTROL_API_MAX_BODY  # reading stopped soon after the limit


async def test_a_body_within_the_limit_is_served(api: tuple[Rig, httpx.AsyncClient]) -> None:
    _, client = api
    reply = await client.post(
        "/api/agents/1001/callback-notes",
        content=_note(900),
        headers={"Content-Type": "application/json", **AGENT},
    )
    assert reply.status_code == 200, reply.text


async def test_a_login_has_at_most_four_event_streams_over_both_stream_routes() -> None:
    async with rig(SITE) as r, AsyncExitStack() as streams:
        app = r.controller.control_app()
        for _ in range(DEFAULT_STREAMS_PER_PRINCIPAL - 1):
            desk = await streams.enter_async_context(
                open_get(app, "/api/agents/1001/desk/stream", headers=AGENT)
            )
            assert desk.status == 200
        async with open_get(app, "/api/phonebook/stream", headers=AGENT) as fourth:
            assert fourth.status == 200
            async with open_get(app, "/api/phonebook/stream", headers=AGENT) as fifth:
                assert fifth.status == 429
                assert b"'anouk' has 4 event streams open already" in await fifth.body()
        # The fourth's client went away: its slot is free again.
        async with open_get(app, "/api/agents/1001/desk/stream", headers=AGENT) as again:
            assert again.status == 200
