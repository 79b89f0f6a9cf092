"""What the stats app's routes answer: health with Redis, whoami, the wallboard page, /metrics."""

from __future__ import annotations

import httpx
from fastapi import FastAPI
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families

from http_access.auth import Principal, PrincipalKind
from realtime_stats.app import create_app
from realtime_stats.wallboard.page import WallboardPage
from site_config import SiteConfig
from site_config.access import Role
from tests.unit.http.demo_access import basic, bearer
from tests.unit.http.fakes import ClientFactory, FakeRedis


def _samples(text: str) -> dict[str, tuple[dict[str, str], float]]:
    return {
        sample.name: (sample.labels, sample.value)
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


async def test_health_without_redis_configured(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/health", headers=basic("anouk"))
    assert (response.status_code, response.json()) == (
        200,
        {"status": "ok", "redis": "not configured"},
    )


async def test_health_with_redis_reachable(
    site: SiteConfig, client_for: ClientFactory, fake_redis: tuple[str, FakeRedis]
) -> None:
    url, fake = fake_redis
    async for client in client_for(create_app(site, redis_url=url)):
        response = await client.get("/api/health", headers=basic("floor"))
        assert (response.status_code, response.json()) == (200, {"status": "ok", "redis": "ok"})
    assert fake.pings == 1


async def test_health_with_redis_unreachable_is_degraded(
    site: SiteConfig, client_for: ClientFactory, closed_port: int
) -> None:
    app = create_app(site, redis_url=f"redis://127.0.0.1:{closed_port}/0")
    async for client in client_for(app):
        response = await client.get("/api/health", headers=basic("floor"))
        assert (response.status_code, response.json()) == (
            503,
            {"status": "degraded", "redis": "unreachable"},
        )


async def test_whoami(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/whoami", headers=basic("teamlead"))
    assert response.json() == {"name": "teamlead", "kind": "user", "role": "team_lead"}


async def test_wallboard_shows_the_logged_in_role(client: httpx.AsyncClient) -> None:
    for headers, shown in [
        (basic("floor"), "floor_manager"),
        (basic("admin"), "admin"),
        (bearer(), "display (read-only)"),
    ]:
        response = await client.get("/wallboard", headers=headers)
        assert response.headers["content-type"].startswith("text/html")
        assert f'<strong id="role">{shown}</strong>' in response.text
        assert "wallboard" in response.text.lower()
        assert response.headers["Referrer-Policy"] == "no-referrer"
        assert response.headers["Cache-Control"] == "no-store"


def test_wallboard_page_escapes_what_it_shows() -> None:
    page = WallboardPage.load(site_name="<KCC & co>")
    who = Principal(name="a<b", kind=PrincipalKind.USER, role=Role.ADMIN)
    html = page.render(who)
    assert "&lt;KCC &amp; co&gt;" in html and "a&lt;b" in html
    assert "<KCC" not in html and "{{" not in html


def test_wallboard_template_without_markers_is_refused() -> None:
    try:
        WallboardPage("<html></html>", site_name="x")
    except ValueError as exc:
        assert "{{site}}" in str(exc)
    else:
        raise AssertionError("a template without markers was accepted")


async def test_metrics_exposes_own_gauges(client: httpx.AsyncClient, site: SiteConfig) -> None:
    response = await client.get("/metrics", headers=basic("admin"))
    assert response.headers["content-type"].startswith("text/plain")
    samples = _samples(response.text)
    assert samples["kcc_stats_up"] == ({}, 1.0)
    labels, value = samples["kcc_build_info"]
    assert (labels["site"], value) == (site.name, 1.0)
    assert "kcc_redis_up" not in samples  # Redis not configured


async def test_metrics_report_redis(
    site: SiteConfig,
    client_for: ClientFactory,
    fake_redis: tuple[str, FakeRedis],
    closed_port: int,
) -> None:
    for url, expected in [(fake_redis[0], 1.0), (f"redis://127.0.0.1:{closed_port}/0", 0.0)]:
        async for client in client_for(create_app(site, redis_url=url)):
            response = await client.get("/metrics", headers=basic("admin"))
            assert _samples(response.text)["kcc_redis_up"] == ({}, expected)


async def test_metrics_live_in_a_per_app_registry(
    site: SiteConfig, client_for: ClientFactory
) -> None:
    first, second = create_app(site), create_app(site)  # same names, no clash
    assert REGISTRY.get_sample_value("kcc_stats_up") is None
    async for client in client_for(second):
        assert (await client.get("/metrics", headers=basic("admin"))).status_code == 200
    assert first is not second


def test_no_unauthenticated_framework_pages(app: FastAPI) -> None:
    # FastAPI would serve these without authentication.
    assert (app.docs_url, app.redoc_url, app.openapi_url) == (None, None, None)
