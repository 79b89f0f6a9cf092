"""The store suite's fixtures and its ways past the API: the store on a target, raw SQL, a
call written as older code wrote it, the database's schema version.

The suite's tests stay in test_suite.py, test_suite_rings.py and test_suite_notes.py:
tests/integration/test_store_postgres.py takes them, and the ``store`` fixture, from those
three modules by name and runs them on PostgreSQL too.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from realtime_stats.figures.records import CallRecord, IvrStep
from realtime_stats.store import (
    MIGRATIONS,
    Store,
    StreamId,
    open_store,
)
from realtime_stats.store.rows import CALL_COLUMNS, STEP_COLUMNS
from tests.unit.realtime_stats.test_fold_script import T0

AMS = ZoneInfo("Europe/Amsterdam")


@pytest.fixture
def store_target(tmp_path: Path) -> str:
    return str(tmp_path / "stats.sqlite3")


@pytest.fixture
def store(store_target: str) -> Iterator[Store]:
    with open_store(store_target) as opened:
        yield opened


@contextmanager
def raw_sql(target: str) -> Iterator[Any]:
    """A plain DB-API connection to the store's database, for what the API does not show."""
    if target.startswith("postgresql://"):
        import psycopg

        with psycopg.connect(target, autocommit=True) as pg:
            yield pg
    else:
        lite = sqlite3.connect(target, isolation_level=None)
        try:
            yield lite
        finally:
            lite.close()


def save_call_as_before(target: str, call: CallRecord) -> None:
    """Write `call` as the code before migration 6 did (no `end_unknown`), into a
    database at an older version, which the current code cannot write calls into."""
    values = [
        call.call_id, _sqlite_time(call.entered_at), call.municipality_id, call.topic_id,
        _sqlite_time(call.answered_at), _sqlite_time(call.ended_at), call.agent_id,
        call.talk_seconds, call.after_call_seconds, call.transferred, call.transfer_department,
        call.fell_back_from_department, call.recorded, True,
    ]  # fmt: skip
    columns = [c for c in CALL_COLUMNS if c != "end_unknown"]
    steps = [
        (call.call_id, seq, s.step, None, None, _sqlite_time(s.at))
        for seq, s in enumerate(call.ivr_steps)
    ]
    mark = "%s" if target.startswith("postgresql://") else "?"  # psycopg's, sqlite3's
    with raw_sql(target) as conn:
        conn.execute(
            f"INSERT INTO calls ({', '.join(columns)}) VALUES ({', '.join([mark] * len(columns))})",
            values,
        )
        conn.cursor().executemany(
            f"INSERT INTO ivr_steps ({', '.join(STEP_COLUMNS)}) VALUES ({', '.join([mark] * 6)})",
            steps,
        )


def _sqlite_time(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")


def schema_version(target: str) -> int:
    with raw_sql(target) as conn:
        return int(conn.execute("SELECT version FROM schema_version").fetchone()[0])


def _t(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


NEWEST = 7  # the last migration this code has; a new one must raise it here too


FULL_CALL = CallRecord(
    call_id="1718434800.17",
    entered_at=datetime(2026, 6, 15, 9, 0, 1, 123456, tzinfo=AMS),
    municipality_id="zandvoort",
    topic_id="burgerzaken",
    answered_at=datetime(2026, 6, 15, 9, 0, 19, 999999, tzinfo=AMS),
    ended_at=datetime(2026, 6, 15, 9, 4, 2, 5, tzinfo=AMS),
    agent_id="anna",
    talk_seconds=222.000006,
    after_call_seconds=0.1 + 0.2,  # not a short decimal: must come back bit for bit
    transferred=True,
    transfer_department="belastingen",
    fell_back_from_department="vergunningen",
    ivr_steps=(IvrStep("municipality", _t(-9)), IvrStep("topic", _t(-4))),
    recorded=True,
)


@contextmanager
def upgraded_from(target: str, version: int, new_table: str) -> Iterator[Store]:
    """The store that this code opens on a database at ``version`` (a call written as the
    code of then did, a stream position, no ``new_table`` yet): the call and the position
    are checked to have come through the upgrade."""
    with open_store(target, migrations=MIGRATIONS[:version]) as old:
        old.set_last_stream_id(StreamId(7, 1))
    save_call_as_before(target, FULL_CALL)
    assert schema_version(target) == version
    with raw_sql(target) as conn, pytest.raises(sqlite3.OperationalError, match="no such"):
        conn.execute(f"SELECT * FROM {new_table}")
    with open_store(target) as store:
        assert schema_version(target) == NEWEST
        assert store.calls_between(_t(-3600), _t(3600)) == [FULL_CALL]
        assert store.last_stream_id() == StreamId(7, 1)
        yield store
