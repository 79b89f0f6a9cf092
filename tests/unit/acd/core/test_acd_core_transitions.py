"""Every agent and call transition: allowed ones change state, the rest are rejected.

The expected tables below are written from the brief and docs/events.md, not read from
the implementation; each (state, input) pair is driven through ``Acd.feed``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from acd.core import inputs as ev
from acd.core.effects import Reject
from acd.core.states import AgentState, CallState, PauseReason
from site_config import SiteConfig
from tests.unit.acd.core.acd_driver import Driver, rejected

_A = AgentState
AGENT = "1001"  # topics burgerzaken, algemeen


def _to_agent_state(floor: Driver, state: AgentState) -> None:
    """Bring agent 1001 to ``state``; call c1 (burgerzaken) is its call where it has one."""
    if state is _A.LOGGED_OUT:
        return
    floor.login(AGENT, "tic1")
    if state is _A.PAUSED:
        floor.feed(ev.AgentPause, agent_id=AGENT, reason=PauseReason.BREAK)
    if state in (_A.RINGING, _A.TALKING, _A.AFTER_CALL_WORK):
        floor.queue("c1", "burgerzaken")
    if state in (_A.TALKING, _A.AFTER_CALL_WORK):
        floor.wait(5)
        floor.answer("c1", AGENT)
    if state is _A.AFTER_CALL_WORK:
        floor.wait(100)
        floor.complete("c1", AGENT)
    assert floor.state(AGENT) is state


AgentInput = Callable[[Driver], Any]
AGENT_INPUTS: dict[str, tuple[AgentInput, set[AgentState]]] = {
    "login": (
        lambda d: ev.AgentLogin(agent_id=AGENT, position_id="tic2", at=d.now),
        {_A.LOGGED_OUT},
    ),
    "logout": (lambda d: ev.AgentLogout(agent_id=AGENT, at=d.now), set(_A) - {_A.LOGGED_OUT}),
    "pause": (
        lambda d: ev.AgentPause(agent_id=AGENT, reason=PauseReason.TRAINING, at=d.now),
        set(_A) - {_A.LOGGED_OUT},
    ),
    "unpause": (lambda d: ev.AgentUnpause(agent_id=AGENT, at=d.now), {_A.PAUSED}),
    "end_acw": (lambda d: ev.AgentEndAcw(agent_id=AGENT, at=d.now), {_A.AFTER_CALL_WORK}),
    "extend_acw": (
        lambda d: ev.AgentExtendAcw(agent_id=AGENT, seconds=30, at=d.now),
        {_A.AFTER_CALL_WORK},
    ),
    "set_topics": (
        lambda d: ev.AgentSetTopics(agent_id=AGENT, topics=frozenset({"belastingen"}), at=d.now),
        set(_A),
    ),
    "acw_timer": (
        lambda d: ev.TimerFired(key=f"acw:{AGENT}", at=d.now + _acw(d)),
        {_A.AFTER_CALL_WORK},
    ),
    "answered": (lambda d: ev.OfferAnswered(call_id="c1", agent_id=AGENT, at=d.now), {_A.RINGING}),
    "failed": (
        lambda d: ev.OfferFailed(call_id="c1", agent_id=AGENT, reason="no_answer", at=d.now),
        {_A.RINGING},
    ),
    "caller_left": (lambda d: ev.CallerLeft(call_id="c1", at=d.now), {_A.RINGING, _A.TALKING}),
    "completed": (lambda d: ev.CallCompleted(call_id="c1", agent_id=AGENT, at=d.now), {_A.TALKING}),
    "transferred": (
        lambda d: ev.CallTransferred(call_id="c1", agent_id=AGENT, department="", at=d.now),
        {_A.TALKING},
    ),
}


def _acw(d: Driver) -> timedelta:
    return timedelta(seconds=d.site.norms.after_call_work_s)


AGENT_CASES = [
    pytest.param(state, name, id=f"{state.value}-{name}")
    for state in AgentState
    for name in AGENT_INPUTS
]


@pytest.mark.parametrize(("state", "name"), AGENT_CASES)
def test_agent_input_allowed_exactly_in_its_states(
    site: SiteConfig, state: AgentState, name: str
) -> None:
    floor = Driver(site)
    _to_agent_state(floor, state)
    make, allowed = AGENT_INPUTS[name]
    before = floor.seen()
    effects = floor.acd.feed(make(floor))
    if state in allowed:
        assert not [e for e in effects if isinstance(e, Reject)], effects
    else:
        refusal = rejected(effects)
        assert refusal.input_name == type(make(floor)).__name__
        assert floor.seen() == before


@pytest.mark.parametrize(
    ("state", "name", "after"),
    [
        (_A.LOGGED_OUT, "login", _A.AVAILABLE),
        (_A.AVAILABLE, "logout", _A.LOGGED_OUT),
        (_A.PAUSED, "logout", _A.LOGGED_OUT),
        (_A.RINGING, "logout", _A.RINGING),  # pending: after the call
        (_A.TALKING, "logout", _A.TALKING),
        (_A.AFTER_CALL_WORK, "logout", _A.AFTER_CALL_WORK),
        (_A.AVAILABLE, "pause", _A.PAUSED),
        (_A.PAUSED, "pause", _A.PAUSED),
        (_A.TALKING, "pause", _A.TALKING),  # pending
        (_A.PAUSED, "unpause", _A.AVAILABLE),
        (_A.AFTER_CALL_WORK, "end_acw", _A.AVAILABLE),
        (_A.AFTER_CALL_WORK, "extend_acw", _A.AFTER_CALL_WORK),
        (_A.AFTER_CALL_WORK, "acw_timer", _A.AVAILABLE),
        (_A.RINGING, "answered", _A.TALKING),
        (_A.RINGING, "failed", _A.PAUSED),
        (_A.RINGING, "caller_left", _A.AVAILABLE),
        (_A.TALKING, "caller_left", _A.AFTER_CALL_WORK),
        (_A.TALKING, "completed", _A.AFTER_CALL_WORK),
        (_A.TALKING, "transferred", _A.AFTER_CALL_WORK),
    ],
)
def test_agent_transition_target(
    site: SiteConfig, state: AgentState, name: str, after: AgentState
) -> None:
    floor = Driver(site)
    _to_agent_state(floor, state)
    floor.acd.feed(AGENT_INPUTS[name][0](floor))
    assert floor.state(AGENT) is after


_C = CallState


def _to_call_state(floor: Driver, state: CallState) -> None:
    """Bring call c1 (burgerzaken) to ``state``; agent 1001 is its agent where it has one."""
    if state is not _C.QUEUED:
        floor.login(AGENT, "tic1")
    floor.queue("c1", "burgerzaken")
    if state in (_C.TALKING, _C.TRANSFERRED):
        floor.answer("c1", AGENT)
    if state is _C.TRANSFERRED:
        floor.feed(ev.CallTransferred, call_id="c1", agent_id=AGENT, department="burgerzaken")
    waiting = {w.call_id: w for w in floor.acd.waiting()}
    assert ("c1" in waiting) == (state in (_C.QUEUED, _C.RINGING))


CALL_INPUTS: dict[str, tuple[AgentInput, set[CallState]]] = {
    "caller_left": (
        lambda d: ev.CallerLeft(call_id="c1", at=d.now),
        {_C.QUEUED, _C.RINGING, _C.TALKING, _C.TRANSFERRED},
    ),
    "answered": (lambda d: ev.OfferAnswered(call_id="c1", agent_id=AGENT, at=d.now), {_C.RINGING}),
    "failed": (
        lambda d: ev.OfferFailed(call_id="c1", agent_id=AGENT, reason="busy", at=d.now),
        {_C.RINGING},
    ),
    "completed": (
        lambda d: ev.CallCompleted(call_id="c1", agent_id=AGENT, at=d.now),
        {_C.TALKING, _C.TRANSFERRED},
    ),
    "transferred": (
        lambda d: ev.CallTransferred(call_id="c1", agent_id=AGENT, department="", at=d.now),
        {_C.TALKING},
    ),
    "queued_again": (
        lambda d: ev.CallQueued(
            call_id="c1",
            topic="burgerzaken",
            municipality=None,
            fell_back_from="burgerzaken",
            at=d.now,
        ),
        {_C.TRANSFERRED},
    ),
}

CALL_CASES = [
    pytest.param(state, name, id=f"{state.value}-{name}")
    for state in (_C.QUEUED, _C.RINGING, _C.TALKING, _C.TRANSFERRED)
    for name in CALL_INPUTS
]


@pytest.mark.parametrize(("state", "name"), CALL_CASES)
def test_call_input_allowed_exactly_in_its_states(
    site: SiteConfig, state: CallState, name: str
) -> None:
    floor = Driver(site)
    _to_call_state(floor, state)
    make, allowed = CALL_INPUTS[name]
    before = floor.seen()
    effects = floor.acd.feed(make(floor))
    if state in allowed:
        assert not [e for e in effects if isinstance(e, Reject)], effects
    else:
        rejected(effects)
        assert floor.seen() == before
