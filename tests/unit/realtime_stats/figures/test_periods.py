"""Local days and half-hour buckets in Europe/Amsterdam, including both 2026 DST Sundays."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest

from realtime_stats.figures.metrics import day_trend
from realtime_stats.figures.periods import (
    Period,
    PeriodError,
    bucket_index,
    bucket_label,
    day_buckets,
    local_day,
)
from realtime_stats.figures.records import CallRecord

AMS = ZoneInfo("Europe/Amsterdam")
SPRING = date(2026, 3, 29)  # 02:00 CET -> 03:00 CEST: 23 hours
AUTUMN = date(2026, 10, 25)  # 03:00 CEST -> 02:00 CET: 25 hours


@pytest.mark.parametrize(
    ("day", "hours", "buckets"),
    [(date(2026, 6, 15), 24, 48), (SPRING, 23, 46), (AUTUMN, 25, 50)],
)
def test_a_local_day_has_its_real_length(day: date, hours: int, buckets: int) -> None:
    assert local_day(day).seconds == hours * 3600
    assert len(day_buckets(day)) == buckets


def test_day_starts_at_local_midnight() -> None:
    # CET is UTC+1 before the spring change, CEST UTC+2 before the autumn change
    assert local_day(SPRING).start == datetime(2026, 3, 28, 23, 0, tzinfo=UTC)
    assert local_day(SPRING).end == datetime(2026, 3, 29, 22, 0, tzinfo=UTC)
    assert local_day(AUTUMN).start == datetime(2026, 10, 24, 22, 0, tzinfo=UTC)
    assert local_day(AUTUMN).end == datetime(2026, 10, 25, 23, 0, tzinfo=UTC)


def test_buckets_are_contiguous_and_cover_the_day() -> None:
    for day in (SPRING, AUTUMN):
        buckets = day_buckets(day)
        assert buckets[0].start == local_day(day).start
        assert buckets[-1].end == local_day(day).end
        assert all(a.end == b.start for a, b in pairwise(buckets))


def test_spring_day_skips_the_missing_hour() -> None:
    labels = [bucket_label(b) for b in day_buckets(SPRING)]

    assert labels[:6] == ["00:00", "00:30", "01:00", "01:30", "03:00", "03:30"]
    assert "02:00" not in labels
    assert labels[-1] == "23:30"


def test_autumn_day_shows_the_repeated_hour_twice_with_zone_names() -> None:
    labels = [bucket_label(b) for b in day_buckets(AUTUMN)]

    assert labels[3:9] == ["01:30", "02:00 CEST", "02:30 CEST", "02:00 CET", "02:30 CET", "03:00"]
    assert labels[-1] == "23:30"


def test_calls_in_the_repeated_hour_land_in_separate_buckets() -> None:
    first = datetime(2026, 10, 25, 2, 15, tzinfo=AMS, fold=0)  # 00:15 UTC, CEST
    second = datetime(2026, 10, 25, 2, 15, tzinfo=AMS, fold=1)  # 01:15 UTC, CET
    late = datetime(2026, 10, 25, 23, 45, tzinfo=AMS)
    next_day = datetime(2026, 10, 26, 0, 0, tzinfo=AMS)
    # Add in UTC: datetime + timedelta drops fold=1, which would move `second` back to CEST.
    calls = [
        CallRecord(
            call_id=f"x{i}", entered_at=t, ended_at=t.astimezone(UTC) + timedelta(seconds=30)
        )
        for i, t in enumerate((first, second, late, next_day))
    ]

    trend = day_trend(calls, (), AUTUMN, now=next_day)

    assert [i for i, f in enumerate(trend) if f.offered] == [4, 6, 49]
    assert bucket_label(trend[4].period) == "02:00 CEST"
    assert bucket_label(trend[6].period) == "02:00 CET"


def test_spring_call_after_the_jump_is_in_the_three_oclock_bucket() -> None:
    buckets = day_buckets(SPRING)
    just_after = datetime(2026, 3, 29, 3, 5, tzinfo=AMS)  # 01:05 UTC
    just_before = datetime(2026, 3, 29, 1, 55, tzinfo=AMS)  # 00:55 UTC

    assert bucket_index(buckets, just_before) == 3
    assert bucket_index(buckets, just_after) == 4
    assert bucket_index(buckets, datetime(2026, 3, 29, 22, 0, tzinfo=UTC)) is None


def test_period_is_half_open_and_refuses_naive_or_reversed_times() -> None:
    period = Period(datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 1, 2, tzinfo=UTC))

    assert period.contains(datetime(2026, 1, 1, tzinfo=UTC))
    assert not period.contains(datetime(2026, 1, 2, tzinfo=UTC))
    with pytest.raises(PeriodError, match=r"Period\.start must be timezone-aware"):
        Period(datetime(2026, 1, 1), datetime(2026, 1, 2, tzinfo=UTC))
    with pytest.raises(PeriodError, match="must be after"):
        Period(period.end, period.start)
    with pytest.raises(PeriodError, match="minutes"):
        day_buckets(SPRING, minutes=0)
