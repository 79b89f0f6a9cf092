"""Inputs that are not allowed: one clear Reject, and the floor exactly as it was."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from acd.core import inputs as ev
from acd.core.states import PauseReason
from tests.unit.acd.core.acd_driver import Driver, rejected


def _busy_floor(floor: Driver) -> None:
    """Some state to lose: an agent talking, one ringing, a caller waiting."""
    floor.login("1001", "tic1")
    floor.login("1002", "tic2")
    floor.queue("c1", "burgerzaken")
    floor.answer("c1", "1001")
    floor.queue("c2", "burgerzaken")
    floor.queue("c3", "belastingen")
    floor.wait(5)


CASES: list[tuple[str, Callable[[Driver], Any], list[str]]] = [
    (
        "unknown agent",
        lambda d: ev.AgentLogin(agent_id="9999", position_id="tic3", at=d.now),
        ["'9999'", "1001", "1005"],
    ),
    (
        "pause while logged out",
        lambda d: ev.AgentPause(agent_id="1003", reason=PauseReason.BREAK, at=d.now),
        ["1003", "logged_out"],
    ),
    (
        "not_answering is not chosen",
        lambda d: ev.AgentPause(agent_id="1002", reason=PauseReason.NOT_ANSWERING, at=d.now),
        ["not_answering"],
    ),
    (
        "login twice",
        lambda d: ev.AgentLogin(agent_id="1001", position_id="tic3", at=d.now),
        ["1001", "already logged in"],
    ),
    (
        "unknown topic",
        lambda d: ev.CallQueued(
            call_id="c9", topic="paspoort", municipality=None, fell_back_from=None, at=d.now
        ),
        ["'paspoort'", "burgerzaken"],
    ),
    (
        "unknown municipality",
        lambda d: ev.CallQueued(
            call_id="c9",
            topic="algemeen",
            municipality="bloemendaal",
            fell_back_from=None,
            at=d.now,
        ),
        ["'bloemendaal'", "haarlem", "zandvoort"],
    ),
    (
        "unknown department to fall back from",
        lambda d: ev.CallQueued(
            call_id="c9", topic="algemeen", municipality=None, fell_back_from="sport", at=d.now
        ),
        ["'sport'", "belastingen"],
    ),
    (
        "unknown topic set live",
        lambda d: ev.AgentSetTopics(agent_id="1003", topics=frozenset({"x", "algemeen"}), at=d.now),
        ["'x'"],
    ),
    ("unknown timer", lambda d: ev.TimerFired(key="ring:1001", at=d.now), ["'ring:1001'"]),
    (
        "timer of an agent not in after-call work",
        lambda d: ev.TimerFired(key="acw:1002", at=d.now),
        ["1002", "ringing"],
    ),
    (
        "offer is internal",
        lambda d: ev.Offer(call_id="c3", agent_id="1002", topic="belastingen", at=d.now),
        ["dispatcher"],
    ),
    (
        "completion of a call still ringing",
        lambda d: ev.CallCompleted(call_id="c2", agent_id="1002", at=d.now),
        ["c2", "ringing"],
    ),
    (
        "unknown call",
        lambda d: ev.OfferAnswered(call_id="c404", agent_id="1002", at=d.now),
        ["'c404'"],
    ),
    (
        "unknown agent on a call event",
        lambda d: ev.OfferFailed(call_id="c2", agent_id="7", reason="busy", at=d.now),
        ["'7'"],
    ),
    ("not an input at all", lambda d: "AgentLogin", ["not an ACD input", "AgentLogin"]),
]


@pytest.mark.parametrize(("make", "words"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_refused_with_a_reason_and_nothing_changes(
    floor: Driver, make: Callable[[Driver], Any], words: list[str]
) -> None:
    _busy_floor(floor)
    before = floor.seen()
    event = make(floor)
    refusal = rejected(floor.acd.feed(event))
    assert refusal.input_name == type(event).__name__
    for word in words:
        assert word in refusal.why
    assert floor.seen() == before


def test_a_refused_input_leaves_later_inputs_working(floor: Driver) -> None:
    _busy_floor(floor)
    floor.feed(ev.AgentLogin, agent_id="1001", position_id="tic3")
    floor.answer("c2", "1002")
    assert [w.call_id for w in floor.acd.waiting()] == ["c3"]
