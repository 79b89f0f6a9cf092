"""The controller's HTTP API fuzzed from its own OpenAPI schema (tests/unit/http/
openapi_fuzz.py): every operation, with typed, mistyped and junk parameters and bodies,
anonymous, with wrong credentials and as each role: never a 500, only documented or
generic statuses. The API runs on the rig's fakes."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AsyncExitStack
from typing import Any

import pytest
from fastapi import FastAPI
from hypothesis import given
from hypothesis import strategies as st

from tests.unit.acd.rig import rig
from tests.unit.acd.test_control_api import AGENT, FLOOR, LEAD, SITE
from tests.unit.http.demo_access import basic
from tests.unit.http.openapi_fuzz import (
    Operation,
    ServedApp,
    assert_refused_anonymously,
    check,
    operations,
    requests,
)

ANONYMOUS: list[dict[str, str]] = [{}, basic("anouk", "wrong"), {"Authorization": "Basic !!"}]
LOGINS = [AGENT, FLOOR, LEAD, basic("admin"), basic("els")]  # els: a back-office colleague


async def control_api(stack: AsyncExitStack) -> FastAPI:
    return (await stack.enter_async_context(rig(SITE))).controller.control_app()


@pytest.fixture(scope="module")
def served() -> Iterator[ServedApp]:
    with ServedApp(control_api) as app:
        yield app


def _ops(served: ServedApp) -> tuple[dict[str, Any], list[Operation]]:
    schema = served.app.openapi()
    return schema, operations(schema)


def _is_live_stream(op: Operation) -> bool:
    # Server-sent events never end: only their refusals are fuzzed (anonymous callers).
    return op.path.endswith("/stream")


def test_the_schema_lists_every_room(served: ServedApp) -> None:
    _, ops = _ops(served)
    paths = {op.path for op in ops}
    assert {"/api/ivr/settings", "/api/acd/state", "/api/phonebook", "/api/audit"} <= paths
    assert len(ops) > 40


@given(data=st.data())
def test_no_request_makes_the_controller_fail(served: ServedApp, data: st.DataObject) -> None:
    schema, ops = _ops(served)
    finite = [op for op in ops if not _is_live_stream(op)]
    request = data.draw(requests(schema, finite, [*ANONYMOUS, *LOGINS]))
    check(request, served.send(request))


@given(data=st.data())
def test_anonymous_requests_are_refused_everywhere(served: ServedApp, data: st.DataObject) -> None:
    schema, ops = _ops(served)
    request = data.draw(requests(schema, ops, ANONYMOUS))
    status = served.send(request)
    check(request, status)
    assert_refused_anonymously(request, status)
