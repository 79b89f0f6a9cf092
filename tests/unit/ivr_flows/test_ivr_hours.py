"""Opening hours in Amsterdam time: holidays, extra closed days, DST and the closed text."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from ivr_flows.holidays import DEFAULT_CLOSED_HOLIDAYS, Holiday, HolidayPolicy
from ivr_flows.hours import (
    AMSTERDAM,
    MunicipalityHours,
    WeeklyOpeningHours,
    is_open,
    next_opening,
    next_opening_text,
    opening_hours_sentence,
)

OFFICE = WeeklyOpeningHours.workdays(time(8), time(17))


def ams(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=AMSTERDAM)


@pytest.mark.parametrize(
    ("when", "expected"),
    [
        (ams(2026, 4, 7, 7, 59), False),
        (ams(2026, 4, 7, 8, 0), True),
        (ams(2026, 4, 7, 16, 59), True),
        (ams(2026, 4, 7, 17, 0), False),  # the end of an interval is closed
        (ams(2026, 4, 11, 10), False),  # Saturday
    ],
)
def test_weekday_hours(when: datetime, expected: bool) -> None:
    assert is_open(OFFICE, when, frozenset()) is expected


@pytest.mark.parametrize(
    "holiday",
    [date(2026, 1, 1), date(2026, 4, 6), date(2026, 4, 27), date(2026, 5, 14), date(2027, 3, 29)],
)
def test_closed_on_weekday_holidays(holiday: date) -> None:
    assert holiday.weekday() < 5
    assert not is_open(OFFICE, ams(holiday.year, holiday.month, holiday.day, 10), frozenset())


def test_goede_vrijdag_is_configurable() -> None:
    good_friday = ams(2026, 4, 3, 10)
    assert is_open(OFFICE, good_friday, frozenset())
    closing = HolidayPolicy(closed_on=DEFAULT_CLOSED_HOLIDAYS | {Holiday.GOEDE_VRIJDAG})
    assert not is_open(OFFICE, good_friday, frozenset(), holidays=closing)


def test_extra_closed_day() -> None:
    bridge_day = ams(2026, 5, 15, 10)  # Friday after Hemelvaartsdag
    assert is_open(OFFICE, bridge_day, frozenset())
    assert not is_open(OFFICE, bridge_day, {date(2026, 5, 15)})


def test_dst_spring_same_utc_time_differs_in_local_hours() -> None:
    # 06:30 UTC is 07:30 on Friday 27 March (CET), 08:30 on Monday 30 March (CEST).
    assert not is_open(OFFICE, datetime(2026, 3, 27, 6, 30, tzinfo=UTC), frozenset())
    assert is_open(OFFICE, datetime(2026, 3, 30, 6, 30, tzinfo=UTC), frozenset())


def test_dst_autumn_same_utc_time_differs_in_local_hours() -> None:
    # 15:30 UTC is 17:30 on Friday 23 October (CEST), 16:30 on Monday 26 October (CET).
    assert not is_open(OFFICE, datetime(2026, 10, 23, 15, 30, tzinfo=UTC), frozenset())
    assert is_open(OFFICE, datetime(2026, 10, 26, 15, 30, tzinfo=UTC), frozenset())


def test_naive_datetime_is_refused() -> None:
    with pytest.raises(ValueError, match="has no timezone"):
        is_open(OFFICE, datetime(2026, 4, 7, 10), frozenset())


def test_next_opening_skips_weekend_and_easter_monday() -> None:
    assert next_opening(OFFICE, ams(2026, 4, 3, 18)) == ams(2026, 4, 7, 8)
    assert next_opening(OFFICE, ams(2026, 4, 7, 7)) == ams(2026, 4, 7, 8)
    assert next_opening(OFFICE, ams(2026, 4, 7, 9)) == ams(2026, 4, 7, 9)  # open now


def test_next_opening_none_without_hours() -> None:
    assert next_opening(WeeklyOpeningHours(), ams(2026, 4, 7, 9)) is None


def test_closed_text_matches_the_requested_wording() -> None:
    assert next_opening_text(OFFICE, website="haarlem.nl") == (
        "U belt buiten onze openingstijden. Wij zijn telefonisch bereikbaar op maandag tot en "
        "met vrijdag van 8 tot 17 uur. Veel zaken kunt u regelen op haarlem.nl."
    )


def test_closed_text_with_moment_names_the_next_opening() -> None:
    text = next_opening_text(OFFICE, website="zandvoort.nl", when=ams(2026, 4, 5, 12))
    assert "Wij zijn op dinsdag 7 april weer bereikbaar vanaf 8 uur." in text
    tomorrow = next_opening_text(OFFICE, website="zandvoort.nl", when=ams(2026, 4, 7, 18))
    assert "Wij zijn morgen weer bereikbaar vanaf 8 uur." in tomorrow


def test_sentence_groups_days_and_splits_intervals() -> None:
    split = ((time(8), time(12)), (time(13), time(17)))
    hours = WeeklyOpeningHours(
        {0: split, 1: split, 2: split, 3: ((time(8, 30), time(20)),), 4: ((time(8), time(12)),)}
    )
    assert opening_hours_sentence(hours) == (
        "Wij zijn telefonisch bereikbaar op maandag tot en met woensdag van 8 tot 12 uur en van "
        "13 tot 17 uur, op donderdag van 8.30 tot 20 uur en op vrijdag van 8 tot 12 uur."
    )


def test_municipality_hours_close_on_their_extra_days_and_policy_holidays() -> None:
    good_friday = ams(2026, 4, 3, 10)
    bridge_day = ams(2026, 4, 7, 10)
    plain = MunicipalityHours(weekly=OFFICE)
    assert plain.is_open(good_friday) and plain.is_open(bridge_day)
    strict = MunicipalityHours(
        weekly=OFFICE,
        extra_closed_days=frozenset({bridge_day.date()}),
        holidays=HolidayPolicy(closed_on=DEFAULT_CLOSED_HOLIDAYS | {Holiday.GOEDE_VRIJDAG}),
    )
    assert not strict.is_open(good_friday)
    assert not strict.is_open(bridge_day)
    assert strict.is_open(ams(2026, 4, 8, 10))


def test_municipality_hours_refuse_a_naive_moment() -> None:
    with pytest.raises(ValueError, match="has no timezone; allowed: an aware datetime"):
        MunicipalityHours(weekly=OFFICE).is_open(datetime(2026, 4, 7, 10))


def test_a_day_closes_at_the_end_of_its_last_interval() -> None:
    lunch = WeeklyOpeningHours({0: ((time(13), time(16, 30)), (time(8), time(12)))})
    hours = MunicipalityHours(weekly=lunch, extra_closed_days=frozenset({date(2026, 4, 13)}))
    assert hours.closes_at(date(2026, 4, 20)) == ams(2026, 4, 20, 16, 30)
    assert hours.closes_at(date(2026, 4, 13)) is None  # an extra closed day
    assert hours.closes_at(date(2026, 4, 6)) is None  # Tweede Paasdag, a closed holiday
    assert hours.closes_at(date(2026, 4, 21)) is None  # a Tuesday without hours


def test_a_closing_time_is_local_across_daylight_saving() -> None:
    hours = MunicipalityHours(weekly=OFFICE)
    winter, summer = hours.closes_at(date(2026, 3, 27)), hours.closes_at(date(2026, 3, 30))
    assert winter is not None and summer is not None
    assert (winter.astimezone(UTC).hour, summer.astimezone(UTC).hour) == (16, 15)
