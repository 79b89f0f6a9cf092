"""Dutch public holidays, checked against published calendars for 2025-2027."""

from __future__ import annotations

from datetime import date

import pytest

from ivr_flows.holidays import (
    DEFAULT_CLOSED_HOLIDAYS,
    Holiday,
    HolidayPolicy,
    dutch_holidays,
    easter_sunday,
    koningsdag,
)

H = Holiday


@pytest.mark.parametrize(
    ("year", "easter"),
    [
        (2024, date(2024, 3, 31)),
        (2025, date(2025, 4, 20)),
        (2026, date(2026, 4, 5)),
        (2027, date(2027, 3, 28)),
        (2038, date(2038, 4, 25)),  # latest possible date
        (2285, date(2285, 3, 22)),  # earliest possible date
    ],
)
def test_easter_sunday(year: int, easter: date) -> None:
    assert easter_sunday(year) == easter


def test_holidays_2026() -> None:
    assert dutch_holidays(2026) == {
        H.NIEUWJAARSDAG: date(2026, 1, 1),
        H.GOEDE_VRIJDAG: date(2026, 4, 3),
        H.EERSTE_PAASDAG: date(2026, 4, 5),
        H.TWEEDE_PAASDAG: date(2026, 4, 6),
        H.KONINGSDAG: date(2026, 4, 27),
        H.BEVRIJDINGSDAG: date(2026, 5, 5),
        H.HEMELVAARTSDAG: date(2026, 5, 14),
        H.EERSTE_PINKSTERDAG: date(2026, 5, 24),
        H.TWEEDE_PINKSTERDAG: date(2026, 5, 25),
        H.EERSTE_KERSTDAG: date(2026, 12, 25),
        H.TWEEDE_KERSTDAG: date(2026, 12, 26),
    }


def test_holidays_2027() -> None:
    assert dutch_holidays(2027) == {
        H.NIEUWJAARSDAG: date(2027, 1, 1),
        H.GOEDE_VRIJDAG: date(2027, 3, 26),
        H.EERSTE_PAASDAG: date(2027, 3, 28),
        H.TWEEDE_PAASDAG: date(2027, 3, 29),
        H.KONINGSDAG: date(2027, 4, 27),
        H.BEVRIJDINGSDAG: date(2027, 5, 5),
        H.HEMELVAARTSDAG: date(2027, 5, 6),
        H.EERSTE_PINKSTERDAG: date(2027, 5, 16),
        H.TWEEDE_PINKSTERDAG: date(2027, 5, 17),
        H.EERSTE_KERSTDAG: date(2027, 12, 25),
        H.TWEEDE_KERSTDAG: date(2027, 12, 26),
    }


def test_koningsdag_moves_to_saturday_when_27_april_is_a_sunday() -> None:
    assert date(2025, 4, 27).weekday() == 6
    assert koningsdag(2025) == date(2025, 4, 26)
    assert koningsdag(2031) == date(2031, 4, 26)  # also a Sunday the 27th
    assert koningsdag(2026) == date(2026, 4, 27)


def test_holidays_sharing_a_date_are_both_kept() -> None:
    days = dutch_holidays(2016)
    assert days[H.HEMELVAARTSDAG] == days[H.BEVRIJDINGSDAG] == date(2016, 5, 5)


def test_default_policy_keeps_goede_vrijdag_open() -> None:
    policy = HolidayPolicy()
    assert H.GOEDE_VRIJDAG not in DEFAULT_CLOSED_HOLIDAYS
    assert not policy.is_closed(date(2026, 4, 3))
    assert policy.is_closed(date(2026, 4, 6))
    closing_on_good_friday = HolidayPolicy(closed_on=DEFAULT_CLOSED_HOLIDAYS | {H.GOEDE_VRIJDAG})
    assert closing_on_good_friday.is_closed(date(2026, 4, 3))


def test_default_closed_days_2026_are_every_holiday_but_goede_vrijdag() -> None:
    expected = set(dutch_holidays(2026).values()) - {date(2026, 4, 3)}
    assert HolidayPolicy().closed_days(2026) == expected
    assert len(expected) == 10


@pytest.mark.parametrize(("year", "closed"), [(2025, True), (2026, False), (2030, True)])
def test_bevrijdingsdag_in_lustrum_years_only(year: int, closed: bool) -> None:
    lustrum_only = HolidayPolicy(bevrijdingsdag_every_year=False)
    assert lustrum_only.is_closed(date(year, 5, 5)) is closed
    assert HolidayPolicy().is_closed(date(year, 5, 5))
