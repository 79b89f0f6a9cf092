"""The municipalities the contact centre answers for, and when each is open by phone.

Haarlem's KCC also answers 14023 for Zandvoort; callers pick their municipality first,
so each one carries its own name, website (for "you can also arrange this online") and
opening hours.
"""

from __future__ import annotations

import itertools
import re
from datetime import date, datetime, time
from typing import Annotated, Any

from pydantic import BeforeValidator, field_validator

from site_config.fields import FrozenModel, Identifier, matches, not_allowed, text

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

_INTERVAL_RE = re.compile(r"([01][0-9]|2[0-3]):([0-5][0-9])-([01][0-9]|2[0-3]):([0-5][0-9])")
_INTERVAL_ALLOWED = "'HH:MM-HH:MM' in quotes with the start before the end, e.g. '08:00-17:00'"


def _parse_interval(value: Any) -> Any:
    """``"08:00-17:00"`` -> ``(time(8), time(17))``; tuples of times pass through."""
    if isinstance(value, tuple):
        return value
    match = _INTERVAL_RE.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        raise not_allowed(_INTERVAL_ALLOWED)
    start_h, start_m, end_h, end_m = (int(group) for group in match.groups())
    start, end = time(start_h, start_m), time(end_h, end_m)
    if start >= end:
        raise not_allowed(_INTERVAL_ALLOWED)
    return (start, end)


def _parse_day(value: Any) -> Any:
    # A bare number would otherwise be read as a Unix timestamp.
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise not_allowed("a date like 2027-04-27")


Day = Annotated[date, BeforeValidator(_parse_day)]
Interval = Annotated[tuple[time, time], BeforeValidator(_parse_interval)]
DayIntervals = tuple[Interval, ...]


class OpeningHours(FrozenModel, frozen=True):
    """Phone opening hours per weekday; a day left out (or ``[]``) is closed."""

    mon: DayIntervals = ()
    tue: DayIntervals = ()
    wed: DayIntervals = ()
    thu: DayIntervals = ()
    fri: DayIntervals = ()
    sat: DayIntervals = ()
    sun: DayIntervals = ()

    @field_validator(*WEEKDAYS)
    @classmethod
    def _no_overlap(cls, intervals: DayIntervals) -> DayIntervals:
        ordered = sorted(intervals)
        for (_, end), (start, _) in itertools.pairwise(ordered):
            if start < end:
                raise not_allowed(
                    "intervals that do not overlap",
                    f"{start:%H:%M} starts before {end:%H:%M}, the end of an earlier interval",
                )
        return tuple(ordered)

    def intervals(self, weekday: int) -> tuple[tuple[time, time], ...]:
        """Open intervals on ``weekday`` (0 = Monday ... 6 = Sunday), earliest first."""
        if not 0 <= weekday <= 6:
            raise ValueError(f"weekday {weekday} is not allowed; allowed: 0 (Monday) to 6 (Sunday)")
        result: tuple[tuple[time, time], ...] = getattr(self, WEEKDAYS[weekday])
        return result


class Municipality(FrozenModel, frozen=True):
    """One municipality served on the public number."""

    id: Identifier
    name: Annotated[str, text(60)]
    website: Annotated[
        str,
        matches(
            r"([a-z0-9-]+\.)+[a-z]{2,}",
            "a lowercase domain name without 'https://', e.g. 'haarlem.nl'",
        ),
    ]
    opening_hours: OpeningHours
    extra_closed_days: tuple[Day, ...] = ()

    @field_validator("extra_closed_days")
    @classmethod
    def _each_day_once(cls, days: tuple[date, ...]) -> tuple[date, ...]:
        seen: set[date] = set()
        for day in days:
            if day in seen:
                raise not_allowed("each date once", f"{day.isoformat()} is listed twice")
            seen.add(day)
        return tuple(sorted(days))
