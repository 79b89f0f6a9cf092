"""The stats service's HTTP API fuzzed from its own OpenAPI schema (tests/unit/http/
openapi_fuzz.py): every operation, with typed, mistyped and junk parameters and bodies,
anonymous, with wrong credentials, the wall screen's token and each role: never a 500,
only documented or generic statuses. The app is ``create_app``'s, its reports reading a
store with the report tests' morning of calls."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AsyncExitStack

import pytest
from fastapi import FastAPI
from hypothesis import given
from hypothesis import strategies as st

from realtime_stats.app import create_app
from realtime_stats.reports.service import ReportService
from site_config import load_site_config
from tests.unit.http.demo_access import DISPLAY_TOKEN, SAMPLE, basic, bearer, cheaply_hashed
from tests.unit.http.openapi_fuzz import (
    QUERY_TOKEN,
    ServedApp,
    send_anonymous_request,
    send_any_request,
    served_operations,
)
from tests.unit.realtime_stats.reports.test_scenario import stored

ANONYMOUS: list[dict[str, str]] = [
    {},
    basic("floor", "wrong"),
    bearer("not-the-token"),
    {QUERY_TOKEN: "not-the-token"},
]
CALLERS = [
    basic("anouk"),
    basic("floor"),
    basic("teamlead"),
    basic("admin"),
    bearer(),
    {QUERY_TOKEN: DISPLAY_TOKEN},
]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedApp]:
    folder = tmp_path_factory.mktemp("stats")
    site = cheaply_hashed(load_site_config(SAMPLE))

    async def stats_app(stack: AsyncExitStack) -> FastAPI:
        app = create_app(site, recordings_dir=folder / "recordings")
        store = stack.enter_context(stored(folder / "kcc.db"))
        app.state.reports = ReportService(site, store, folder / "recordings")
        await stack.enter_async_context(app.router.lifespan_context(app))
        return app

    with ServedApp(stats_app) as app:
        yield app


def test_the_schema_lists_the_board_and_the_reports(served: ServedApp) -> None:
    _, ops = served_operations(served)
    paths = {op.path for op in ops}
    assert {"/api/health", "/api/reports/{period}", "/metrics"} <= paths, paths


@given(data=st.data())
def test_no_request_makes_the_stats_service_fail(served: ServedApp, data: st.DataObject) -> None:
    send_any_request(served, data, [*ANONYMOUS, *CALLERS])


@given(data=st.data())
def test_anonymous_requests_are_refused_everywhere(served: ServedApp, data: st.DataObject) -> None:
    send_anonymous_request(served, data, ANONYMOUS)
