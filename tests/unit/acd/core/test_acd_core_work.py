"""After-call work, pending pauses and logouts, and the handling-time learner."""

from __future__ import annotations

from datetime import timedelta

import pytest

from acd.core import inputs as ev
from acd.core.effects import CancelTimer, MirrorMember, StartTimer
from acd.core.states import AgentState, PauseReason
from acd.waiting.handling import HandlingObservation, HandlingTime, HandlingTimes
from site_config import SiteConfig
from tests.unit.acd.core.acd_driver import Driver, of_type, published, rejected, rings


def _talk(floor: Driver, agent_id: str, call_id: str, talk_s: float) -> None:
    """Queue ``call_id`` (burgerzaken), have ``agent_id`` answer and talk ``talk_s``."""
    assert rings(floor.queue(call_id, "burgerzaken")) == [(call_id, agent_id)]
    floor.wait(3)
    floor.answer(call_id, agent_id)
    floor.wait(talk_s)


def test_after_call_work_lasts_the_sites_time_and_blocks_offers(floor: Driver) -> None:
    floor.login("1001", "tic1")
    _talk(floor, "1001", "c1", 100)
    effects = floor.complete("c1", "1001")
    acw_s = floor.site.norms.after_call_work_s
    (timer,) = of_type(effects, StartTimer)
    assert (timer.key, timer.due) == ("acw:1001", floor.now + timedelta(seconds=acw_s))
    assert floor.agent("1001").acw_until == timer.due
    state = published(effects, "agent.state")[0]
    assert (state.fields["state"], state.call_id) == ("after_call_work", "c1")
    floor.wait(10)
    assert rings(floor.queue("c2", "burgerzaken")) == []
    floor.now = timer.due
    effects = floor.feed(ev.TimerFired, key=timer.key)
    assert rings(effects) == [("c2", "1001")]


def test_ending_after_call_work_early_makes_the_agent_available(floor: Driver) -> None:
    floor.login("1001", "tic1")
    _talk(floor, "1001", "c1", 100)
    floor.complete("c1", "1001")
    floor.queue("c2", "burgerzaken")
    floor.wait(20)
    effects = floor.feed(ev.AgentEndAcw, agent_id="1001")
    assert of_type(effects, CancelTimer) == [CancelTimer(key="acw:1001")]
    assert published(effects, "agent.state")[0].fields["state"] == "available"
    assert rings(effects) == [("c2", "1001")]


def test_extending_after_call_work_moves_the_timer(floor: Driver) -> None:
    floor.login("1001", "tic1")
    _talk(floor, "1001", "c1", 100)
    first_due = of_type(floor.complete("c1", "1001"), StartTimer)[0].due
    floor.wait(30)
    effects = floor.feed(ev.AgentExtendAcw, agent_id="1001", seconds=45)
    new_due = first_due + timedelta(seconds=45)
    assert effects == [CancelTimer(key="acw:1001"), StartTimer(key="acw:1001", due=new_due)]
    assert floor.agent("1001").acw_until == new_due
    # A timer that was already on its way for the old end is stale.
    stale = floor.feed(ev.TimerFired, key="acw:1001", at=first_due)
    assert "old timer" in rejected(stale).why
    assert floor.state("1001") is AgentState.AFTER_CALL_WORK
    floor.feed(ev.TimerFired, key="acw:1001", at=new_due)
    assert floor.state("1001") is AgentState.AVAILABLE


def test_without_after_call_work_the_agent_is_free_at_once(site: SiteConfig) -> None:
    no_acw = site.model_copy(
        update={"norms": site.norms.model_copy(update={"after_call_work_s": 0})}
    )
    floor = Driver(no_acw)
    floor.login("1001", "tic1")
    _talk(floor, "1001", "c1", 50)
    floor.queue("c2", "burgerzaken")
    effects = floor.complete("c1", "1001")
    states = [p.fields["state"] for p in published(effects, "agent.state")]
    assert states == ["after_call_work", "available", "ringing"]
    assert of_type(effects, StartTimer) == []


