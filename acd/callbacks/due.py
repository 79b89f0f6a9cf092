"""When a callback note must be done: the close of the Nth working day after it is written.

The back office's norm is "callback requests within 1 working day" (003 app. 6), read
here as: by the end of the next working day. A working day is a day the call's
municipality is open by phone (``ivr_flows.hours.MunicipalityHours``: its weekday
hours, the holidays it closes on, its extra closed days), and its end is the close of
that day's last opening interval, in Amsterdam time: a note written on Wednesday for
Haarlem is due on Thursday at 20:00, its late opening. The day the note is written
never counts, however early it is written: the addressee gets at least one whole
working day. ``working_days`` is the site's ``norms.callback_within_working_days``.

Pure: the moment of writing comes in, the due moment goes out, in UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ivr_flows.hours import AMSTERDAM, MunicipalityHours

# Christmas to New Year with bridge days closes about two weeks; a year of no open day
# is a municipality without opening hours, which a note can never be due for.
HORIZON_DAYS = 366


class NoWorkingDay(ValueError):
    """The municipality is open on no day within ``HORIZON_DAYS``."""


def due_at(written: datetime, hours: MunicipalityHours, *, working_days: int = 1) -> datetime:
    """The close of the ``working_days``-th working day after the day of ``written``."""
    if written.utcoffset() is None:
        raise ValueError(f"written={written.isoformat()} has no timezone; allowed: an aware one")
    if working_days < 1:
        raise ValueError(f"working_days={working_days}; allowed: 1 or more")
    day = written.astimezone(AMSTERDAM).date()
    counted = 0
    for _ in range(HORIZON_DAYS):
        day += timedelta(days=1)
        closes = hours.closes_at(day)
        if closes is None:
            continue
        counted += 1
        if counted == working_days:
            return closes.astimezone(UTC)
    raise NoWorkingDay(
        f"no working day within {HORIZON_DAYS} days after {written.isoformat()}: "
        "the municipality has no opening hours"
    )
