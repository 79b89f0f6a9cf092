"""A back-office ring record: what it derives, and every impossible ring it refuses."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from contract.vocabulary import RingEndedBy, RingFailure, RingKind
from realtime_stats.figures.backoffice_records import BackOfficeRing, RingKey, parse_choice
from realtime_stats.figures.records import RecordError

T0 = datetime(2026, 6, 15, 7, 0, tzinfo=UTC)
DIRECT, CONSULT = RingKind.DIRECT, RingKind.CONSULT
R = RingFailure


def _t(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def ring(**changes: Any) -> BackOfficeRing:
    fields: dict[str, Any] = {
        "call_id": "c1",
        "ring": "1",
        "kind": DIRECT,
        "department_id": "burgerzaken",
        "extension": "301",
        "rang_at": T0,
    }
    return BackOfficeRing(**(fields | changes))


def test_a_direct_call_answered_and_hung_up() -> None:
    cest = timezone(timedelta(hours=2))
    answered = ring(
        rang_at=datetime(2026, 6, 15, 9, 0, tzinfo=cest),
        answered_at=_t(8.5),
        ended_at=_t(200),
        ended_by=RingEndedBy.CALLER,
    )
    assert answered.rang_at == T0 and answered.rang_at.tzinfo is UTC
    assert answered.key == RingKey("c1", "301", "1")
    assert answered.ring_seconds == 8.5
    assert answered.answered and answered.finished
    assert not (answered.ringing or answered.fell_back or answered.caller_left)


def test_what_is_finished_and_what_still_rings() -> None:
    assert ring().ringing and not ring().finished
    assert not ring(answered_at=_t(5)).finished  # a direct call still talking
    assert ring(kind=CONSULT, answered_at=_t(5)).finished  # a consult ends at its answer
    no_answer = ring(not_answered_at=_t(15), not_answered_reason=R.NO_ANSWER)
    assert no_answer.finished and not no_answer.ringing and no_answer.ring_seconds is None


def test_a_camp_on_ring_connects_like_a_direct_call_but_falls_back_by_no_ring() -> None:
    camp_on = RingKind.CAMP_ON
    connected = ring(kind=camp_on, answered_at=_t(3))
    assert not connected.finished  # the colleague has the caller until one hangs up
    ended = ring(kind=camp_on, answered_at=_t(3), ended_at=_t(90), ended_by=RingEndedBy.CALLER)
    assert ended.finished and ended.is_camp_on and not ended.is_direct
    # The caller gave up with a key while it rang: cancelled, as a consult can be.
    given_up = ring(kind=camp_on, not_answered_at=_t(4), not_answered_reason=R.CANCELLED)
    assert given_up.finished and not given_up.fell_back
    # Not answered, the caller waits on: only the camp-on's end puts them in the TIC queue.
    assert not ring(kind=camp_on, not_answered_at=_t(15), not_answered_reason=R.BUSY).fell_back


@pytest.mark.parametrize(
    ("kind", "reason", "fell_back"),
    [
        (DIRECT, R.NO_ANSWER, True),
        (DIRECT, R.BUSY, True),
        (DIRECT, R.UNAVAILABLE, True),
        (DIRECT, R.ERROR, True),  # the phone could not be rung: the TIC takes the call
        (DIRECT, R.CALLER_LEFT, False),
        (CONSULT, R.NO_ANSWER, False),  # the TIC agent still has the caller
        (CONSULT, R.CANCELLED, False),
    ],
)
def test_only_a_direct_call_not_picked_up_falls_back(
    kind: RingKind, reason: RingFailure, fell_back: bool
) -> None:
    unanswered = ring(kind=kind, not_answered_at=_t(15), not_answered_reason=reason)
    assert unanswered.fell_back is fell_back
    assert unanswered.caller_left is (reason is R.CALLER_LEFT)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"call_id": ""}, "call_id must not be empty"),
        ({"ring": ""}, "ring must not be empty"),
        ({"department_id": ""}, "department_id must not be empty"),
        ({"extension": ""}, "extension must not be empty"),
        ({"kind": "direct"}, "kind 'direct' is not one of direct, consult"),
        ({"ended_by": "caller"}, "ended_by 'caller' is not one of caller, colleague"),
        ({"rang_at": datetime(2026, 6, 15, 9, 0)}, "rang_at"),
        ({"answered_at": _t(-1)}, "answered_at is before rang_at"),
        (
            {"not_answered_at": _t(-1), "not_answered_reason": R.BUSY},
            "not_answered_at is before rang_at",
        ),
        (
            {"answered_at": _t(3), "not_answered_at": _t(4), "not_answered_reason": R.BUSY},
            "both answered_at and not_answered_at",
        ),
        ({"not_answered_at": _t(4)}, "not_answered_at and not_answered_reason go together"),
        ({"not_answered_reason": R.BUSY}, "not_answered_at and not_answered_reason go together"),
        (
            {"not_answered_at": _t(4), "not_answered_reason": R.CANCELLED},
            "only a consult can be cancelled",
        ),
        ({"answered_at": _t(3), "ended_at": _t(9)}, "ended_at and ended_by go together"),
        ({"ended_at": _t(9), "ended_by": RingEndedBy.CALLER}, "never answered"),
        (
            {"answered_at": _t(3), "ended_at": _t(2), "ended_by": RingEndedBy.COLLEAGUE},
            "ended_at is before answered_at",
        ),
        (
            {
                "kind": CONSULT,
                "answered_at": _t(3),
                "ended_at": _t(9),
                "ended_by": RingEndedBy.CALLER,
            },
            "only an answered direct call ends, not a consult",
        ),
        ({"end_unknown": True}, "end_unknown needs ended_at and no ended_by"),
        (
            {"end_unknown": True, "ended_at": _t(9), "ended_by": RingEndedBy.CALLER},
            "end_unknown needs ended_at and no ended_by",
        ),
        (
            {
                "end_unknown": True,
                "ended_at": _t(9),
                "not_answered_at": _t(4),
                "not_answered_reason": R.BUSY,
            },
            "end_unknown on a ring that ended unanswered",
        ),
        (
            {"end_unknown": True, "kind": CONSULT, "answered_at": _t(3), "ended_at": _t(9)},
            "end_unknown on a consult finished at its answer",
        ),
        ({"end_unknown": True, "ended_at": _t(-1)}, "ended_at is before rang_at"),
        (
            {"end_unknown": True, "answered_at": _t(3), "ended_at": _t(2)},
            "ended_at is before answered_at",
        ),
    ],
)
def test_an_impossible_ring_is_refused_with_the_field_named(
    changes: dict[str, Any], message: str
) -> None:
    with pytest.raises(RecordError, match=message):
        ring(**changes)


def test_a_ring_a_restart_ended_is_finished_whether_it_rang_or_talked() -> None:
    rang = ring(ended_at=_t(9), end_unknown=True)
    talked = ring(answered_at=_t(3), ended_at=_t(9), end_unknown=True)
    consult = ring(kind=CONSULT, ended_at=_t(9), end_unknown=True)
    assert all(r.finished and not r.ringing for r in (rang, talked, consult))
    assert not rang.answered and talked.answered and not rang.fell_back


def test_the_message_names_the_ring() -> None:
    with pytest.raises(RecordError, match=r"BackOfficeRing c1 ring 1 at 301: answered_at"):
        ring(answered_at=_t(-1))


def test_a_choice_from_the_stream_is_parsed_or_named() -> None:
    assert parse_choice(RingKind, "consult", "kind") is CONSULT
    with pytest.raises(RecordError, match=r"kind 'transfer' is unknown; allowed: direct, consult"):
        parse_choice(RingKind, "transfer", "kind")
    with pytest.raises(RecordError, match=r"reason None is unknown; allowed: no_answer, busy"):
        parse_choice(RingFailure, None, "reason")
