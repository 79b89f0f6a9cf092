"""The store's contract for back-office rings (docs/events.md), on SQLite here; like
test_store_suite.py, tests/integration/test_store_postgres.py runs it on PostgreSQL too."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from contract.vocabulary import RingEndedBy, RingFailure, RingKind
from realtime_stats.figures.backoffice_records import BackOfficeRing
from realtime_stats.ingest.changes import Changes
from realtime_stats.ingest.fold import EventFold
from realtime_stats.store import MIGRATIONS, Store, StoreError, StreamId, open_store
from realtime_stats.store.rows import RING_COLUMNS
from tests.unit.realtime_stats.ingest.test_fold_backoffice import backoffice_morning, bo
from tests.unit.realtime_stats.store.suite_fixtures import (
    AMS,
    NEWEST,
    _sqlite_time,
    _t,
    raw_sql,
    schema_version,
    store,
    store_target,
    upgraded_from,
)
from tests.unit.realtime_stats.test_fold_script import T0, Script, folded

__all__ = ["store", "store_target"]  # the suite's fixtures, used by the tests below


def _ring(call_id: str, rang_at: datetime, **changes: Any) -> BackOfficeRing:
    fields: dict[str, Any] = {
        "call_id": call_id,
        "ring": "1",
        "kind": RingKind.DIRECT,
        "department_id": "burgerzaken",
        "extension": "301",
        "rang_at": rang_at,
    }
    return BackOfficeRing(**(fields | changes))


TALKED = _ring(
    "1718434800.21",
    datetime(2026, 6, 15, 9, 0, 1, 123456, tzinfo=AMS),
    answered_at=datetime(2026, 6, 15, 9, 0, 9, 999999, tzinfo=AMS),
    ended_at=_t(300.000001),
    ended_by=RingEndedBy.COLLEAGUE,
)
CANCELLED = _ring(
    "c7",
    _t(30),
    ring="3",
    kind=RingKind.CONSULT,
    department_id="belastingen",
    extension="311",
    not_answered_at=_t(40.5),
    not_answered_reason=RingFailure.CANCELLED,
)


def test_backoffice_rings_round_trip_exactly(store: Store) -> None:
    ringing = _ring("c8", _t(60))
    store.save_rings([ringing, CANCELLED, TALKED])

    assert store.rings_between(_t(-3600), _t(3600)) == [TALKED, CANCELLED, ringing]
    (back, *_) = store.rings_between(_t(-3600), _t(3600))
    assert back.rang_at.tzinfo is UTC and back.rang_at.microsecond == 123456
    # half-open on rang_at
    assert store.rings_between(_t(30), _t(60)) == [CANCELLED]
    answered = _ring("c8", _t(60), answered_at=_t(64))
    store.save_rings([answered])  # the same ring again: its row is updated
    assert store.rings_between(_t(60), _t(61)) == [answered]


def test_rings_a_restart_ended_round_trip_and_are_no_longer_live(store: Store) -> None:
    lost_ringing = _ring("lost1", _t(60), ended_at=_t(300), end_unknown=True)
    lost_talking = _ring("lost2", _t(70), answered_at=_t(75), ended_at=_t(300), end_unknown=True)
    store.save_rings([lost_ringing, lost_talking])
    assert store.rings_between(_t(-3600), _t(3600)) == [lost_ringing, lost_talking]
    tomorrow = store.snapshot(since=T0 + timedelta(days=1))
    assert tomorrow.rings == ()  # finished: not carried into the next day as live


def test_a_fold_with_rings_saved_change_by_change_reads_back_as_the_fold(store: Store) -> None:
    script = backoffice_morning()
    fold = EventFold()
    for event in script.events:
        store.write(fold.collect(fold.apply(event)))

    assert fold.rings() and store.rings_between(_t(0), _t(3600)) == fold.rings()
    assert store.calls_between(_t(0), _t(3600)) == fold.calls()
    assert store.last_stream_id() == script.events[-1].stream_id


def test_rings_are_written_with_the_position_or_not_at_all(store: Store) -> None:
    store.set_last_stream_id(StreamId(10_000, 0))
    late = Script(first_ms=5_000)
    bo(late, "ringing", 10)
    other = folded(late.events)
    with pytest.raises(StoreError, match="would move back"):
        store.write(
            other.collect(
                Changes(other.last_stream_id, rings=frozenset(r.key for r in other.rings()))
            )
        )
    assert store.rings_between(_t(-60), _t(3600)) == []


def test_a_restart_rebuilds_the_rings_from_the_store(store: Store) -> None:
    events = backoffice_morning().events
    first = EventFold()
    crash_at = 4  # d1 answered and talking, d2 ringing
    for event in events[:crash_at]:
        store.write(first.collect(first.apply(event)))

    second = EventFold()
    second.restore(store.snapshot(since=T0))
    for event in events[crash_at - 2 :]:
        store.write(second.collect(second.apply(event)))

    whole = folded(events)
    assert second.rings() == whole.rings() and second.counts.rejected == 0
    assert store.rings_between(T0, _t(3600)) == whole.rings()


def test_the_snapshot_holds_the_days_rings_and_those_still_live(store: Store) -> None:
    yesterday = T0 - timedelta(hours=20)
    store.save_rings(
        [
            _ring("old-unanswered", yesterday, not_answered_at=yesterday,
                  not_answered_reason=RingFailure.BUSY),
            _ring("old-consult", yesterday, kind=RingKind.CONSULT, answered_at=yesterday),
            _ring("old-ringing", yesterday),
            _ring("old-talking", yesterday, answered_at=yesterday),
            _ring("ancient-ringing", T0 - timedelta(days=3)),
            _ring("today", _t(5), not_answered_at=_t(9),
                  not_answered_reason=RingFailure.CALLER_LEFT),
        ]
    )  # fmt: skip
    snapshot = store.snapshot(since=T0)
    assert [r.call_id for r in snapshot.rings] == ["old-ringing", "old-talking", "today"]


def test_a_row_edited_into_an_impossible_ring_is_named(store_target: str, store: Store) -> None:
    store.save_rings([TALKED])
    with raw_sql(store_target) as conn:
        conn.execute("UPDATE backoffice_rings SET kind = 'consult'")
    with pytest.raises(
        StoreError,
        match=r"backoffice_rings row \('1718434800.21', '301', '1'\) is unusable: .*not a consult",
    ):
        store.rings_between(_t(-3600), _t(3600))
    with raw_sql(store_target) as conn:
        conn.execute("UPDATE backoffice_rings SET kind = 'transfer'")
    with pytest.raises(StoreError, match=r"kind 'transfer' is unknown"):
        store.snapshot(since=T0 - timedelta(hours=1))


def test_the_rings_unknown_end_step_keeps_the_rings_of_the_previous_version(
    store_target: str,
) -> None:
    with open_store(store_target, migrations=MIGRATIONS[:6]):
        pass
    columns = [c for c in RING_COLUMNS if c != "end_unknown"]  # as the code of then wrote
    c = CANCELLED
    values = (
        c.call_id, c.extension, c.ring, c.kind.value, c.department_id, _sqlite_time(c.rang_at),
        None, _sqlite_time(c.not_answered_at), RingFailure.CANCELLED.value, None, None,
    )  # fmt: skip
    with raw_sql(store_target) as conn:
        mark = "%s" if store_target.startswith("postgresql://") else "?"  # psycopg's, sqlite3's
        marks = ", ".join([mark] * len(columns))
        conn.execute(
            f"INSERT INTO backoffice_rings ({', '.join(columns)}) VALUES ({marks})", values
        )
    with open_store(store_target) as store:
        assert schema_version(store_target) == NEWEST
        assert store.rings_between(_t(-3600), _t(3600)) == [CANCELLED]


# SQLite only (not imported by the PostgreSQL run):


def test_the_rings_step_upgrades_a_database_of_the_previous_version(store_target: str) -> None:
    with upgraded_from(store_target, 1, "backoffice_rings") as store:
        store.save_rings([TALKED])
        assert store.rings_between(_t(-3600), _t(3600)) == [TALKED]
