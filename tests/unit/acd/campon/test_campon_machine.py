"""The camp-on machine on its own: when it rings, when it falls back, what it ignores,
and the steps its table refuses."""

from __future__ import annotations

import pytest

from acd.campon.machine import (
    CallerHungUp,
    CampOn,
    CampOnInput,
    CampOnState,
    FallBack,
    FallBackWhy,
    IllegalCampOnStep,
    KeyPressed,
    LineBusy,
    LineFree,
    RingAnswered,
    RingCallerLeft,
    RingColleague,
    RingNotAnswered,
    StopRinging,
    TimeUp,
    step,
)

S = CampOnState


def run(*inputs: CampOnInput, start: CampOn | None = None) -> tuple[CampOn, list[object]]:
    camp_on, effects = start or CampOn("c1", "311"), []
    for event in inputs:
        moved = step(camp_on, event)
        camp_on = moved.camp_on
        effects += moved.effects
    return camp_on, effects


def test_the_line_becoming_free_after_a_call_rings_the_colleague() -> None:
    camp_on, effects = run(LineBusy(), LineFree())
    assert camp_on.state is S.RINGING and effects == [RingColleague()]
    assert run(LineBusy(), LineFree(), RingAnswered())[0].state is S.CONNECTED


def test_a_line_free_at_the_start_rings_at_once() -> None:
    # The colleague hung up just as the camp-on began: no reason to wait for another call.
    assert run(LineFree())[1] == [RingColleague()]


def test_not_answered_it_waits_for_the_lines_next_call_to_end() -> None:
    camp_on, effects = run(LineFree(), RingNotAnswered(), LineFree(), LineFree())
    assert camp_on.state is S.WAITING and effects == [RingColleague()]  # no second ring
    camp_on, effects = run(LineBusy(), LineFree(), start=camp_on)
    assert camp_on.state is S.RINGING and effects == [RingColleague()]


def test_another_call_while_it_rings_arms_it_for_that_calls_end() -> None:
    camp_on, effects = run(LineFree(), LineBusy(), RingNotAnswered(), LineFree())
    assert camp_on.state is S.RINGING and effects == [RingColleague(), RingColleague()]


@pytest.mark.parametrize(
    ("event", "why"), [(TimeUp(), FallBackWhy.TIME_UP), (KeyPressed("1"), FallBackWhy.KEY)]
)
def test_the_time_or_a_key_falls_back_while_waiting(event: CampOnInput, why: FallBackWhy) -> None:
    camp_on, effects = run(LineBusy(), event)
    assert camp_on.state is S.FALLEN_BACK and effects == [FallBack(why)]


def test_the_time_does_not_cut_a_ring_short() -> None:
    camp_on, effects = run(LineFree(), TimeUp())
    assert camp_on.state is S.RINGING and effects == [RingColleague()]
    assert run(RingAnswered(), start=camp_on)[0].state is S.CONNECTED
    camp_on, effects = run(RingNotAnswered(), start=camp_on)
    assert camp_on.state is S.FALLEN_BACK and effects == [FallBack(FallBackWhy.TIME_UP)]


def test_a_key_while_it_rings_stops_the_ring_but_an_answer_wins() -> None:
    camp_on, effects = run(LineFree(), KeyPressed("5"), KeyPressed("5"))
    assert camp_on.state is S.RINGING and effects == [RingColleague(), StopRinging()]
    assert run(RingAnswered(), start=camp_on)[0].state is S.CONNECTED
    assert run(RingNotAnswered(), start=camp_on)[1] == [FallBack(FallBackWhy.KEY)]


def test_the_caller_hanging_up() -> None:
    assert run(LineBusy(), CallerHungUp())[0].state is S.CALLER_LEFT
    # While it rings a hang-up may be the colleague's Bridge: the ring's outcome decides.
    ringing, _ = run(LineFree(), CallerHungUp())
    assert ringing.state is S.RINGING
    assert run(RingCallerLeft(), start=ringing)[0].state is S.CALLER_LEFT


@pytest.mark.parametrize("final", [S.CONNECTED, S.FALLEN_BACK, S.CALLER_LEFT])
def test_what_races_the_end_changes_nothing(final: CampOnState) -> None:
    ended = CampOn("c1", "311", state=final)
    for event in (LineBusy(), LineFree(), TimeUp(), KeyPressed("1"), CallerHungUp()):
        assert step(ended, event).camp_on == ended and step(ended, event).effects == ()
    assert ended.finished


@pytest.mark.parametrize(
    ("state", "event"),
    [
        (S.WAITING, RingAnswered()),  # no ring to answer
        (S.WAITING, RingNotAnswered()),
        (S.CONNECTED, RingAnswered()),
        (S.FALLEN_BACK, RingNotAnswered()),
    ],
)
def test_steps_the_table_does_not_list_are_refused(state: CampOnState, event: CampOnInput) -> None:
    with pytest.raises(IllegalCampOnStep, match=f"is {state.value}: {type(event).__name__}"):
        step(CampOn("c1", "311", state=state), event)
