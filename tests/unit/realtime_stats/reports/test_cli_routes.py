"""`kcc report` end to end on a SQLite store, and the report routes: who gets in, what they get."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from http_access.auth import Authenticator, install_authenticator
from kcc.cli import CommandRegistry, main
from kcc.commands import report
from realtime_stats.reports import routes as report_routes
from realtime_stats.reports.service import ReportService
from realtime_stats.store import Store
from site_config import SiteConfig
from tests.unit.http.demo_access import basic, bearer, cheaply_hashed
from tests.unit.http.test_http_access import anonymous_failures
from tests.unit.realtime_stats.reports.test_scenario import SAMPLE, parse_csv, stored

REGISTRY = CommandRegistry([report.command()])


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "kcc.db"
    stored(path).close()
    return path


def report(*args: str) -> int:
    return main(["report", "--site", str(SAMPLE), *args], registry=REGISTRY)


def test_cli_writes_the_day_report(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "day.csv"
    code = report("--database", f"sqlite:///{db}", "day", "--date", "2026-06-15", "--out", str(out))
    assert (code, capsys.readouterr().err) == (0, "")
    (team,) = parse_csv(out.read_text(encoding="utf-8"))["team"]
    assert (team["offered"], team["answer_rate"], team["service_level"]) == (
        "5",
        "0.7500",
        "0.5000",
    )


def test_cli_html_queue_log_and_agent_to_stdout(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert report("--database", str(db), "month", "--date", "2026-06-01", "--format", "html") == 0
    assert "rapportage 2026-06" in capsys.readouterr().out
    assert (
        report("--database", str(db), "day", "--date", "2026-06-15", "--format", "queue_log") == 0
    )
    lines = capsys.readouterr().out.splitlines()
    assert "1781507125|c2|kcc-belastingen|1003|RINGNOANSWER|10000" in lines
    assert report("--database", str(db), "week", "--date", "2026-06-15", "--agent", "1002") == 0
    agents = parse_csv(capsys.readouterr().out)["agents"]
    assert [a["agent_id"] for a in agents] == ["1002"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--database", "/nonexistent/kcc.db", "day"], "no such file; nothing to report from"),
        (["--database", "{db}", "day", "--agent", "77"], "unknown agent '77'"),
    ],
)
def test_cli_refuses_with_a_clear_message(
    db: Path, args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert report(*(a.replace("{db}", str(db)) for a in args)) == 1
    err = capsys.readouterr().err
    assert err.startswith("kcc report: ") and message in err
    assert not Path("/nonexistent/kcc.db").exists()


def test_cli_refuses_a_bad_date(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        report("--database", str(db), "day", "--date", "15-06-2026")
    assert exited.value.code == 2
    assert "'15-06-2026' is not allowed; allowed: a date like 2026-03-29" in capsys.readouterr().err


# --- routes ---


def _app(site: SiteConfig, store: Store | None) -> FastAPI:
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    install_authenticator(app, Authenticator(site.access))
    report_routes.add_routes(app, ReportService(site, store))
    return app


@pytest.fixture
async def client(db: Path) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    from site_config import load_site_config

    site = cheaply_hashed(load_site_config(SAMPLE))
    with stored(db.parent / "routes.db") as store:
        app = _app(site, store)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            yield app, c


async def test_no_report_route_answers_anonymously(
    client: tuple[FastAPI, httpx.AsyncClient],
) -> None:
    app, c = client
    assert await anonymous_failures(app, c) == []


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        (basic("teamlead"), 200),
        (basic("floor"), 200),
        (basic("admin"), 200),
        (basic("anouk"), 403),
        (bearer(), 403),
    ],
)
async def test_report_roles(
    client: tuple[FastAPI, httpx.AsyncClient], headers: dict[str, str], status: int
) -> None:
    _, c = client
    for path in ("/api/reports/day?date=2026-06-15", "/api/reports/queue_log?date=2026-06-15"):
        assert (await c.get(path, headers=headers)).status_code == status, path


async def test_report_bodies(client: tuple[FastAPI, httpx.AsyncClient]) -> None:
    _, c = client
    lead = basic("teamlead")
    page = await c.get("/api/reports/day?date=2026-06-15", headers=lead)
    assert page.headers["content-type"].startswith("text/html")
    assert "script-src" not in page.headers["content-security-policy"]
    assert "net onder norm" in page.text
    sheet = await c.get("/api/reports/month?date=2026-06-15&format=csv", headers=lead)
    assert parse_csv(sheet.text)["team"][0]["offered"] == "6"
    log = await c.get("/api/reports/queue_log?date=2026-06-15", headers=lead)
    assert "1781507403|c3|kcc-burgerzaken|NONE|ABANDON|1|1|3" in log.text.splitlines()


@pytest.mark.parametrize(
    ("path", "status", "detail"),
    [
        ("/api/reports/year", 404, "period 'year' is not allowed; allowed: day, week, month"),
        ("/api/reports/day?date=2026-13-01", 400, "date '2026-13-01' is not allowed"),
        ("/api/reports/day?format=pdf", 400, "format 'pdf' is not allowed; allowed: csv, html"),
        ("/api/reports/day?agent=42", 400, "unknown agent '42'"),
    ],
)
async def test_report_bad_requests(
    client: tuple[FastAPI, httpx.AsyncClient], path: str, status: int, detail: str
) -> None:
    _, c = client
    response = await c.get(path, headers=basic("teamlead"))
    assert response.status_code == status and detail in response.json()["detail"]


async def test_no_store_is_503() -> None:
    from site_config import load_site_config

    app = _app(cheaply_hashed(load_site_config(SAMPLE)), None)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as c:
        response = await c.get("/api/reports/day", headers=basic("admin"))
    assert response.status_code == 503 and "no record store" in response.json()["detail"]
