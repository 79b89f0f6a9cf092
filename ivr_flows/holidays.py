"""Dutch public holidays, computed per year, and which of them close the contact centre.

Municipalities do not all close on every national holiday: Goede Vrijdag is not a
general day off, and Bevrijdingsdag (5 May) is a guaranteed day off only in lustrum
years (2025, 2030, ...) under most collective agreements. So the holidays themselves
are fixed facts here, while ``HolidayPolicy`` says which ones close the phones.

Easter uses the anonymous Gregorian algorithm (Meeus/Jones/Butcher); every moveable
feast follows from it. Koningsdag follows the rule in force since 2014.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum


class Holiday(StrEnum):
    NIEUWJAARSDAG = "nieuwjaarsdag"
    GOEDE_VRIJDAG = "goede-vrijdag"
    EERSTE_PAASDAG = "eerste-paasdag"
    TWEEDE_PAASDAG = "tweede-paasdag"
    KONINGSDAG = "koningsdag"
    BEVRIJDINGSDAG = "bevrijdingsdag"
    HEMELVAARTSDAG = "hemelvaartsdag"
    EERSTE_PINKSTERDAG = "eerste-pinksterdag"
    TWEEDE_PINKSTERDAG = "tweede-pinksterdag"
    EERSTE_KERSTDAG = "eerste-kerstdag"
    TWEEDE_KERSTDAG = "tweede-kerstdag"


DEFAULT_CLOSED_HOLIDAYS: frozenset[Holiday] = frozenset(Holiday) - {Holiday.GOEDE_VRIJDAG}

# Days relative to Easter Sunday.
_EASTER_OFFSETS = {
    Holiday.GOEDE_VRIJDAG: -2,
    Holiday.EERSTE_PAASDAG: 0,
    Holiday.TWEEDE_PAASDAG: 1,
    Holiday.HEMELVAARTSDAG: 39,
    Holiday.EERSTE_PINKSTERDAG: 49,
    Holiday.TWEEDE_PINKSTERDAG: 50,
}


def easter_sunday(year: int) -> date:
    """Western Easter Sunday by the anonymous Gregorian algorithm."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    l_ = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l_) // 451
    month, day = divmod(h + l_ - 7 * m + 114, 31)
    return date(year, month, day + 1)


def koningsdag(year: int) -> date:
    """27 April, or Saturday 26 April when the 27th is a Sunday (rule since 2014)."""
    day = date(year, 4, 27)
    return day - timedelta(days=1) if day.weekday() == 6 else day


def dutch_holidays(year: int) -> dict[Holiday, date]:
    """Every Dutch public holiday in ``year``.

    Keyed by holiday, not by date: two can share a date (Hemelvaartsdag fell on
    Bevrijdingsdag in 2008 and 2016).
    """
    easter = easter_sunday(year)
    days = {holiday: easter + timedelta(days=offset) for holiday, offset in _EASTER_OFFSETS.items()}
    days[Holiday.NIEUWJAARSDAG] = date(year, 1, 1)
    days[Holiday.KONINGSDAG] = koningsdag(year)
    days[Holiday.BEVRIJDINGSDAG] = date(year, 5, 5)
    days[Holiday.EERSTE_KERSTDAG] = date(year, 12, 25)
    days[Holiday.TWEEDE_KERSTDAG] = date(year, 12, 26)
    return days


@dataclass(frozen=True, slots=True, kw_only=True)
class HolidayPolicy:
    """Which public holidays close the phones.

    ``bevrijdingsdag_every_year`` False means closed on 5 May only in lustrum years
    (years divisible by 5), when Bevrijdingsdag is in ``closed_on`` at all.
    """

    closed_on: frozenset[Holiday] = DEFAULT_CLOSED_HOLIDAYS
    bevrijdingsdag_every_year: bool = True

    def closed_days(self, year: int) -> frozenset[date]:
        return frozenset(
            day
            for holiday, day in dutch_holidays(year).items()
            if holiday in self.closed_on and self._applies(holiday, year)
        )

    def is_closed(self, day: date) -> bool:
        return day in self.closed_days(day.year)

    def _applies(self, holiday: Holiday, year: int) -> bool:
        if holiday is Holiday.BEVRIJDINGSDAG and not self.bevrijdingsdag_every_year:
            return year % 5 == 0
        return True
