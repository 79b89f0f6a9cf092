"""The back-office ring machine on its own: the events each step publishes, the steps its
table refuses, who ended an answered direct call, and the ring numbering per call.

The expected events are docs/events.md's "Back-office events".
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from acd.backoffice.machine import (
    Answered,
    HangupAsked,
    HungUp,
    IllegalRingStep,
    NotAnswered,
    Ring,
    RingInput,
    RingNumbers,
    RingState,
    open_ring,
    step,
)
from contract import events as stream
from contract.vocabulary import RingEndedBy, RingFailure, RingKind

AT = datetime(2026, 6, 15, 7, 0, tzinfo=UTC)
LATER = AT + timedelta(seconds=4)
LEG, CALLER = "kcc-c1-d1", "c1"


def direct() -> Ring:
    return open_ring("c1", 1, RingKind.DIRECT, "burgerzaken", "301", at=AT, caller="0612").ring


def answered_direct() -> Ring:
    return step(direct(), Answered(AT, leg=LEG, caller_leg=CALLER)).ring


def consult() -> Ring:
    return open_ring("c1", 2, RingKind.CONSULT, "vergunningen", "321", at=AT, agent_id="1001").ring


def camp_on() -> Ring:
    return open_ring("c1", 3, RingKind.CAMP_ON, "belastingen", "311", at=AT, caller="0612").ring


def ring_of(kind: RingKind) -> Ring:
    return {RingKind.DIRECT: direct, RingKind.CONSULT: consult, RingKind.CAMP_ON: camp_on}[kind]()


def test_a_direct_ring_opens_ringing_and_says_who_calls() -> None:
    opened = open_ring("c1", 1, RingKind.DIRECT, "burgerzaken", "301", at=AT, caller="0612")
    assert opened.ring.state is RingState.RINGING and not opened.ring.finished
    assert opened.events == (
        stream.BackOfficeRinging(
            at=AT, call_id="c1", agent_id="", kind=RingKind.DIRECT,
            department="burgerzaken", extension="301", ring=1, caller="0612",
        ),
    )  # fmt: skip


def test_a_consult_opens_ringing_with_the_agent_and_no_caller() -> None:
    [ringing] = open_ring(
        "c1", 2, RingKind.CONSULT, "vergunningen", "321", at=AT, agent_id="1001"
    ).events
    assert isinstance(ringing, stream.BackOfficeRinging)
    assert (ringing.agent_id, ringing.caller, ringing.ring) == ("1001", "", 2)


def test_an_answered_consult_is_finished() -> None:
    moved = step(consult(), Answered(LATER))
    assert moved.ring.state is RingState.ANSWERED and moved.ring.finished
    assert moved.events == (
        stream.BackOfficeAnswered(
            at=LATER, call_id="c1", agent_id="1001", kind=RingKind.CONSULT,
            department="vergunningen", extension="321", ring=2,
        ),
    )  # fmt: skip
    with pytest.raises(IllegalRingStep, match="consult ring 2 of call c1 to 321 is answered"):
        step(moved.ring, HungUp("p.1", LATER))


def test_an_answered_direct_call_goes_on_with_both_legs_known() -> None:
    moved = step(direct(), Answered(LATER, leg=LEG, caller_leg=CALLER))
    assert (moved.ring.state, moved.ring.leg, moved.ring.caller_leg) == (
        RingState.ANSWERED, LEG, CALLER,
    )  # fmt: skip
    assert not moved.ring.finished
    assert [type(e) for e in moved.events] == [stream.BackOfficeAnswered]


@pytest.mark.parametrize("kind", list(RingKind))
def test_a_ring_not_answered_is_finished_and_says_why(kind: RingKind) -> None:
    moved = step(ring_of(kind), NotAnswered(RingFailure.BUSY, LATER))
    assert moved.ring.state is RingState.NOT_ANSWERED and moved.ring.finished
    [published] = moved.events
    assert isinstance(published, stream.BackOfficeNotAnswered)
    assert (published.reason, published.kind, published.at) == (RingFailure.BUSY, kind, LATER)


def test_only_a_consult_or_a_camp_on_ring_can_be_cancelled() -> None:
    for ring in (consult(), camp_on()):  # the agent gave up; the caller pressed a key
        moved = step(ring, NotAnswered(RingFailure.CANCELLED, LATER))
        assert moved.ring.state is RingState.NOT_ANSWERED
    with pytest.raises(IllegalRingStep, match="not a consult"):
        step(direct(), NotAnswered(RingFailure.CANCELLED, LATER))


def test_an_answered_camp_on_goes_on_until_a_side_hangs_up() -> None:
    moved = step(camp_on(), Answered(LATER, leg=LEG, caller_leg=CALLER))
    assert moved.ring.state is RingState.ANSWERED and not moved.ring.finished
    ended = step(moved.ring, HungUp(LEG, LATER))
    assert ended.ring.finished
    [published] = ended.events
    assert isinstance(published, stream.BackOfficeEnded)
    assert (published.kind, published.by) == (RingKind.CAMP_ON, RingEndedBy.COLLEAGUE)


@pytest.mark.parametrize(
    ("ring_now", "event"),
    [
        (direct, HungUp(LEG, LATER)),  # a ringing phone has no call to end
        (direct, HangupAsked(LEG, LATER)),
        (answered_direct, Answered(LATER)),  # answered twice
        (answered_direct, NotAnswered(RingFailure.NO_ANSWER, LATER)),
        (lambda: step(direct(), NotAnswered(RingFailure.BUSY, AT)).ring, Answered(LATER)),
        (lambda: step(consult(), Answered(AT)).ring, HangupAsked("p.1", LATER)),
    ],
)
def test_steps_the_table_does_not_list_are_refused(
    ring_now: Callable[[], Ring], event: RingInput
) -> None:
    with pytest.raises(IllegalRingStep, match=f"{type(event).__name__} not allowed"):
        step(ring_now(), event)


@pytest.mark.parametrize(
    ("first", "by"), [(LEG, RingEndedBy.COLLEAGUE), (CALLER, RingEndedBy.CALLER)]
)
def test_without_a_hangup_request_the_first_hangup_ended_the_call(
    first: str, by: RingEndedBy
) -> None:
    moved = step(answered_direct(), HungUp(first, LATER))
    assert moved.ring.state is RingState.ENDED and moved.ring.finished
    [ended] = moved.events
    assert isinstance(ended, stream.BackOfficeEnded)
    assert (ended.by, ended.at, ended.ring) == (by, LATER, 1)


def test_who_asked_first_to_hang_up_ended_the_call_whatever_hangs_up_first() -> None:
    ring = step(answered_direct(), HangupAsked(CALLER, AT)).ring
    assert ring.asked_by == CALLER
    ring = step(ring, HangupAsked(LEG, AT)).ring  # the partner's request comes second
    assert ring.asked_by == CALLER
    [ended] = step(ring, HungUp(LEG, LATER)).events
    assert isinstance(ended, stream.BackOfficeEnded) and ended.by is RingEndedBy.CALLER


def test_another_channels_hangup_or_request_changes_nothing() -> None:
    ring = answered_direct()
    asked = step(ring, HangupAsked("1718000000.55", AT))
    assert (asked.ring, asked.events) == (ring, ())
    hung_up = step(ring, HungUp("1718000000.55", AT))
    assert (hung_up.ring, hung_up.events) == (ring, ())


def test_rings_are_numbered_per_call_and_start_again_once_forgotten() -> None:
    numbers = RingNumbers()
    assert [numbers.next("c1"), numbers.next("c2"), numbers.next("c1")] == [1, 1, 2]
    assert len(numbers) == 2
    numbers.forget("c1")
    numbers.forget("c9")  # a call that never rang the back office: nothing to forget
    assert len(numbers) == 1
    assert [numbers.next("c1"), numbers.next("c2")] == [1, 2]
