"""A callback note record: the moments it is open, overdue and judged, and what it refuses."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from contract.vocabulary import CallbackOutcome
from realtime_stats.figures.callback_records import CallbackNote
from realtime_stats.figures.records import RecordError

T0 = datetime(2026, 6, 15, 7, 0, tzinfo=UTC)  # 09:00 in Amsterdam
DUE = T0 + timedelta(hours=8)  # 17:00 in Amsterdam


def _t(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def note(**changes: Any) -> CallbackNote:
    fields: dict[str, Any] = {
        "note_id": "n1",
        "department_id": "belastingen",
        "noted_at": T0,
        "due_at": DUE,
    }
    return CallbackNote(**(fields | changes))


def test_times_are_kept_in_utc() -> None:
    cest = timezone(timedelta(hours=2))
    made = note(noted_at=datetime(2026, 6, 15, 9, 0, tzinfo=cest))
    assert made.noted_at == T0 and made.noted_at.tzinfo is UTC
    assert not made.done and made.extension is None and made.topic_id is None


def test_open_from_noted_until_done() -> None:
    done = note(done_at=_t(2), outcome=CallbackOutcome.CALLED_BACK)
    assert not done.open_at(_t(-0.1))  # not noted yet
    assert done.open_at(T0) and done.open_at(_t(1.9))
    assert not done.open_at(_t(2))  # done at that moment
    assert note().open_at(_t(100))  # never done: open for ever


def test_overdue_only_after_the_due_moment() -> None:
    assert not note().overdue_at(DUE)  # at the due moment itself it is not late yet
    assert note().overdue_at(DUE + timedelta(microseconds=1))
    late = note(done_at=DUE + timedelta(hours=1), outcome=CallbackOutcome.NOT_REACHED)
    assert late.overdue_at(DUE + timedelta(minutes=30))
    assert not late.overdue_at(DUE + timedelta(hours=2))  # done by then: no longer open


def test_judged_when_done_or_past_due() -> None:
    on_the_dot = note(done_at=DUE, outcome=CallbackOutcome.OTHERWISE)
    assert on_the_dot.done_in_time_by(DUE) and on_the_dot.judged_at(DUE)
    assert not on_the_dot.done_in_time_by(DUE - timedelta(hours=1))  # not done yet then
    assert not note().judged_at(DUE) and note().judged_at(DUE + timedelta(seconds=1))
    late = note(done_at=DUE + timedelta(seconds=1), outcome=CallbackOutcome.CALLED_BACK)
    assert late.judged_at(_t(48)) and not late.done_in_time_by(_t(48))


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"note_id": ""}, "note_id must not be empty"),
        ({"department_id": ""}, "department_id must not be empty"),
        ({"done_at": _t(1)}, "done_at and outcome go together"),
        ({"outcome": CallbackOutcome.CALLED_BACK}, "done_at and outcome go together"),
        ({"done_at": _t(-1), "outcome": CallbackOutcome.CALLED_BACK}, "done_at is before noted"),
        ({"done_at": _t(1), "outcome": "called_back"}, "outcome 'called_back' is not one of"),
        ({"due_at": datetime(2026, 6, 15, 17, 0)}, "due_at must be timezone-aware"),
    ],
)
def test_an_impossible_note_is_refused_with_its_id(changes: dict[str, Any], reason: str) -> None:
    with pytest.raises(RecordError, match=reason):
        note(**changes)
