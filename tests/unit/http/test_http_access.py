"""Who reaches which route of the stats app: 401 without or with bad credentials,
403 with the wrong role, displays only on the wallboard, admin everywhere."""

from __future__ import annotations

import httpx
import pytest
from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute
from starlette.routing import Mount, Route

from realtime_stats.app import create_app
from site_config import SiteConfig
from site_config.access import Role
from tests.unit.http.demo_access import DISPLAY_TOKEN, basic, bearer
from tests.unit.http.fakes import ClientFactory

ALL_USERS = frozenset(Role) - {Role.METRICS}  # people: the metrics login reads /metrics only
# Every route of the app and who may use it. test_matrix_covers_every_route makes a
# new route fail until it is added here, with its intended audience.
WALLBOARD_USERS = frozenset({Role.FLOOR_MANAGER, Role.TEAM_LEAD, Role.ADMIN})
# Endless responses, which httpx's ASGITransport would wait on for ever: their access
# matrix is test_wallboard_stream.py::test_who_may_open_the_stream.
STREAMS = {"/api/wallboard/stream"}
# Routes with their own role matrix next to their store-backed fixtures:
# tests/unit/realtime_stats/reports/test_cli_routes.py.
REPORTS = {"/api/reports/{period}", "/api/reports/queue_log"}
ACCESS: dict[str, tuple[frozenset[Role], bool]] = {
    "/api/health": (ALL_USERS, False),
    "/api/whoami": (ALL_USERS, False),
    "/wallboard": (WALLBOARD_USERS, True),
    "/wallboard/teamlead": (WALLBOARD_USERS, False),
    "/api/wallboard": (WALLBOARD_USERS, True),
    "/metrics": (frozenset({Role.METRICS, Role.ADMIN}), False),
}
USERS = {Role.AGENT: "anouk", Role.FLOOR_MANAGER: "floor", Role.TEAM_LEAD: "teamlead"}
USERS |= {Role.ADMIN: "admin", Role.BACK_OFFICE: "els", Role.METRICS: "prometheus"}


def _paths(app: FastAPI) -> set[str]:
    return {route.path for route in app.routes if isinstance(route, Route | Mount)}


def test_matrix_covers_every_route(app: FastAPI) -> None:
    assert _paths(app) == set(ACCESS) | STREAMS | REPORTS


async def anonymous_failures(app: FastAPI, client: httpx.AsyncClient) -> list[str]:
    """Every (method, route) of ``app`` that does not answer an anonymous call with 401."""
    failures = []
    for route in app.routes:
        if isinstance(route, Mount):
            calls = [("GET", route.path + "/")]
        elif isinstance(route, Route):
            path = route.path.replace("{", "").replace("}", "")  # any value will do
            calls = [(method, path) for method in sorted(route.methods or {"GET"})]
        else:
            # e.g. include_router's wrapper: its routes are hidden from app.routes, so
            # they cannot be checked here; register routes on the app (see create_app).
            failures.append(f"{type(route).__name__}: cannot check this kind of route")
            continue
        for method, path in calls:
            response = await client.request(method, path)
            if response.status_code != 401 or "WWW-Authenticate" not in response.headers:
                failures.append(f"{method} {path} -> {response.status_code}")
    return failures


async def test_every_route_refuses_anonymous(app: FastAPI, client: httpx.AsyncClient) -> None:
    assert await anonymous_failures(app, client) == []
    assert len(app.routes) >= len(ACCESS)


async def test_the_anonymous_check_catches_an_open_route(
    site: SiteConfig, client_for: ClientFactory
) -> None:
    app = create_app(site)

    async def forgot_auth() -> str:
        return "open"

    app.router.routes.append(APIRoute("/api/open", forgot_auth))
    hidden = APIRouter()
    hidden.add_api_route("/api/hidden", forgot_auth)
    app.include_router(hidden)
    async for client in client_for(app):
        assert await anonymous_failures(app, client) == [
            "GET /api/open -> 200",
            "_IncludedRouter: cannot check this kind of route",
        ]


