"""Reporting periods: half-open time ranges, the local calendar day and its half-hour buckets.

Theory of operation: every instant is held in UTC. Python compares and subtracts two
datetimes that share a tzinfo object by their *wall-clock* fields, so 02:15 CEST and
02:15 CET on the last Sunday of October would compare equal and a local day would
always look 24 hours long. Converting to UTC at the edge removes that trap; the
Europe/Amsterdam zone is only used to find where a local day starts and ends and to
label buckets for people.

A local day is midnight to midnight on the wall clock, so it lasts 23 hours on the
spring-forward Sunday (2026-03-29: 46 half hours) and 25 hours on the fall-back Sunday
(2026-10-25: 50 half hours). Buckets step through UTC: Amsterdam only ever shifts by a
whole hour, so UTC half hours are also local half hours.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

DEFAULT_TIMEZONE = "Europe/Amsterdam"


class PeriodError(ValueError):
    """A period or timestamp that cannot be used for reporting."""


def as_utc(name: str, value: datetime) -> datetime:
    """Return `value` in UTC; a naive datetime is refused because its moment is unknown."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise PeriodError(f"{name} must be timezone-aware, got naive {value.isoformat()}")
    return value.astimezone(UTC)


@dataclass(frozen=True, slots=True)
class Period:
    """The half-open range [start, end): an instant at `end` belongs to the next period."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        object.__setattr__(self, "start", as_utc("Period.start", self.start))
        object.__setattr__(self, "end", as_utc("Period.end", self.end))
        if self.end <= self.start:
            raise PeriodError(
                f"Period.end ({self.end.isoformat()}) must be after "
                f"Period.start ({self.start.isoformat()})"
            )

    def contains(self, moment: datetime) -> bool:
        return self.start <= as_utc("moment", moment) < self.end

    @property
    def seconds(self) -> float:
        return (self.end - self.start).total_seconds()


def default_zone() -> ZoneInfo:
    return ZoneInfo(DEFAULT_TIMEZONE)


def local_day(day: date, zone: tzinfo | None = None) -> Period:
    """The local calendar day `day` in `zone` (default Europe/Amsterdam), 23-25 hours long."""
    zone = zone or default_zone()
    start = datetime.combine(day, time(0), tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
    return Period(start, end)


def day_buckets(day: date, zone: tzinfo | None = None, minutes: int = 30) -> tuple[Period, ...]:
    """The day trend's buckets: consecutive `minutes`-long periods covering the local day."""
    if minutes <= 0:
        raise PeriodError(f"minutes must be > 0, got {minutes}")
    whole_day = local_day(day, zone)
    step = timedelta(minutes=minutes)
    count, rest = divmod(whole_day.end - whole_day.start, step)
    if rest:
        # Only a zone with a non-whole-bucket DST shift gets here; refuse rather than
        # hand out one odd-sized bucket that would skew the trend.
        raise PeriodError(
            f"local day {day} in {zone} is not a whole number of {minutes}-minute buckets"
        )
    return tuple(
        Period(whole_day.start + i * step, whole_day.start + (i + 1) * step) for i in range(count)
    )


def bucket_index(buckets: tuple[Period, ...], moment: datetime) -> int | None:
    """Position of the bucket holding `moment`, or None when it falls outside all of them.

    Assumes `buckets` are consecutive and equally long, as `day_buckets` makes them.
    """
    if not buckets or not buckets[0].start <= as_utc("moment", moment) < buckets[-1].end:
        return None
    step = buckets[0].end - buckets[0].start
    return int((as_utc("moment", moment) - buckets[0].start) // step)


def bucket_label(period: Period, zone: tzinfo | None = None) -> str:
    """Local start time as "HH:MM"; the repeated October hour gets its zone name ("02:00 CET")."""
    zone = zone or default_zone()
    local = period.start.astimezone(zone)
    label = local.strftime("%H:%M")
    naive = local.replace(tzinfo=None)
    if _is_ambiguous(naive, zone):
        label = f"{label} {local.tzname()}"
    return label


def _is_ambiguous(naive: datetime, zone: tzinfo) -> bool:
    earlier = naive.replace(tzinfo=zone, fold=0).utcoffset()
    later = naive.replace(tzinfo=zone, fold=1).utcoffset()
    return earlier != later
