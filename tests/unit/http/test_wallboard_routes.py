"""The wallboard's pages and snapshot API: who gets in, what they get, and the CSP."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from contract.vocabulary import AgentState
from http_access.auth import Principal, PrincipalKind
from realtime_stats.app import create_app
from realtime_stats.figures.records import AgentInterval, CallRecord
from realtime_stats.wallboard.feed import InMemoryBoardFeed
from realtime_stats.wallboard.page import WallboardPage
from realtime_stats.wallboard.service import SharedSnapshot
from site_config import SiteConfig
from site_config.access import Role
from tests.unit.http.demo_access import DISPLAY_TOKEN, basic, bearer
from tests.unit.http.fakes import ClientFactory
from tests.unit.http.test_http_access import anonymous_failures

NOW = datetime(2026, 6, 15, 9, 0, tzinfo=UTC)  # 11:00 in Amsterdam


@pytest.fixture
def feed() -> InMemoryBoardFeed:
    feed = InMemoryBoardFeed(clock=lambda: NOW)
    feed.set_records(
        calls=[
            CallRecord(
                call_id="w1", entered_at=NOW - timedelta(seconds=75), topic_id="belastingen"
            ),
            CallRecord(
                call_id="c1",
                entered_at=NOW - timedelta(minutes=30),
                answered_at=NOW - timedelta(minutes=29, seconds=50),
                ended_at=NOW - timedelta(minutes=25),
                agent_id="1002",
                talk_seconds=290,
            ),
        ],
        intervals=[
            AgentInterval(
                agent_id="1002", state=AgentState.TALKING, start=NOW - timedelta(minutes=3)
            )
        ],
    )
    return feed


@pytest.fixture
async def board(
    site: SiteConfig, feed: InMemoryBoardFeed, client_for: ClientFactory
) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    app = create_app(site, feed=feed)
    async for client in client_for(app):
        yield app, client


WALLBOARD_PAGES = ("/wallboard", "/api/wallboard")
PEOPLE = {"floor": 200, "teamlead": 200, "admin": 200, "anouk": 403, "els": 403}


async def test_no_wallboard_route_answers_anonymously(
    board: tuple[FastAPI, httpx.AsyncClient],
) -> None:
    app, client = board
    paths = {getattr(route, "path", "") for route in app.routes}
    assert {"/wallboard", "/wallboard/teamlead", "/api/wallboard", "/api/wallboard/stream"} <= paths
    assert await anonymous_failures(app, client) == []


@pytest.mark.parametrize("path", WALLBOARD_PAGES)
@pytest.mark.parametrize(("user", "status"), PEOPLE.items())
async def test_wallboard_roles(
    board: tuple[FastAPI, httpx.AsyncClient], path: str, user: str, status: int
) -> None:
    response = await board[1].get(path, headers=basic(user))
    assert response.status_code == status


@pytest.mark.parametrize("path", WALLBOARD_PAGES)
async def test_displays_get_the_wallboard_by_header_or_query(
    board: tuple[FastAPI, httpx.AsyncClient], path: str
) -> None:
    client = board[1]
    assert (await client.get(path, headers=bearer())).status_code == 200
    assert (await client.get(path, params={"token": DISPLAY_TOKEN})).status_code == 200
    wrong = await client.get(path, params={"token": "nope"})
    assert (wrong.status_code, wrong.json()["detail"]) == (401, "unknown display token")


async def test_the_snapshot_api(board: tuple[FastAPI, httpx.AsyncClient]) -> None:
    response = await board[1].get("/api/wallboard", headers=basic("floor"))
    assert response.headers["content-type"] == "application/json"
    assert (response.headers["cache-control"], response.headers["referrer-policy"]) == (
        "no-store",
        "no-referrer",
    )
    snap = response.json()
    assert snap["now"] == NOW.isoformat()
    assert (snap["totals"]["waiting"], snap["totals"]["longest_wait_s"]) == (1, 75.0)
    assert (snap["totals"]["offered"], snap["totals"]["asa_s"]) == (1, 10.0)
    [agent] = snap["agents"]
    assert (agent["name"], agent["state"], agent["since"]) == (
        "Bram Jansen",
        "talking",
        (NOW - timedelta(minutes=3)).isoformat(),
    )


async def test_the_page_runs_only_its_own_inline_script(
    board: tuple[FastAPI, httpx.AsyncClient],
) -> None:
    response = await board[1].get("/wallboard", params={"token": DISPLAY_TOKEN})
    policy = response.headers["content-security-policy"]
    nonce = re.search(r"script-src 'nonce-([A-Za-z0-9_-]{20,})'", policy)
    assert nonce is not None, policy
    assert f"style-src 'nonce-{nonce[1]}'" in policy
    assert "connect-src 'self'" in policy and "default-src 'none'" in policy
    page = response.text
    assert page.count(f'nonce="{nonce[1]}"') == 2  # the one <style> and the one <script>
    assert "new EventSource(" in page and "/api/wallboard/stream" in page
    assert not re.search(r"(src|href)=\"(https?:)?//", page), "no external resources"
    assert "{{" not in page
    again = await board[1].get("/wallboard", params={"token": DISPLAY_TOKEN})
    assert again.headers["content-security-policy"] != policy  # a fresh nonce per response


async def test_the_page_speaks_dutch(board: tuple[FastAPI, httpx.AsyncClient]) -> None:
    page = (await board[1].get("/wallboard", headers=basic("floor"))).text
    for label in (
        "Bereikbaarheid",
        "Servicelevel (",
        "Direct afgehandeld",
        "Wachtenden",
        "Langste wachttijd",
        "Bezettingsgraad",
        "Verbinding verbroken",
        "Terugbelnotities",
        "Einde onbekend",
    ):
        assert label in page
    assert '<html lang="nl">' in page


async def test_every_figure_the_page_names_is_in_the_snapshot(
    board: tuple[FastAPI, httpx.AsyncClient],
) -> None:
    """A misspelt ``data-field`` (or ``data-warn``) would show a dash, or never warn."""
    page = (await board[1].get("/wallboard", headers=basic("floor"))).text
    snap = (await board[1].get("/api/wallboard", headers=basic("floor"))).json()
    paths = set(re.findall(r'data-(?:field|warn|rated)="([a-z_.]+)"', page))
    assert {"totals.unknown_end", "totals.offered", "rules.norm_target"} <= paths
    for path in sorted(paths):
        value = snap
        for key in path.split("."):
            assert isinstance(value, dict) and key in value, f"{path}: not in the snapshot"
            value = value[key]
    assert 'data-warn="totals.unknown_end"' in page


@pytest.mark.parametrize(("user", "status"), PEOPLE.items())
async def test_teamlead_page_is_for_people_with_the_role(
    board: tuple[FastAPI, httpx.AsyncClient], user: str, status: int
) -> None:
    response = await board[1].get("/wallboard/teamlead", headers=basic(user))
    assert response.status_code == status


async def test_teamlead_page_refuses_display_tokens(
    board: tuple[FastAPI, httpx.AsyncClient],
) -> None:
    client = board[1]
    by_header = await client.get("/wallboard/teamlead", headers=bearer())
    assert by_header.status_code == 403
    assert "display token may only read the wallboard" in by_header.json()["detail"]
    by_query = await client.get("/wallboard/teamlead", params={"token": DISPLAY_TOKEN})
    assert by_query.status_code == 401


@pytest.mark.parametrize(
    ("params", "status", "detail"),
    [
        ({"topic": "belastingen"}, 200, None),
        ({"agent": "1002"}, 200, None),
        ({"topic": "paspoort"}, 404, "unknown topic 'paspoort'; known: afval-openbare-ruimte"),
        ({"agent": "9999"}, 404, "unknown agent '9999'; known: 1001, 1002"),
        ({"topic": "belastingen", "agent": "1002"}, 400, "give ?topic= or ?agent=, not both"),
    ],
)
async def test_teamlead_drill_down_selection(
    board: tuple[FastAPI, httpx.AsyncClient],
    params: dict[str, str],
    status: int,
    detail: str | None,
) -> None:
    response = await board[1].get("/wallboard/teamlead", params=params, headers=basic("teamlead"))
    assert response.status_code == status
    if detail is None:
        assert 'data-view="teamlead"' in response.text
        assert "content-security-policy" in response.headers
    else:
        assert response.json()["detail"].startswith(detail)


@pytest.mark.parametrize("bad", ["x = '</script>';", "x = {{name}};"])
def test_a_page_asset_that_could_break_out_is_refused(tmp_path: Path, bad: str) -> None:
    package = resources.files("realtime_stats.wallboard")
    for name in ("index.html", "board.css"):
        (tmp_path / name).write_text(package.joinpath(name).read_text(encoding="utf-8"))
    (tmp_path / "board.js").write_text(bad)
    with pytest.raises(ValueError, match=r"board\.js must not contain"):
        WallboardPage.load(site_name="x", folder=tmp_path)


def test_render_without_a_nonce_still_fills_every_marker() -> None:
    page = WallboardPage.load(site_name="KCC", name="teamlead.html")
    html = page.render(Principal(name="lead", kind=PrincipalKind.USER, role=Role.TEAM_LEAD))
    assert "{{" not in html and '<strong id="role">team_lead</strong>' in html


def test_one_rendering_is_shared_while_the_records_stay_the_same(site: SiteConfig) -> None:
    wall_clock, monotonic = [NOW], [100.0]
    feed = InMemoryBoardFeed(clock=lambda: wall_clock[0])
    shared = SharedSnapshot(site, feed, max_age_s=1.0, clock=lambda: monotonic[0])

    def rendered_now() -> str:
        return str(json.loads(shared.render())["now"])

    assert rendered_now() == NOW.isoformat()
    wall_clock[0], monotonic[0] = NOW + timedelta(seconds=5), 100.5
    assert rendered_now() == NOW.isoformat()  # same records, 0.5 s old: reused
    feed.put_call(CallRecord(call_id="w9", entered_at=NOW))
    assert rendered_now() == (NOW + timedelta(seconds=5)).isoformat()  # changed: rendered
    wall_clock[0], monotonic[0] = NOW + timedelta(seconds=9), 101.6
    assert rendered_now() == (NOW + timedelta(seconds=9)).isoformat()  # too old: rendered
