"""Call records written by hand for a TIC morning: a call by its id and clock time.

The figures, the wallboard and the day report each build their scenario of Monday
2026-06-15 (Amsterdam summer time, UTC+2) from these, so "answered at 09:00 after 10 s"
means one thing in all of them.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from realtime_stats.figures.records import CallRecord

AMS = ZoneInfo("Europe/Amsterdam")
DAY = date(2026, 6, 15)  # a Monday in summer time (UTC+2)


def at(clock: str, day: date = DAY) -> datetime:
    """``"09:00"`` or ``"09:00:30"`` on ``day``, Amsterdam time."""
    hour, minute, second = (int(p) for p in f"{clock}:00".split(":")[:3])
    return datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=AMS)


def answered(
    call_id: str, clock: str, wait: float, talk: float, acw: float, agent: str, **extra: Any
) -> CallRecord:
    """A call that entered at ``clock``, waited ``wait`` s, then talked and wrapped up."""
    entered = at(clock)
    picked_up = entered + timedelta(seconds=wait)
    return CallRecord(
        call_id=call_id,
        entered_at=entered,
        answered_at=picked_up,
        ended_at=picked_up + timedelta(seconds=talk),
        agent_id=agent,
        talk_seconds=talk,
        after_call_seconds=acw,
        **extra,
    )


def abandoned(call_id: str, clock: str, wait: float, **extra: Any) -> CallRecord:
    """A call that entered at ``clock`` and hung up after ``wait`` s unanswered."""
    entered = at(clock)
    return CallRecord(
        call_id=call_id, entered_at=entered, ended_at=entered + timedelta(seconds=wait), **extra
    )
