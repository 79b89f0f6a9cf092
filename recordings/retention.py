"""How long a recording is kept: which catalogue rows are due for deletion at a moment.

Theory of operation
-------------------
Pure: a row, what the coaching store knows of it, the site's policy and a moment in,
a :class:`Decision` out (due or kept, the rule that decided and a sentence saying why,
for the purge's output, its audit entries and a dry run). Nothing here reads a clock,
a file or the catalogue.

The rules, in the order they are applied:

1. A row under a legal hold (``held``) is never due, whatever its age.
2. The ceiling: any other row is due :data:`CEILING_DAYS` (3650, ten years) after it
   started. It is the longest the site file allows for ``retention_days``, so it never
   shortens the standard retention; it only ends what would otherwise wait forever (a
   recording whose coaching notes are never discussed, a category nobody configured),
   so nothing outside a hold is kept unnoticed.
3. A category other than ``standard`` is not in the site file: kept until the ceiling.
4. Standard: due from ``started_at + retention_days`` on (exactly at that moment too).
5. Once that has passed, the coaching store is asked (only then: a recording within its
   standard retention is kept whatever its notes say). A recording with coaching notes
   is kept until ``coached_days_after_discussed`` whole days after the local day it was
   marked "besproken met medewerker": due from the start of the day after
   ``discussed_on + coached_days_after_discussed``, and never before rule 4. With notes
   but never discussed it is kept until it is discussed (and at most until the ceiling).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Protocol
from zoneinfo import ZoneInfo

from recordings.catalog_rows import RecordingRow, aware
from site_config.recording import Recording

CEILING_DAYS = 3650
STANDARD = "standard"
AMSTERDAM = ZoneInfo("Europe/Amsterdam")


class CoachingFacts(Protocol):
    """What the coaching store knows of a recording (another room's store)."""

    def discussed_on(self, recording_id: str) -> date | None: ...

    def has_notes(self, recording_id: str) -> bool: ...


class NoCoaching:
    """A site without coaching (and tests): no notes, never discussed."""

    def discussed_on(self, recording_id: str) -> date | None:
        return None

    def has_notes(self, recording_id: str) -> bool:
        return False


class Rule(enum.StrEnum):
    """What decided a recording's fate."""

    HELD = "held"
    CEILING = "ceiling"
    UNKNOWN_CATEGORY = "unknown category"
    STANDARD = "standard retention"
    COACHED = "coached"
    NOT_DISCUSSED = "not yet discussed"


@dataclass(frozen=True, slots=True, kw_only=True)
class RetentionPolicy:
    """The site's retention; ``zone`` is where a ``discussed_on`` day begins and ends."""

    retention_days: int
    coached_days_after_discussed: int
    ceiling_days: int = CEILING_DAYS
    zone: tzinfo = AMSTERDAM

    def __post_init__(self) -> None:
        if self.retention_days < 1 or self.coached_days_after_discussed < 0:
            raise ValueError(
                f"retention_days={self.retention_days}, coached_days_after_discussed="
                f"{self.coached_days_after_discussed}; allowed: 1 or more, 0 or more"
            )
        if self.ceiling_days < self.retention_days:
            raise ValueError(f"ceiling_days={self.ceiling_days} is below retention_days")

    @classmethod
    def of(cls, recording: Recording, *, zone: tzinfo) -> RetentionPolicy:
        """The policy of the site file's ``recording:`` section."""
        return cls(
            retention_days=recording.retention_days,
            coached_days_after_discussed=recording.retention.coached_days_after_discussed,
            zone=zone,
        )


@dataclass(frozen=True, slots=True)
class Decision:
    """One row's fate; ``until`` is when it falls (fell) due, None while held."""

    row: RecordingRow
    due: bool
    rule: Rule
    until: datetime | None
    why: str


def decide(
    row: RecordingRow, coaching: CoachingFacts, policy: RetentionPolicy, now: datetime
) -> Decision:
    """The fate of ``row`` at ``now``; see the module docstring for the rules."""
    aware("now", now)
    if row.held:
        return Decision(row, False, Rule.HELD, None, "under a legal hold")
    ceiling = row.started_at + timedelta(days=policy.ceiling_days)
    if now >= ceiling:
        why = f"the ceiling of {policy.ceiling_days} days passed on {_local(ceiling, policy)}"
        return Decision(row, True, Rule.CEILING, ceiling, why)
    if row.category != STANDARD:
        why = (
            f"retention category {row.category!r} is not in the site configuration; "
            f"kept until the ceiling, {_local(ceiling, policy)}"
        )
        return Decision(row, False, Rule.UNKNOWN_CATEGORY, ceiling, why)
    standard = row.started_at + timedelta(days=policy.retention_days)
    if now < standard:
        why = f"within the standard {policy.retention_days} days, until {_local(standard, policy)}"
        return Decision(row, False, Rule.STANDARD, standard, why)
    if not coaching.has_notes(row.id):
        why = f"the standard {policy.retention_days} days passed on {_local(standard, policy)}"
        return Decision(row, True, Rule.STANDARD, standard, why)
    return _coached(row, coaching.discussed_on(row.id), standard, ceiling, policy, now)


def due(
    rows: Iterable[RecordingRow], coaching: CoachingFacts, policy: RetentionPolicy, now: datetime
) -> list[Decision]:
    """The decisions of the rows due for deletion at ``now``, in the order given."""
    decided = (decide(row, coaching, policy, now) for row in rows)
    return [decision for decision in decided if decision.due]


def _coached(
    row: RecordingRow,
    discussed: date | None,
    standard: datetime,
    ceiling: datetime,
    policy: RetentionPolicy,
    now: datetime,
) -> Decision:
    if discussed is None:
        why = (
            "coaching notes not yet discussed with the agent; kept until discussed, at most "
            f"until the ceiling, {_local(ceiling, policy)}"
        )
        return Decision(row, False, Rule.NOT_DISCUSSED, ceiling, why)
    after = policy.coached_days_after_discussed
    last_day = discussed + timedelta(days=after)
    until = min(ceiling, max(standard, _start_of(last_day + timedelta(days=1), policy.zone)))
    told = f"coaching notes discussed on {discussed.isoformat()}, kept {after} days after that"
    if now < until:
        return Decision(row, False, Rule.COACHED, until, f"{told}, until {_local(until, policy)}")
    return Decision(row, True, Rule.COACHED, until, f"{told}; passed on {_local(until, policy)}")


def _start_of(day: date, zone: tzinfo) -> datetime:
    return datetime.combine(day, time(), tzinfo=zone)


def _local(moment: datetime, policy: RetentionPolicy) -> str:
    return moment.astimezone(policy.zone).strftime("%Y-%m-%d %H:%M")
