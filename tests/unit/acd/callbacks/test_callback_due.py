"""A callback note's due moment: the close of the Nth next working day of the call's
municipality, from the sample site's opening hours and the Dutch holidays."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from acd.callbacks.due import NoWorkingDay, due_at
from ivr_flows.hours import AMSTERDAM, MunicipalityHours, WeeklyOpeningHours
from ivr_flows.site_check import site_opening_hours
from tests.unit.acd.rig import sample_site

HOURS = site_opening_hours(sample_site())
HAARLEM, ZANDVOORT = HOURS["haarlem"], HOURS["zandvoort"]


def local(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=AMSTERDAM)


def test_a_note_written_on_friday_before_a_monday_holiday_is_due_at_the_end_of_tuesday() -> None:
    # Whit Monday (Tweede Pinksterdag) 2026 is 25 May; the Friday before is the 22nd.
    assert due_at(local(2026, 5, 22, 11), HAARLEM) == local(2026, 5, 26, 17)
    # Easter Monday 2027, the weekend the clocks go forward: 17:00 is 15:00 UTC then.
    due = due_at(local(2027, 3, 26, 16, 59), HAARLEM)
    assert due == local(2027, 3, 30, 17)
    assert (due.tzinfo, due.hour) == (UTC, 15)


def test_a_note_written_on_a_normal_tuesday_is_due_at_the_end_of_wednesday() -> None:
    assert due_at(local(2026, 6, 16, 9, 30), HAARLEM) == local(2026, 6, 17, 17)


def test_the_day_of_writing_never_counts_even_before_opening() -> None:
    assert due_at(local(2026, 6, 16, 6), HAARLEM) == local(2026, 6, 17, 17)
    assert due_at(local(2026, 6, 16, 23, 59), HAARLEM) == local(2026, 6, 17, 17)


def test_the_local_day_decides_not_the_utc_day() -> None:
    # 23:30 UTC on Tuesday is 01:30 on Wednesday in Amsterdam: due on Thursday.
    written = datetime(2026, 6, 16, 23, 30, tzinfo=UTC)
    assert due_at(written, HAARLEM) == local(2026, 6, 18, 20)


def test_thursdays_late_opening_makes_the_due_moment_20_00_in_haarlem_only() -> None:
    wednesday = local(2026, 6, 17, 14)
    assert due_at(wednesday, HAARLEM) == local(2026, 6, 18, 20)
    assert due_at(wednesday, ZANDVOORT) == local(2026, 6, 18, 17)


@pytest.mark.parametrize(
    "written", [local(2026, 6, 19, 17, 30), local(2026, 6, 20, 10), local(2026, 6, 21, 22)]
)
def test_a_note_written_after_closing_on_friday_or_in_the_weekend_is_due_on_monday(
    written: datetime,
) -> None:
    assert due_at(written, HAARLEM) == local(2026, 6, 22, 17)


def test_two_working_days_skip_the_closed_days_too() -> None:
    assert due_at(local(2026, 6, 16, 10), HAARLEM, working_days=2) == local(2026, 6, 18, 20)
    assert due_at(local(2026, 5, 22, 10), HAARLEM, working_days=2) == local(2026, 5, 27, 17)


@pytest.mark.parametrize(
    ("written", "working_days", "due"),
    [
        # 2025: Christmas on Thursday and Friday (the policy's holidays; not in the
        # sample's extra_closed_days): from Christmas Eve to Monday the 29th.
        (local(2025, 12, 24, 12), 1, local(2025, 12, 29, 17)),
        (local(2025, 12, 24, 12), 2, local(2025, 12, 30, 17)),
        # 2026: New Year's Day on a Friday: from New Year's Eve to Monday 4 January.
        (local(2026, 12, 31, 15), 1, local(2027, 1, 4, 17)),
        (local(2026, 12, 24, 9), 1, local(2026, 12, 28, 17)),
    ],
)
def test_the_year_end_skips_christmas_and_new_years_day(
    written: datetime, working_days: int, due: datetime
) -> None:
    assert due_at(written, HAARLEM, working_days=working_days) == due


def test_a_municipality_open_on_no_day_has_no_due_moment() -> None:
    never = MunicipalityHours(weekly=WeeklyOpeningHours())
    with pytest.raises(NoWorkingDay, match="no working day within 366 days"):
        due_at(local(2026, 6, 16, 10), never)


def test_a_moment_without_a_time_zone_or_no_working_days_is_refused() -> None:
    with pytest.raises(ValueError, match="has no timezone"):
        due_at(datetime(2026, 6, 16, 10), HAARLEM)
    with pytest.raises(ValueError, match="working_days=0; allowed: 1 or more"):
        due_at(local(2026, 6, 16, 10), HAARLEM, working_days=0)
