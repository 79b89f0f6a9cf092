"""The agent-leg machine: every allowed step, its effects, and the refused ones."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from acd.agents import machine as m
from acd.core import inputs as core
from contract.vocabulary import OfferFailure

AT = datetime(2026, 6, 15, 7, 0, tzinfo=UTC)
LEG = m.Leg("kcc-c1-1", "c1", "1001", "201")


def at_state(state: m.LegState) -> m.Leg:
    return m.Leg(LEG.uniqueid, LEG.call_id, LEG.agent_id, LEG.extension, state=state)


def test_an_answer_makes_the_leg_talk_and_tells_the_core() -> None:
    moved = m.step(LEG, m.Answered(AT))
    assert moved.leg.state is m.LegState.TALKING
    assert moved.effects == (m.FeedCore(core.OfferAnswered(call_id="c1", agent_id="1001", at=AT)),)


@pytest.mark.parametrize("reason", list(OfferFailure))
def test_no_answer_ends_the_leg_with_the_reason(reason: OfferFailure) -> None:
    moved = m.step(LEG, m.NotAnswered(reason, AT))
    assert moved.leg.state is m.LegState.ENDED
    [fed] = moved.effects
    assert isinstance(fed, m.FeedCore) and isinstance(fed.input, core.OfferFailed)
    assert fed.input.reason is reason


def test_a_failed_originate_hangs_up_what_it_may_have_left_and_reports_an_error() -> None:
    moved = m.step(LEG, m.RingFailed("AMI lost", AT))
    assert moved.leg.state is m.LegState.ENDED
    hang_up, fed = moved.effects
    assert hang_up == m.HangUpLeg("kcc-c1-1")
    assert isinstance(fed, m.FeedCore) and isinstance(fed.input, core.OfferFailed)
    assert fed.input.reason is OfferFailure.ERROR


def test_the_caller_leaving_hangs_up_the_ringing_phone_and_its_outcome_is_not_fed() -> None:
    cancelled = m.step(LEG, m.CallerLeft(AT))
    assert (cancelled.leg.state, cancelled.effects) == (
        m.LegState.CANCELLED, (m.HangUpLeg("kcc-c1-1"),),
    )  # fmt: skip
    for outcome in (m.NotAnswered(OfferFailure.NO_ANSWER, AT), m.RingFailed("x", AT)):
        done = m.step(cancelled.leg, outcome)
        assert (done.leg.state, done.effects) == (m.LegState.ENDED, ())
    late = m.step(cancelled.leg, m.Answered(AT))
    assert (late.leg.state, late.effects) == (m.LegState.ENDED, (m.HangUpLeg("kcc-c1-1"),))


@pytest.mark.parametrize("ending", [m.HungUp(AT), m.Vanished(AT)])
def test_a_talking_leg_that_ends_completes_the_call(ending: m.LegInput) -> None:
    moved = m.step(at_state(m.LegState.TALKING), ending)
    assert moved.leg.state is m.LegState.ENDED
    assert moved.effects == (m.FeedCore(core.CallCompleted(call_id="c1", agent_id="1001", at=AT)),)


@pytest.mark.parametrize("state", [m.LegState.RINGING, m.LegState.CANCELLED])
def test_a_ringing_legs_own_hangup_changes_nothing(state: m.LegState) -> None:
    # The Originate's answer says how the ring ended; the Hangup event adds nothing.
    leg = at_state(state)
    assert m.step(leg, m.HungUp(AT)) == m.LegStep(leg)


@pytest.mark.parametrize(
    ("state", "event"),
    [
        (m.LegState.TALKING, m.Answered(AT)),
        (m.LegState.TALKING, m.CallerLeft(AT)),
        (m.LegState.RINGING, m.Vanished(AT)),
        (m.LegState.ENDED, m.HungUp(AT)),
    ],
)
def test_a_step_the_table_lacks_is_refused_by_name(state: m.LegState, event: m.LegInput) -> None:
    with pytest.raises(m.IllegalLegStep, match=f"is {state.value}: {type(event).__name__}"):
        m.step(at_state(state), event)
    assert not m.allowed(state, type(event))
