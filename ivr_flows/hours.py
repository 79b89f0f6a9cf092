"""Is the contact centre open at a given moment, and what callers hear when it is not.

Opening hours are wall-clock intervals per weekday in Europe/Amsterdam time, so a
check converts the (timezone-aware) moment to Amsterdam local time first; that makes
daylight-saving changes a non-issue for the rules. Closed days are the public
holidays of a ``HolidayPolicy`` plus extra days the site configures (e.g. a bridge
day). The hours come from the site config through the ``OpeningHours`` protocol.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from ivr_flows.holidays import HolidayPolicy

AMSTERDAM = ZoneInfo("Europe/Amsterdam")

_DAY_NAMES = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag")
_MONTH_NAMES = (
    "januari", "februari", "maart", "april", "mei", "juni",
    "juli", "augustus", "september", "oktober", "november", "december",
)  # fmt: skip

Interval = tuple[time, time]


class OpeningHours(Protocol):
    """Anything that can say when the phones are staffed on a weekday (0 = Monday)."""

    def intervals(self, weekday: int) -> Sequence[Interval]: ...


@dataclass(frozen=True, slots=True)
class WeeklyOpeningHours:
    """A plain ``OpeningHours``: weekday (0 = Monday) to (start, end) intervals."""

    by_weekday: Mapping[int, Sequence[Interval]] = field(default_factory=dict)

    def intervals(self, weekday: int) -> Sequence[Interval]:
        return tuple(self.by_weekday.get(weekday, ()))

    @classmethod
    def workdays(cls, start: time, end: time) -> WeeklyOpeningHours:
        """Monday to Friday, one interval each."""
        return cls({day: ((start, end),) for day in range(5)})


@dataclass(frozen=True, slots=True, kw_only=True)
class MunicipalityHours:
    """When one municipality's phones are staffed: weekly hours, closed holidays, closed days.

    A fixed value, so the IVR engine can decide open or closed for any moment itself.
    """

    weekly: OpeningHours
    extra_closed_days: frozenset[date] = frozenset()
    holidays: HolidayPolicy = field(default_factory=HolidayPolicy)

    def is_open(self, when: datetime) -> bool:
        """True when ``when`` (timezone-aware) falls in an opening interval on an open day."""
        return is_open(self.weekly, when, self.extra_closed_days, holidays=self.holidays)

    def closes_at(self, day: date) -> datetime | None:
        """When the phones close on local ``day``: the end of its last opening interval,
        Amsterdam time. None when the municipality is closed all that day (a weekday
        without hours, a closed holiday, an extra closed day): it is no working day."""
        if _closed_day(day, self.extra_closed_days, self.holidays):
            return None
        ends = [end for _, end in self.weekly.intervals(day.weekday())]
        return datetime.combine(day, max(ends), tzinfo=AMSTERDAM) if ends else None


def is_open(
    municipality_hours: OpeningHours,
    when: datetime,
    extra_closed_days: Collection[date] = frozenset(),
    *,
    holidays: HolidayPolicy | None = None,
) -> bool:
    """True when ``when`` (timezone-aware) falls in an opening interval on an open day."""
    local = _local(when)
    if _closed_day(local.date(), extra_closed_days, holidays or HolidayPolicy()):
        return False
    now = local.time()
    return any(start <= now < end for start, end in municipality_hours.intervals(local.weekday()))


def next_opening(
    municipality_hours: OpeningHours,
    when: datetime,
    extra_closed_days: Collection[date] = frozenset(),
    *,
    holidays: HolidayPolicy | None = None,
    horizon_days: int = 21,
) -> datetime | None:
    """The moment the phones open next (``when`` itself if open now), Amsterdam time.

    None when nothing opens within ``horizon_days`` - e.g. no hours configured.
    """
    local = _local(when)
    policy = holidays or HolidayPolicy()
    for offset in range(horizon_days + 1):
        day = local.date() + timedelta(days=offset)
        if _closed_day(day, extra_closed_days, policy):
            continue
        for start, end in sorted(municipality_hours.intervals(day.weekday())):
            if offset == 0 and start <= local.time() < end:
                return local
            if offset > 0 or start > local.time():
                return datetime.combine(day, start, tzinfo=AMSTERDAM)
    return None


def opening_hours_sentence(municipality_hours: OpeningHours) -> str:
    """E.g. 'Wij zijn telefonisch bereikbaar op maandag tot en met vrijdag van 8 tot 17 uur.'"""
    groups = _day_groups(municipality_hours)
    if not groups:
        return "Wij zijn op dit moment telefonisch niet bereikbaar."
    parts = [
        f"op {_days_phrase(first, last)} {_intervals_phrase(iv)}" for first, last, iv in groups
    ]
    return f"Wij zijn telefonisch bereikbaar {_join(parts)}."


def next_opening_text(
    municipality_hours: OpeningHours,
    *,
    website: str,
    when: datetime | None = None,
    extra_closed_days: Collection[date] = frozenset(),
    holidays: HolidayPolicy | None = None,
) -> str:
    """The closed message, in Dutch.

    Without ``when`` the text only depends on the weekly hours, so it can be rendered
    to audio once; with ``when`` it also says when the phones open next, which helps
    callers on a holiday but must be spoken at call time.
    """
    sentences = ["U belt buiten onze openingstijden."]
    if when is not None:
        opening = next_opening(municipality_hours, when, extra_closed_days, holidays=holidays)
        if opening is not None and opening > when:
            sentences.append(_reopening_sentence(_local(when), opening))
    sentences.append(opening_hours_sentence(municipality_hours))
    sentences.append(f"Veel zaken kunt u regelen op {website}.")
    return " ".join(sentences)


def _local(when: datetime) -> datetime:
    if when.tzinfo is None or when.utcoffset() is None:
        raise ValueError(f"when={when.isoformat()} has no timezone; allowed: an aware datetime")
    return when.astimezone(AMSTERDAM)


def _closed_day(day: date, extra_closed_days: Collection[date], policy: HolidayPolicy) -> bool:
    return day in extra_closed_days or policy.is_closed(day)


def _day_groups(hours: OpeningHours) -> list[tuple[int, int, tuple[Interval, ...]]]:
    """Runs of consecutive weekdays with identical, non-empty intervals."""
    groups: list[tuple[int, int, tuple[Interval, ...]]] = []
    for day in range(7):
        intervals = tuple(sorted(hours.intervals(day)))
        if not intervals:
            continue
        if groups and groups[-1][1] == day - 1 and groups[-1][2] == intervals:
            groups[-1] = (groups[-1][0], day, intervals)
        else:
            groups.append((day, day, intervals))
    return groups


def _days_phrase(first: int, last: int) -> str:
    if first == last:
        return _DAY_NAMES[first]
    joiner = "en" if last == first + 1 else "tot en met"
    return f"{_DAY_NAMES[first]} {joiner} {_DAY_NAMES[last]}"


def _intervals_phrase(intervals: tuple[Interval, ...]) -> str:
    return " en ".join(f"van {_clock(start)} tot {_clock(end)} uur" for start, end in intervals)


def _clock(moment: time) -> str:
    # '8' or '8.30': espeak-ng and people both read these naturally; '8.00' is read
    # as 'acht nul nul'.
    return f"{moment.hour}" if moment.minute == 0 else f"{moment.hour}.{moment.minute:02d}"


def _reopening_sentence(now: datetime, opening: datetime) -> str:
    days_ahead = (opening.date() - now.date()).days
    if days_ahead == 0:
        day = "vandaag"
    elif days_ahead == 1:
        day = "morgen"
    else:
        day = f"op {_DAY_NAMES[opening.weekday()]} {opening.day} {_MONTH_NAMES[opening.month - 1]}"
    return f"Wij zijn {day} weer bereikbaar vanaf {_clock(opening.time())} uur."


def _join(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} en {parts[-1]}"
