"""The store's contract, on SQLite here; tests/integration/test_store_postgres.py runs the
same functions against a real PostgreSQL by giving `store_target` a postgresql:// URL.
The back-office rings' part of the contract is in test_suite_rings.py, the callback notes'
in test_suite_notes.py."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, timedelta
from pathlib import Path

import pytest

from contract.vocabulary import AgentState
from realtime_stats.figures.records import AgentInterval, CallRecord
from realtime_stats.figures.tracked_records import IntervalKey, IvrCall, MenuStep, TrackedCall
from realtime_stats.ingest.changes import Changes
from realtime_stats.ingest.fold import EventFold
from realtime_stats.store import (
    MIGRATIONS,
    Migration,
    SchemaError,
    Store,
    StoreError,
    StreamId,
    open_store,
)
from realtime_stats.store.database import connect
from realtime_stats.store.migrations import migrate
from tests.unit.realtime_stats.store.suite_fixtures import (
    FULL_CALL,
    NEWEST,
    _t,
    raw_sql,
    save_call_as_before,
    schema_version,
    store,
    store_target,
)
from tests.unit.realtime_stats.test_fold_script import T0, Script, folded

__all__ = ["store", "store_target"]  # the suite's fixtures, used by the tests below


def test_a_call_round_trips_exactly(store: Store) -> None:
    bare = CallRecord(call_id="bare", entered_at=_t(30))
    store.save_calls([FULL_CALL, bare])

    assert store.calls_between(_t(-3600), _t(3600)) == [FULL_CALL, bare]
    (back, _) = store.calls_between(_t(-3600), _t(3600))
    assert back.entered_at.tzinfo is UTC and back.entered_at.microsecond == 123456


def test_calls_between_is_half_open_on_entered_at(store: Store) -> None:
    store.save_calls(CallRecord(call_id=f"c{s}", entered_at=_t(s)) for s in (0, 59.999999, 60))
    assert [c.call_id for c in store.calls_between(_t(0), _t(60))] == ["c0", "c59.999999"]
    assert [c.call_id for c in store.calls_between(_t(60), _t(61))] == ["c60"]


def test_saving_a_call_again_updates_its_row(store: Store) -> None:
    waiting = CallRecord(call_id="c1", entered_at=_t(0))
    store.save_calls([waiting])
    answered = CallRecord(call_id="c1", entered_at=_t(0), answered_at=_t(8), agent_id="bob")
    store.save_calls([answered])
    assert store.calls_between(_t(0), _t(1)) == [answered]


def test_intervals_round_trip_and_overlap(store: Store) -> None:
    intervals = [
        AgentInterval(agent_id="anna", state=AgentState.AVAILABLE, start=_t(0), end=_t(60)),
        AgentInterval(
            agent_id="anna",
            state=AgentState.PAUSED,
            start=_t(60),
            end=_t(120.5),
            pause_reason="break",
        ),
        AgentInterval(agent_id="anna", state=AgentState.TALKING, start=_t(120.5)),
        AgentInterval(agent_id="bob", state=AgentState.LOGGED_OUT, start=_t(-900), end=_t(0)),
    ]
    store.save_intervals(intervals)

    assert store.intervals_between(_t(-3600), _t(3600)) == [intervals[3], *intervals[:3]]
    # [60, 120.5) overlaps the pause only: touching ends do not overlap a half-open range
    assert store.intervals_between(_t(60), _t(120.5)) == [intervals[1]]
    # an open interval overlaps everything after its start
    assert store.intervals_between(_t(10_000), _t(10_001)) == [intervals[2]]


def test_ivr_calls_that_ended_there_are_kept_with_their_steps(store: Store) -> None:
    ended = IvrCall(
        call_id="i1",
        started_at=_t(0),
        steps=(
            MenuStep("municipality", None, "no_input", _t(4)),
            MenuStep("topic", "9", "invalid", _t(7)),
        ),
        ended_at=_t(8),
        end_phase="ivr",
        ended_by="caller",
    )
    live = IvrCall(call_id="i2", started_at=_t(1))
    store.save_ivr_calls([ended, live])
    assert store.ivr_calls_between(_t(0), _t(60)) == [ended]
    assert store.ivr_calls_between(_t(1), _t(60)) == []


def test_a_fold_saved_change_by_change_reads_back_as_the_fold(store: Store) -> None:
    script = Script()
    script.state("anna", 0, "available")
    script.answered_call("c1", "anna", 60, recorded=True)
    script.abandoned_call("c2", 100)
    script.add("call.started", 200, call="c3")
    script.add("call.ivr_step", 203, call="c3", node="municipality", digit="", outcome="no_input")
    script.add("call.ended", 206, call="c3", phase="ivr", by="caller")
    fold = EventFold()
    for event in script.events:
        store.write(fold.collect(fold.apply(event)))

    assert store.calls_between(_t(0), _t(3600)) == fold.calls()
    assert store.intervals_between(_t(0), _t(3600)) == fold.intervals()
    assert store.ivr_calls_between(_t(0), _t(3600)) == fold.ivr_calls()
    assert store.last_stream_id() == fold.last_stream_id == script.events[-1].stream_id


def test_a_restart_rebuilds_the_fold_from_the_store(store: Store) -> None:
    script = Script()
    script.state("anna", 0, "available")
    script.state("bob", 0, "available")
    script.answered_call("c1", "anna", 60, wait=10, talk=60, acw=30)
    script.answered_call("c2", "bob", 70, wait=5, talk=300, acw=20)
    script.add("call.started", 75, call="c3")
    script.add("call.ivr_step", 78, call="c3", node="municipality", digit="2", outcome="chosen")
    script.add("call.queued", 200, call="c3", topic="afval")
    script.add("call.ended", 260, call="c3", phase="queue", by="caller")
    first = EventFold()
    crash_at = 20  # c2 talking, c3 in the IVR, c1 in after-call work
    for event in script.events[:crash_at]:
        store.write(first.collect(first.apply(event)))

    second = EventFold()
    second.restore(store.snapshot(since=T0))
    for event in script.events[crash_at - 3 :]:  # the consumer re-reads a little
        store.write(second.collect(second.apply(event)))

    whole = folded(script.events)
    assert second.calls() == whole.calls()
    assert second.intervals() == whole.intervals()
    assert [second.tracked_call(c.call_id) for c in whole.calls()] == [
        whole.tracked_call(c.call_id) for c in whole.calls()
    ]
    assert store.calls_between(T0, _t(3600)) == whole.calls()
    assert second.positions() == whole.positions() == {"anna": "tic1", "bob": "tic1"}


def test_an_interval_keeps_its_position_and_older_rows_have_none(store_target: str) -> None:
    db = connect(store_target)
    try:  # a database from before the position was kept, with a row of then
        migrate(db, MIGRATIONS[:2])
        with db.transaction() as tx:
            tx.execute(
                "INSERT INTO agent_intervals (agent_id, start_at, state) VALUES (?, ?, ?)",
                ("old", db.to_db(_t(5)), "available"),
            )
    finally:
        db.close()
    script = Script()
    script.state("anna", 10, "available", position_id="tic2")
    fold = folded(script.events)
    with open_store(store_target) as store:
        store.save_intervals([fold.tracked_interval(IntervalKey("anna", _t(10)))])
        kept = store.snapshot(since=T0).intervals
    assert {(t.interval.agent_id, t.position_id) for t in kept} == {("old", None), ("anna", "tic2")}


def test_the_snapshot_holds_the_day_and_what_is_still_live(store: Store) -> None:
    yesterday = T0 - timedelta(hours=20)
    store.save_calls(
        [
            CallRecord(call_id="old-done", entered_at=yesterday, ended_at=yesterday),
            CallRecord(call_id="old-live", entered_at=yesterday),
            CallRecord(call_id="ancient-live", entered_at=T0 - timedelta(days=3)),
            CallRecord(call_id="today", entered_at=_t(5)),
        ]
    )
    store.save_intervals(
        [
            AgentInterval(agent_id="a", state=AgentState.AVAILABLE, start=yesterday, end=_t(-1)),
            AgentInterval(agent_id="a", state=AgentState.LOGGED_OUT, start=_t(-1)),
        ]
    )
    snapshot = store.snapshot(since=T0)
    assert [t.record.call_id for t in snapshot.calls] == ["old-live", "today"]
    assert [t.interval.state for t in snapshot.intervals] == [AgentState.LOGGED_OUT]
    assert snapshot.last_stream_id is None


def test_the_position_is_written_with_the_records_or_not_at_all(store: Store) -> None:
    script = Script(first_ms=10_000)
    script.abandoned_call("c1", 0)
    fold = folded(script.events)
    store.write(fold.collect(Changes(stream_id=fold.last_stream_id)))
    assert store.last_stream_id() == StreamId(10_003, 0)

    late = Script(first_ms=5_000)  # a second writer, behind this one
    late.abandoned_call("c2", 50)
    other = folded(late.events)
    everything = Changes(stream_id=other.last_stream_id, calls=frozenset({"c2"}))
    with pytest.raises(StoreError, match="would move back from 10003-0 to 5003-0"):
        store.write(other.collect(everything))
    assert store.calls_between(_t(-60), _t(3600)) == []  # c2's row went with the refusal
    store.set_last_stream_id(StreamId(10_004, 1))
    assert store.last_stream_id() == StreamId(10_004, 1)


def test_opening_migrates_once_and_reopening_is_a_no_op(store_target: str) -> None:
    with open_store(store_target) as store:
        store.save_calls([FULL_CALL])
    assert schema_version(store_target) == len(MIGRATIONS) == NEWEST
    with open_store(store_target) as store:
        assert store.calls_between(_t(-3600), _t(3600)) == [FULL_CALL]
    assert schema_version(store_target) == NEWEST


NOTE_COLUMN = Migration(NEWEST + 1, "a note per call", ("ALTER TABLE calls ADD COLUMN note TEXT",))


def test_a_new_step_is_applied_in_order(store_target: str) -> None:
    open_store(store_target).close()
    with open_store(store_target, migrations=(*MIGRATIONS, NOTE_COLUMN)) as store:
        store.save_calls([FULL_CALL])  # the old code's columns still work
    assert schema_version(store_target) == NEWEST + 1
    with raw_sql(store_target) as conn:
        assert conn.execute("SELECT note FROM calls").fetchall() == [(None,)]


def test_the_unknown_end_step_keeps_the_calls_of_the_previous_version(store_target: str) -> None:
    with open_store(store_target, migrations=MIGRATIONS[:5]):
        pass
    save_call_as_before(store_target, FULL_CALL)
    with open_store(store_target) as store:
        assert schema_version(store_target) == NEWEST
        assert store.calls_between(_t(-3600), _t(3600)) == [FULL_CALL]  # end_unknown False
        lost = replace(FULL_CALL, call_id="1718434800.18", end_unknown=True)
        store.save_calls([lost])
        assert store.calls_between(_t(-3600), _t(3600)) == [FULL_CALL, lost]


def test_a_database_newer_than_the_code_is_refused_untouched(store_target: str) -> None:
    open_store(store_target, migrations=(*MIGRATIONS, NOTE_COLUMN)).close()
    newer = rf"schema is version {NEWEST + 1}, newer than this code knows \(up to {NEWEST}\)"
    with pytest.raises(SchemaError, match=newer):
        open_store(store_target)
    assert schema_version(store_target) == NEWEST + 1


def test_a_failing_step_leaves_nothing_of_itself(store_target: str) -> None:
    broken = Migration(
        NEWEST + 1, "broken", ("CREATE TABLE half (x TEXT)", "CREATE TABLE calls (x TEXT)")
    )
    with pytest.raises(
        SchemaError, match=rf"migration {NEWEST + 1} \(broken\) failed, nothing of it was applied"
    ):
        open_store(store_target, migrations=(*MIGRATIONS, broken))
    assert schema_version(store_target) == NEWEST
    with raw_sql(store_target) as conn, pytest.raises(Exception, match="half"):
        conn.execute("SELECT x FROM half")


def test_migrations_must_be_numbered_in_order(store_target: str) -> None:
    with pytest.raises(
        SchemaError, match=r"numbered 1, 2, 3, ... in order, got \[1, 2, 3, 4, 5, 6, 7, 9\]"
    ):
        open_store(store_target, migrations=(*MIGRATIONS, Migration(NEWEST + 2, "gap", ())))


def test_a_row_edited_into_an_impossible_call_is_named(store_target: str, store: Store) -> None:
    store.save_calls([FULL_CALL])
    with raw_sql(store_target) as conn:
        conn.execute("UPDATE calls SET talk_seconds = -1")
    with pytest.raises(StoreError, match=r"calls row '1718434800.17' is unusable: .*talk_seconds"):
        store.calls_between(_t(-3600), _t(3600))


def test_a_row_edited_into_an_impossible_ivr_call_is_named(store_target: str, store: Store) -> None:
    ended = IvrCall(
        call_id="c7", started_at=_t(0), ended_at=_t(9), end_phase="ivr", ended_by="caller"
    )
    store.save_ivr_calls([ended])
    with raw_sql(store_target) as conn:
        conn.execute("UPDATE ivr_calls SET started_at = ended_at, ended_at = started_at")
    with pytest.raises(StoreError, match=r"ivr_calls row 'c7' is unusable: .*in time order"):
        store.ivr_calls_between(_t(-3600), _t(3600))


def test_a_row_edited_into_an_unknown_agent_state_is_named(store_target: str, store: Store) -> None:
    store.save_intervals([AgentInterval(agent_id="anna", state=AgentState.AVAILABLE, start=_t(0))])
    with raw_sql(store_target) as conn:
        conn.execute("UPDATE agent_intervals SET state = 'dancing'")
    with pytest.raises(
        StoreError,
        match=r"agent_intervals row \('anna', .*\) is unusable: 'dancing' is not a valid",
    ):
        store.intervals_between(_t(-3600), _t(3600))


def test_tracked_calls_keep_the_menu_as_published(store: Store) -> None:
    steps = (
        MenuStep("municipality", "1", "chosen", _t(-9)),
        MenuStep("topic", None, "no_input", _t(-4)),
    )
    tracked = TrackedCall(record=FULL_CALL, steps=steps, agent_done=False)
    store.save_calls([tracked])
    assert store.snapshot(since=T0 - timedelta(hours=1)).calls == (tracked,)


def test_an_unusable_target_is_named_without_its_password(tmp_path: Path) -> None:
    folder = tmp_path / "a-folder.sqlite3"
    folder.mkdir()  # a folder where the database file should be
    with pytest.raises(StoreError, match=r"cannot open SQLite database .*a-folder\.sqlite3"):
        open_store(folder)
    with pytest.raises(
        StoreError, match=r"'mysql://kcc:\*\*\*@db/stats': not a postgresql://"
    ) as e:
        open_store("mysql://kcc:secret@db/stats")
    assert "secret" not in str(e.value)
