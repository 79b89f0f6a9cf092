"""``kcc stats-serve``: the command, the uvicorn server it builds, and one real run."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest
import yaml

from http_access.redaction import QueryTokenRedactor
from kcc.cli import default_registry, main
from realtime_stats.app import build_server, log_config
from tests.unit.http.demo_access import DISPLAY_TOKEN, REPO, SAMPLE, basic
from tests.unit.http.fakes import FakeRedis


@pytest.fixture
def site_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The sample site with the flow file made absolute, so it loads from tmp_path; run
    as the demo, since the sample's logins are the demo's published ones."""
    monkeypatch.setenv("KCC_DEMO", "1")
    data = yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))
    data["ivr"]["flow_file"] = str(REPO / "ivr_flows" / "flows" / "14023.yaml")
    # The sample's store is the system state folder: a test keeps its own.
    data["services"]["database_url"] = f"sqlite:///{tmp_path / 'state' / 'kcc.db'}"
    path = tmp_path / "site.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def test_registered_in_kcc() -> None:
    assert "stats-serve" in default_registry().names()


def test_bad_site_file_is_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nope.yaml"
    assert main(["stats-serve", "--site", str(missing)]) == 1
    assert str(missing) in capsys.readouterr().err


def test_bad_port_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["stats-serve", "--site", str(SAMPLE), "--port", "70000"])
    assert exit_info.value.code == 2
    assert "'70000' is not allowed; allowed: 1-65535" in capsys.readouterr().err


@pytest.mark.usefixtures("restore_uvicorn_logging")
def test_listens_where_the_site_says_unless_overridden(site_file: Path) -> None:
    default = build_server(site_file).config
    assert (default.host, default.port) == ("127.0.0.1", 8023)
    override = build_server(site_file, host="::1", port=9000).config
    assert (override.host, override.port) == ("::1", 9000)


@pytest.mark.usefixtures("restore_uvicorn_logging")
def test_asterisk_on_the_lan_leaves_the_stats_service_on_its_own_address(
    site_file: Path,
) -> None:
    data = yaml.safe_load(site_file.read_text(encoding="utf-8"))
    data["services"]["bind_host"] = "10.20.0.5"
    site_file.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    assert build_server(site_file).config.host == "127.0.0.1"
    data["services"]["http_bind_host"] = "127.0.0.3"
    site_file.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    assert build_server(site_file).config.host == "127.0.0.3"


def test_access_log_redacts_query_tokens() -> None:
    config = log_config()
    assert config["handlers"]["access"]["filters"] == ["redact_query_token"]
    assert config["filters"]["redact_query_token"]["()"] is QueryTokenRedactor
    assert config["loggers"]["http_access"]["handlers"] == ["default"]  # refused logins


@pytest.fixture
def site_with_fake_redis(site_file: Path, fake_redis: tuple[str, FakeRedis]) -> Path:
    data = yaml.safe_load(site_file.read_text(encoding="utf-8"))
    data["services"]["redis_url"] = fake_redis[0]
    site_file.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return site_file


@pytest.mark.usefixtures("restore_uvicorn_logging")
async def test_real_server_answers_and_keeps_the_token_out_of_its_log(
    site_with_fake_redis: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    server = build_server(site_with_fake_redis, port=0)
    task = asyncio.create_task(server.serve())
    try:
        async with asyncio.timeout(10):
            # uvicorn.Server offers only this flag, no event to wait on.
            while not server.started:  # noqa: ASYNC110
                await asyncio.sleep(0.01)
        port = server.servers[0].sockets[0].getsockname()[1]
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            health = await client.get("/api/health", headers=basic("admin"))
            board = await client.get("/wallboard", params={"token": DISPLAY_TOKEN})
        huge = await _declare_a_huge_body(port)
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 10)
    body = health.json()
    assert (health.status_code, body["status"], body["redis"]) == (200, "ok", "ok")
    # The served app follows the event stream, so health says how far it is stored.
    assert set(body["events"]) == {
        "connected",
        "caught_up",
        "stored_through",
        "last_error",
        "gap",
        "gaps",
    }
    assert board.status_code == 200
    # uvicorn itself: 5 GB declared, none sent, and the 413 comes at once.
    assert huge.startswith(b"HTTP/1.1 413 "), huge
    assert b"the request body is larger than 4096 bytes" in huge
    log = capsys.readouterr().out
    assert "/wallboard?token=<redacted>" in log
    assert DISPLAY_TOKEN not in log


async def _declare_a_huge_body(port: int) -> bytes:
    """POST with Content-Length 5 GB and no body: what the server answers, unread."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(
            b"POST /api/whoami HTTP/1.1\r\nHost: t\r\nContent-Length: 5000000000\r\n"
            b"Content-Type: application/json\r\n\r\n"
        )
        await writer.drain()
        return await asyncio.wait_for(reader.read(4096), 5)
    finally:
        writer.close()