@pytest.mark.parametrize("path", sorted(ACCESS))
async def test_anonymous_gets_401_with_a_basic_challenge(
    client: httpx.AsyncClient, path: str
) -> None:
    response = await client.get(path)
    assert response.status_code == 401
    challenge = response.headers["WWW-Authenticate"]
    assert challenge.startswith('Basic realm="kcc14023"')
    assert ("Bearer" in challenge) is ACCESS[path][1]


@pytest.mark.parametrize("path", sorted(ACCESS))
@pytest.mark.parametrize(
    "headers",
    [
        basic("admin", "demo-floor"),
        basic("admin", ""),
        basic("nobody", "demo-admin"),
        bearer("not-the-token"),
        bearer("demo-admin"),
        {"Authorization": "Basic not-base64!"},
        {"Authorization": "Token abc"},
    ],
    ids=[
        "wrong-password",
        "empty-password",
        "unknown-user",
        "bad-token",
        "password-as-token",
        "malformed-basic",
        "unknown-scheme",
    ],
)
async def test_bad_credentials_get_401(
    client: httpx.AsyncClient, path: str, headers: dict[str, str]
) -> None:
    response = await client.get(path, headers=headers)
    assert response.status_code == 401
    assert "WWW-Authenticate" in response.headers


@pytest.mark.parametrize("path", sorted(ACCESS))
@pytest.mark.parametrize("role", list(Role))
async def test_each_role_reaches_exactly_its_routes(
    client: httpx.AsyncClient, path: str, role: Role
) -> None:
    response = await client.get(path, headers=basic(USERS[role]))
    allowed_roles, _ = ACCESS[path]
    if role in allowed_roles:
        assert response.status_code == 200
    else:
        assert response.status_code == 403
        needed = response.json()["detail"]
        assert needed.startswith("this needs role ")
        assert f"has role {role.value}" in needed
        assert all(r.value in needed for r in allowed_roles)


@pytest.mark.parametrize("path", sorted(ACCESS))
async def test_display_token_only_reaches_the_wallboard(
    client: httpx.AsyncClient, path: str
) -> None:
    response = await client.get(path, headers=bearer())
    if ACCESS[path][1]:
        assert response.status_code == 200
    else:
        assert response.status_code == 403
        assert "display token may only read the wallboard" in response.json()["detail"]


@pytest.mark.parametrize("path", sorted(ACCESS))
async def test_token_in_query_string_works_only_for_the_wallboard(
    client: httpx.AsyncClient, path: str
) -> None:
    response = await client.get(path, params={"token": DISPLAY_TOKEN})
    if ACCESS[path][1]:
        assert response.status_code == 200
        if path == "/wallboard":
            assert "display (read-only)" in response.text
    else:
        assert response.status_code == 401
        assert "only accepted by the wallboard" in response.json()["detail"]


async def test_wrong_token_in_query_string_is_refused(client: httpx.AsyncClient) -> None:
    response = await client.get("/wallboard", params={"token": DISPLAY_TOKEN + "x"})
    assert (response.status_code, response.json()["detail"]) == (401, "unknown display token")


async def test_header_wins_over_query_token(client: httpx.AsyncClient) -> None:
    # A bad header is not rescued by a good token in the URL: one identity per request.
    response = await client.get(
        "/wallboard", params={"token": DISPLAY_TOKEN}, headers=basic("floor", "wrong")
    )
    assert response.status_code == 401


async def test_right_then_wrong_password_over_http(client: httpx.AsyncClient) -> None:
    assert (await client.get("/api/whoami", headers=basic("floor"))).status_code == 200
    wrong = await client.get("/api/whoami", headers=basic("floor", "demo-floor "))
    assert wrong.status_code == 401
    assert (await client.get("/api/whoami", headers=basic("floor"))).status_code == 200


async def test_sample_config_demo_credentials_work(
    sample_site: SiteConfig, client_for: ClientFactory
) -> None:
    # The real sample hashes (scrypt at full cost), as documented in docs/site-config.md.
    app = create_app(sample_site)
    async for client in client_for(app):
        assert (await client.get("/metrics", headers=basic("admin"))).status_code == 200
        assert (await client.get("/wallboard", headers=bearer())).status_code == 200
        assert (await client.get("/wallboard", headers=basic("anouk"))).status_code == 403
