"""The store's contract for callback notes (docs/events.md), on SQLite here; like
test_suite.py, tests/integration/test_store_postgres.py runs it on PostgreSQL too."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from contract.vocabulary import CallbackOutcome
from realtime_stats.figures.callback_metrics import CallbackTally, tally_notes_per_department
from realtime_stats.figures.callback_records import CallbackNote
from realtime_stats.figures.periods import local_day
from realtime_stats.ingest.fold import EventFold
from realtime_stats.store import Store, StoreError
from tests.unit.realtime_stats.figures.test_callback_metrics import (
    AMS,
    MONDAY,
    NOTES,
    NOW,
    at,
    note,
)
from tests.unit.realtime_stats.ingest.test_fold_callbacks import (
    BEL,
    done,
    due,
    noted,
    notes_morning,
)
from tests.unit.realtime_stats.store.suite_fixtures import (
    _t,
    raw_sql,
    store,
    store_target,
    upgraded_from,
)
from tests.unit.realtime_stats.test_fold_script import T0, Script, folded

__all__ = ["store", "store_target"]  # the suite's fixtures, used by the tests below

EXACT = CallbackNote(
    note_id="n-1718434800.17-1",
    department_id="belastingen",
    extension="311",
    topic_id="belastingen",
    noted_at=datetime(2026, 6, 15, 9, 0, 1, 123456, tzinfo=AMS),
    due_at=datetime(2026, 6, 16, 15, 0, tzinfo=UTC),
    done_at=datetime(2026, 6, 16, 9, 30, 0, 999999, tzinfo=AMS),
    outcome=CallbackOutcome.NOT_REACHED,
)


def test_callback_notes_round_trip_exactly(store: Store) -> None:
    open_one = CallbackNote(
        note_id="n2", department_id="burgerzaken", noted_at=_t(60), due_at=_t(3600)
    )
    store.save_notes([open_one, EXACT])
    period = local_day(MONDAY, AMS)

    assert store.notes_between(period.start, period.end) == [EXACT, open_one]
    back = store.notes_between(period.start, period.end)[0]
    assert back.noted_at.tzinfo is UTC and back.noted_at.microsecond == 123456
    closed = CallbackNote(
        note_id="n2",
        department_id="burgerzaken",
        noted_at=_t(60),
        due_at=_t(3600),
        done_at=_t(90),
        outcome=CallbackOutcome.OTHERWISE,
    )
    store.save_notes([closed])  # the same note again: its row is updated
    assert store.notes_between(period.start, period.end) == [EXACT, closed]


def test_notes_between_gives_what_the_periods_figures_count(store: Store) -> None:
    last_month = note(
        "old", at(1, "09:00"), at(2, "17:00"), at(2, "10:00"), CallbackOutcome.OTHERWISE
    )
    tomorrow = note("next", at(16, "09:00"), at(17, "17:00"))
    store.save_notes([*NOTES, last_month, tomorrow])
    monday = local_day(MONDAY, AMS)

    found = store.notes_between(monday.start, monday.end)
    # Every note of the scenario counts on Monday (n7 only as open at its end); the one
    # done last month and the one made on Tuesday do not. In order of noted_at.
    assert [n.note_id for n in found] == ["n7", "n2", "n9", "n1", "n3", "n6", "n8", "n4", "n5"]
    assert tally_notes_per_department(found, monday, NOW) == tally_notes_per_department(
        [*NOTES, last_month, tomorrow], monday, NOW
    )


def test_a_fold_with_notes_saved_change_by_change_reads_back_as_the_fold(store: Store) -> None:
    script = notes_morning()
    fold = EventFold()
    for event in script.events:
        store.write(fold.collect(fold.apply(event)))

    assert fold.notes() and store.notes_between(T0, _t(86400)) == fold.notes()
    assert store.last_stream_id() == script.events[-1].stream_id


def test_a_restart_mid_day_rebuilds_the_same_figures_from_the_store(store: Store) -> None:
    script = Script()
    noted(script, -20 * 3600, "yesterday", due=due(-10))  # still open: overdue today
    noted(script, 10, "n1")
    noted(script, 20, "n2", due=due(1))
    done(script, 1800, "n1")
    crash_at = len(script.events)  # n1 done; n2 and yesterday's note open
    done(script, 2 * 3600, "n2", outcome="not_reached")
    done(script, 3 * 3600, "yesterday", outcome="otherwise")
    noted(script, 4 * 3600, "late-morning", due=due(30))
    events = script.events
    first = EventFold()
    for event in events[:crash_at]:
        store.write(first.collect(first.apply(event)))

    second = EventFold()
    second.restore(store.snapshot(since=T0 - timedelta(hours=9)))  # local midnight
    assert {n.note_id for n in second.notes()} == {"n1", "n2", "yesterday"}
    for event in events[crash_at - 2 :]:  # the consumer re-reads a little
        store.write(second.collect(second.apply(event)))

    whole = folded(events)
    assert second.notes() == whole.notes() and second.counts.rejected == 0
    today, now = local_day(MONDAY, AMS), T0 + timedelta(hours=5)
    figures = tally_notes_per_department(second.notes(), today, now)
    # Made today: n1, n2, late-morning; done today: all three others; due today: n1 (in
    # time) and n2 (done after its due at 10:00); yesterday's note was due yesterday.
    assert figures[BEL] == CallbackTally(
        made=3, done=3, called_back=1, not_reached=1, otherwise=1,
        due=2, done_in_time=1, late=1, open=1, overdue=0,
    )  # fmt: skip
    assert figures == tally_notes_per_department(whole.notes(), today, now)
    stored = store.notes_between(today.start, today.end)
    assert tally_notes_per_department(stored, today, now) == figures


def test_the_snapshot_holds_the_days_notes_and_every_open_one(store: Store) -> None:
    since = T0 - timedelta(hours=9)  # local midnight
    yesterday, called = since - timedelta(hours=10), CallbackOutcome.CALLED_BACK
    store.save_notes(
        [
            note("done-yesterday", yesterday, yesterday + timedelta(hours=3),
                 yesterday + timedelta(hours=1), called),
            note("open-for-a-month", since - timedelta(days=30), since - timedelta(days=29)),
            note("done-today", yesterday, yesterday + timedelta(hours=3), _t(60), called),
            note("due-today", yesterday, _t(3600), yesterday + timedelta(hours=1), called),
            note("due-at-midnight", yesterday, since, yesterday + timedelta(hours=1), called),
            note("made-today", _t(0), _t(3600)),
        ]
    )  # fmt: skip
    snapshot = store.snapshot(since=since)
    assert sorted(n.note_id for n in snapshot.notes) == [
        "done-today", "due-today", "made-today", "open-for-a-month"
    ]  # fmt: skip


def test_a_row_edited_into_an_impossible_note_is_named(store_target: str, store: Store) -> None:
    store.save_notes([EXACT])
    with raw_sql(store_target) as conn:
        conn.execute("UPDATE callback_notes SET done_at = NULL")
    with pytest.raises(
        StoreError,
        match=r"callback_notes row 'n-1718434800.17-1' is unusable: .*done_at and outcome",
    ):
        store.notes_between(T0 - timedelta(days=1), T0 + timedelta(days=2))
    with raw_sql(store_target) as conn:
        conn.execute("UPDATE callback_notes SET done_at = due_at, outcome = 'forgotten'")
    with pytest.raises(StoreError, match=r"outcome 'forgotten' is unknown"):
        store.snapshot(since=T0 - timedelta(hours=1))


# SQLite only (not imported by the PostgreSQL run):


def test_the_notes_step_upgrades_a_database_of_the_previous_version(store_target: str) -> None:
    with upgraded_from(store_target, 3, "callback_notes") as store:
        store.save_notes([EXACT])
        assert store.snapshot(since=T0).notes == (EXACT,)
