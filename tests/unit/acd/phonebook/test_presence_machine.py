"""A phone's line from its hint, a colleague's own status, and whether they are reachable."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from acd.ami.events import HintState
from acd.phonebook.machine import Availability, Line, OwnStatus, line_of, reachable

NOW = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("status", "line"),
    [
        (0, Line.FREE),
        (1, Line.IN_CALL),
        (2, Line.IN_CALL),
        (4, Line.NOT_REGISTERED),
        (8, Line.RINGING),
        (9, Line.IN_CALL),  # in a call with a second one ringing
        (16, Line.IN_CALL),  # on hold
        (17, Line.IN_CALL),
    ],
)
def test_each_hint_state_is_a_line(status: int, line: Line) -> None:
    assert line_of(HintState(status)) is line


def test_an_absence_with_an_end_lapses_at_that_moment() -> None:
    away = OwnStatus(Availability.ABSENT, NOW + timedelta(hours=1), NOW)
    assert away.at(NOW + timedelta(minutes=59)) == away
    back = away.at(NOW + timedelta(hours=1))
    assert (back.availability, back.until) == (Availability.AVAILABLE, None)
    meeting = OwnStatus(Availability.MEETING, None, NOW)
    assert meeting.at(NOW + timedelta(days=3)) == meeting


def test_until_is_for_an_absence_only_and_needs_a_zone() -> None:
    with pytest.raises(ValueError, match="'until' is only for absent, not for meeting"):
        OwnStatus(Availability.MEETING, NOW)
    with pytest.raises(ValueError, match="needs a time zone"):
        OwnStatus(Availability.ABSENT, datetime(2026, 12, 2, 17, 0))


@pytest.mark.parametrize(
    ("line", "availability", "expected"),
    [
        (Line.FREE, Availability.AVAILABLE, True),
        (Line.FREE, Availability.HOME, True),
        (Line.FREE, Availability.MEETING, False),
        (Line.FREE, Availability.ABSENT, False),
        (Line.RINGING, Availability.AVAILABLE, False),
        (Line.IN_CALL, Availability.AVAILABLE, False),
        (Line.NOT_REGISTERED, Availability.AVAILABLE, False),
    ],
)
def test_reachable_is_a_free_phone_of_someone_there(
    line: Line, availability: Availability, expected: bool
) -> None:
    assert reachable(line, OwnStatus(availability)) is expected
