"""What the rooms' HTTP routes share: the answer to a change, and unbound services refusing."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi import HTTPException

from acd.agents import routes as agent_routes
from acd.ivr import routes as ivr_routes
from acd.queue import routes as queue_routes
from acd.transfer import routes as transfer_routes
from acd.web import OK, answer


def test_a_change_carried_out_answers_ok_and_each_answer_is_its_own_copy() -> None:
    first = answer(None)
    assert first == {"ok": True}
    first["prompt"] = "live-1"  # a route adds to its answer
    assert answer(None) == {"ok": True} and OK == {"ok": True}


def test_a_refused_change_answers_409_with_the_reason() -> None:
    with pytest.raises(HTTPException) as refused:
        answer("agent 1001 is talking")
    assert (refused.value.status_code, refused.value.detail) == (409, "agent 1001 is talking")


@pytest.mark.parametrize(
    ("dependency", "name"),
    [
        (queue_routes.queue_service, "queue_service"),
        (agent_routes.agent_commands, "agent_commands"),
        (ivr_routes.ivr_switches, "ivr_switches"),
        (transfer_routes.warm_transfer, "warm_transfer"),
    ],
)
def test_a_service_the_composition_root_did_not_bind_refuses_to_run(
    dependency: Callable[[], object], name: str
) -> None:
    with pytest.raises(RuntimeError, match=rf"^{name} is not bound: the composition root"):
        dependency()
