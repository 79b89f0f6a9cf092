"""What the rooms' HTTP routes share: the answer to a change."""

from __future__ import annotations

import pytest
from fastapi import HTTPException

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