@pytest.mark.parametrize("busy", ["ringing", "talking", "after_call_work"])
def test_pause_while_busy_applies_when_the_call_work_ends(floor: Driver, busy: str) -> None:
    floor.login("1001", "tic1")
    floor.queue("c1", "burgerzaken")
    if busy != "ringing":
        floor.answer("c1", "1001")
    if busy == "after_call_work":
        floor.complete("c1", "1001")
    assert floor.feed(ev.AgentPause, agent_id="1001", reason=PauseReason.TRAINING) == []
    assert floor.agent("1001").state.value == busy
    assert floor.agent("1001").pause_pending is PauseReason.TRAINING
    if busy == "ringing":
        floor.answer("c1", "1001")
    if busy != "after_call_work":
        floor.complete("c1", "1001")
    effects = floor.feed(ev.AgentEndAcw, agent_id="1001")
    agent = floor.agent("1001")
    assert (agent.state, agent.pause_reason, agent.pause_pending) == (
        AgentState.PAUSED,
        PauseReason.TRAINING,
        None,
    )
    assert of_type(effects, MirrorMember)[-1].paused is True


def test_pending_pause_wins_over_not_answering(floor: Driver) -> None:
    floor.login("1001", "tic1")
    floor.queue("c1", "burgerzaken")
    floor.feed(ev.AgentPause, agent_id="1001", reason=PauseReason.BREAK)
    floor.fail("c1", "1001")
    assert floor.agent("1001").pause_reason is PauseReason.BREAK


def test_unpause_drops_a_pending_pause(floor: Driver) -> None:
    floor.login("1001", "tic1")
    floor.queue("c1", "burgerzaken")
    floor.answer("c1", "1001")
    floor.feed(ev.AgentPause, agent_id="1001", reason=PauseReason.BREAK)
    assert floor.feed(ev.AgentUnpause, agent_id="1001") == []
    floor.complete("c1", "1001")
    floor.feed(ev.AgentEndAcw, agent_id="1001")
    assert floor.state("1001") is AgentState.AVAILABLE


def test_logout_while_talking_happens_after_the_call(floor: Driver) -> None:
    floor.login("1001", "tic1")
    floor.queue("c1", "burgerzaken")
    floor.answer("c1", "1001")
    floor.feed(ev.AgentPause, agent_id="1001", reason=PauseReason.BREAK)
    floor.feed(ev.AgentLogout, agent_id="1001")
    assert floor.agent("1001").logout_pending
    floor.complete("c1", "1001")
    effects = floor.feed(ev.AgentEndAcw, agent_id="1001")
    agent = floor.agent("1001")
    assert (agent.state, agent.position_id, agent.logout_pending) == (
        AgentState.LOGGED_OUT,
        None,
        False,
    )
    (mirror,) = of_type(effects, MirrorMember)
    assert (mirror.logged_in, mirror.extension) == (False, "201")


def test_pause_changes_reason_and_unpause_mirrors(floor: Driver) -> None:
    floor.login("1001", "tic1")
    floor.feed(ev.AgentPause, agent_id="1001", reason=PauseReason.BREAK)
    effects = floor.feed(ev.AgentPause, agent_id="1001", reason=PauseReason.BACKOFFICE)
    assert published(effects, "agent.state")[0].fields["reason"] == "backoffice"
    effects = floor.feed(ev.AgentUnpause, agent_id="1001")
    (mirror,) = of_type(effects, MirrorMember)
    assert (mirror.logged_in, mirror.paused) == (True, False)
    assert floor.agent("1001").pause_reason is None


def test_handling_learner_gets_talk_and_after_call_work(site: SiteConfig) -> None:
    handling = HandlingTimes()
    floor = Driver(site, handling=handling)
    floor.login("1001", "tic1")
    _talk(floor, "1001", "c1", 120)
    floor.complete("c1", "1001")
    floor.wait(40)
    assert handling.for_topic("burgerzaken").calls_seen == 0
    floor.feed(ev.AgentEndAcw, agent_id="1001")
    expected = HandlingTime.from_prior(handling.prior, handling.settings).observe(
        HandlingObservation(talk_s=120, after_call_work_s=40)
    )
    assert handling.for_topic("burgerzaken") == expected
    assert handling.for_topic("belastingen").calls_seen == 0


def test_a_call_that_never_talked_teaches_the_learner_nothing(floor: Driver) -> None:
    floor.login("1001", "tic1")
    floor.queue("c1", "burgerzaken")
    floor.feed(ev.CallerLeft, call_id="c1")
    assert floor.handling.for_topic("burgerzaken").calls_seen == 0
