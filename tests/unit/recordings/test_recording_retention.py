"""The retention policy: which rows are due at a moment, by the rules of
recordings.retention (hold, ceiling, category, standard, coaching notes), exactly at
each boundary, with a reason for every decision."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta

import pytest

from recordings.catalog_rows import RecordingRow
from recordings.retention import (
    AMSTERDAM,
    CEILING_DAYS,
    NoCoaching,
    RetentionPolicy,
    Rule,
    decide,
    due,
)
from site_config.recording import Recording

STARTED = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)  # 11:00 in Amsterdam
POLICY = RetentionPolicy(retention_days=90, coached_days_after_discussed=30)
STANDARD_END = STARTED + timedelta(days=90)  # 2026-05-31 12:00 Amsterdam (summer time)
TICK = timedelta(microseconds=1)


def row(**changes: object) -> RecordingRow:
    made = RecordingRow(
        id="r1",
        call_id="1718000001.1",
        agent_id="1001",
        extension="301",
        position_id="p1",
        topic="burgerzaken",
        municipality="haarlem",
        started_at=STARTED,
        duration_s=60.0,
        size=1000,
        sha256="0" * 64,
        key_id="k1",
        file="r1.kccrec",
        category="standard",
    )
    return dataclasses.replace(made, **changes)  # type: ignore[arg-type]


@dataclasses.dataclass
class Coaching:
    """The coaching store as the purge sees it; counts what it was asked."""

    notes: set[str] = dataclasses.field(default_factory=set)
    discussed: dict[str, date] = dataclasses.field(default_factory=dict)
    asked: int = 0

    def discussed_on(self, recording_id: str) -> date | None:
        return self.discussed.get(recording_id)

    def has_notes(self, recording_id: str) -> bool:
        self.asked += 1
        return recording_id in self.notes


NONE = Coaching()
NOTES = Coaching(notes={"r1"})
DISCUSSED_EARLY = Coaching(notes={"r1"}, discussed={"r1": date(2026, 3, 10)})
DISCUSSED_LATE = Coaching(notes={"r1"}, discussed={"r1": date(2026, 6, 1)})
# Kept through the whole of 2026-07-01 (30 days after 1 June), due from its midnight.
LATE_END = datetime(2026, 7, 2, 0, 0, tzinfo=AMSTERDAM)
CEILING = STARTED + timedelta(days=CEILING_DAYS)


@pytest.mark.parametrize(
    ("what", "held", "category", "coaching", "now", "due_", "rule", "until"),
    [
        ("standard, a day young", False, "standard", NONE, STANDARD_END - timedelta(1),
         False, Rule.STANDARD, STANDARD_END),
        ("standard, just before", False, "standard", NONE, STANDARD_END - TICK,
         False, Rule.STANDARD, STANDARD_END),
        ("standard, exactly at", False, "standard", NONE, STANDARD_END,
         True, Rule.STANDARD, STANDARD_END),
        ("standard, long past", False, "standard", NONE, STANDARD_END + timedelta(400),
         True, Rule.STANDARD, STANDARD_END),
        ("held, long past", True, "standard", NONE, STANDARD_END + timedelta(400),
         False, Rule.HELD, None),
        ("held, past the ceiling", True, "standard", NONE, CEILING + timedelta(1),
         False, Rule.HELD, None),
        ("notes, never discussed", False, "standard", NOTES, STANDARD_END + timedelta(400),
         False, Rule.NOT_DISCUSSED, CEILING),
        ("notes, never discussed, ceiling", False, "standard", NOTES, CEILING,
         True, Rule.CEILING, CEILING),
        ("notes, never discussed, before ceiling", False, "standard", NOTES, CEILING - TICK,
         False, Rule.NOT_DISCUSSED, CEILING),
        ("discussed early: standard wins", False, "standard", DISCUSSED_EARLY, STANDARD_END,
         True, Rule.COACHED, STANDARD_END),
        ("discussed early, before standard", False, "standard", DISCUSSED_EARLY,
         STANDARD_END - TICK, False, Rule.STANDARD, STANDARD_END),
        ("discussed late, standard passed", False, "standard", DISCUSSED_LATE,
         STANDARD_END + timedelta(10), False, Rule.COACHED, LATE_END),
        ("discussed late, last day kept", False, "standard", DISCUSSED_LATE, LATE_END - TICK,
         False, Rule.COACHED, LATE_END),
        ("discussed late, exactly at", False, "standard", DISCUSSED_LATE, LATE_END,
         True, Rule.COACHED, LATE_END),
        ("unknown category", False, "vip", NONE, STANDARD_END + timedelta(400),
         False, Rule.UNKNOWN_CATEGORY, CEILING),
        ("unknown category, ceiling", False, "vip", NONE, CEILING,
         True, Rule.CEILING, CEILING),
    ],
)  # fmt: skip
def test_the_policy_table(
    what: str,
    held: bool,
    category: str,
    coaching: Coaching,
    now: datetime,
    due_: bool,
    rule: Rule,
    until: datetime | None,
) -> None:
    decision = decide(row(held=held, category=category), coaching, POLICY, now)
    assert (decision.due, decision.rule, decision.until) == (due_, rule, until), what
    assert decision.why


def test_every_decision_says_why_in_local_time() -> None:
    def why(coaching: Coaching, now: datetime, **changes: object) -> str:
        return decide(row(**changes), coaching, POLICY, now).why

    late = STANDARD_END + timedelta(10)
    assert why(NONE, late) == "the standard 90 days passed on 2026-05-31 12:00"
    assert why(NONE, STANDARD_END - TICK) == "within the standard 90 days, until 2026-05-31 12:00"
    assert why(NONE, late, held=True) == "under a legal hold"
    assert why(NOTES, late) == (
        "coaching notes not yet discussed with the agent; kept until discussed, at most "
        "until the ceiling, 2036-02-28 11:00"
    )
    assert why(DISCUSSED_LATE, late) == (
        "coaching notes discussed on 2026-06-01, kept 30 days after that, until 2026-07-02 00:00"
    )
    assert why(DISCUSSED_LATE, LATE_END) == (
        "coaching notes discussed on 2026-06-01, kept 30 days after that; "
        "passed on 2026-07-02 00:00"
    )
    assert why(NONE, CEILING) == "the ceiling of 3650 days passed on 2036-02-28 11:00"
    assert why(NONE, late, category="vip") == (
        "retention category 'vip' is not in the site configuration; kept until the ceiling, "
        "2036-02-28 11:00"
    )


def test_coaching_is_asked_only_once_the_standard_retention_has_passed() -> None:
    coaching = Coaching(notes={"r1"})
    decide(row(), coaching, POLICY, STANDARD_END - TICK)
    decide(row(held=True), coaching, POLICY, STANDARD_END)
    assert coaching.asked == 0
    decide(row(), coaching, POLICY, STANDARD_END)
    assert coaching.asked == 1


def test_no_coaching_says_no_notes_and_never_discussed() -> None:
    assert NoCoaching().has_notes("r1") is False
    assert NoCoaching().discussed_on("r1") is None
    assert decide(row(), NoCoaching(), POLICY, STANDARD_END).rule is Rule.STANDARD


def test_due_keeps_only_the_due_rows_in_order() -> None:
    rows = [
        row(id="a", file="a.kccrec"),
        row(id="b", file="b.kccrec", held=True),
        row(id="c", file="c.kccrec", started_at=STARTED + timedelta(days=30)),
        row(id="d", file="d.kccrec", started_at=STARTED - timedelta(days=30)),
    ]
    assert [d.row.id for d in due(rows, NONE, POLICY, STANDARD_END)] == ["a", "d"]


def test_the_policy_of_the_site_file_and_its_limits() -> None:
    section = Recording.model_validate(
        {
            "directory": "/var/lib/kcc/recordings",
            "retention_days": 45,
            "retention": {"coached_days_after_discussed": 14},
        }
    )
    policy = RetentionPolicy.of(section, zone=AMSTERDAM)
    assert (policy.retention_days, policy.coached_days_after_discussed) == (45, 14)
    assert policy.ceiling_days == CEILING_DAYS == 3650
    with pytest.raises(ValueError, match="retention_days=0"):
        RetentionPolicy(retention_days=0, coached_days_after_discussed=0)
    with pytest.raises(ValueError, match="ceiling_days=10 is below"):
        RetentionPolicy(retention_days=90, coached_days_after_discussed=0, ceiling_days=10)


def test_a_naive_moment_is_refused() -> None:
    with pytest.raises(ValueError, match="no time zone"):
        decide(row(), NONE, POLICY, datetime(2026, 6, 1))
