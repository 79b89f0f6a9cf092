"""The controller's HTTP API fuzzed from its own OpenAPI schema (tests/unit/http/
openapi_fuzz.py): every operation, with typed, mistyped and junk parameters and bodies,
anonymous, with wrong credentials and as each role: never a 500, only documented or
generic statuses. The API runs on the rig's fakes."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AsyncExitStack

import pytest
from fastapi import FastAPI
from hypothesis import given
from hypothesis import strategies as st

from tests.unit.acd.rig import rig
from tests.unit.acd.test_control_api import AGENT, FLOOR, LEAD, SITE
from tests.unit.http.demo_access import basic
from tests.unit.http.openapi_fuzz import (
    ServedApp,
    send_anonymous_request,
    send_any_request,
    served_operations,
)

ANONYMOUS: list[dict[str, str]] = [{}, basic("anouk", "wrong"), {"Authorization": "Basic !!"}]
LOGINS = [AGENT, FLOOR, LEAD, basic("admin"), basic("els")]  # els: a back-office colleague


async def control_api(stack: AsyncExitStack) -> FastAPI:
    return (await stack.enter_async_context(rig(SITE))).controller.control_app()


@pytest.fixture(scope="module")
def served() -> Iterator[ServedApp]:
    with ServedApp(control_api) as app:
        yield app


def test_the_schema_lists_every_room(served: ServedApp) -> None:
    _, ops = served_operations(served)
    paths = {op.path for op in ops}
    assert {"/api/ivr/settings", "/api/acd/state", "/api/phonebook", "/api/audit"} <= paths
    assert len(ops) > 40


@given(data=st.data())
def test_no_request_makes_the_controller_fail(served: ServedApp, data: st.DataObject) -> None:
    send_any_request(served, data, [*ANONYMOUS, *LOGINS])


@given(data=st.data())
def test_anonymous_requests_are_refused_everywhere(served: ServedApp, data: st.DataObject) -> None:
    send_anonymous_request(served, data, ANONYMOUS)
