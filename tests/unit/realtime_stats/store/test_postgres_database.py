"""The PostgreSQL side of the store's database on a fake psycopg connection: placeholders,
locks, UTC, a refused connection named without its password, a dropped one replaced.

tests/integration/test_store_postgres.py runs the whole store suite on a real server.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import psycopg
import pytest

from realtime_stats.store import StoreError
from realtime_stats.store.database import PostgresDatabase, connect

URL = "postgresql://kcc:geheim@db.example:5432/kcc"


class FakeCursor:
    def __init__(self, log: list[tuple[str, object]]) -> None:
        self.log = log

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        self.log.append((sql, tuple(params)))

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        self.log.append((sql, [tuple(r) for r in rows]))

    def fetchall(self) -> list[tuple[Any, ...]]:
        return [(1,)]

    def __enter__(self) -> FakeCursor:
        return self

    def __exit__(self, *exc: object) -> None:
        pass


class FakeConnection:
    """What PostgresDatabase uses of a psycopg connection."""

    def __init__(self, url: str, log: list[tuple[str, object]]) -> None:
        self.url, self.log = url, log
        self.broken = self.closed = False

    def execute(self, sql: str) -> None:
        self.log.append((sql, ()))

    @contextmanager
    def transaction(self) -> Iterator[None]:
        self.log.append(("BEGIN", ()))
        yield
        self.log.append(("COMMIT", ()))

    def cursor(self) -> FakeCursor:
        return FakeCursor(self.log)

    def close(self) -> None:
        self.closed = True


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[FakeConnection]:
    """Every connection psycopg was asked for, in order."""
    made: list[FakeConnection] = []

    def fake_connect(url: str, **kwargs: Any) -> FakeConnection:
        assert kwargs == {"autocommit": True, "connect_timeout": 10}
        made.append(FakeConnection(url, []))
        return made[-1]

    monkeypatch.setattr(psycopg, "connect", fake_connect)
    return made


def test_a_postgresql_url_opens_a_connection_in_utc(opened: list[FakeConnection]) -> None:
    db = connect(URL)
    assert isinstance(db, PostgresDatabase)
    assert db.where == "postgresql://kcc:***@db.example:5432/kcc"
    assert [c.url for c in opened] == [URL]
    assert opened[0].log == [("SET TIME ZONE 'UTC'", ())]
    assert db.types["ts"] == "TIMESTAMPTZ" and psycopg.Error in db.errors
    db.close()
    assert opened[0].closed


def test_statements_get_postgresql_placeholders_and_locks(opened: list[FakeConnection]) -> None:
    db = connect(URL)
    with db.transaction() as tx:
        tx.lock("schema_version")
        tx.execute("DELETE FROM calls WHERE call_id = ?", ("c1",))
        tx.executemany("INSERT INTO t (a, b) VALUES (?, ?)", [(1, 2)])
        tx.executemany("INSERT INTO t (a, b) VALUES (?, ?)", [])  # nothing to send
        assert tx.rows("SELECT a FROM t WHERE b = ?", (2,)) == [(1,)]
    assert opened[0].log[1:] == [
        ("BEGIN", ()),
        ("LOCK TABLE schema_version IN EXCLUSIVE MODE", ()),
        ("DELETE FROM calls WHERE call_id = %s", ("c1",)),
        ("INSERT INTO t (a, b) VALUES (%s, %s)", [(1, 2)]),
        ("SELECT a FROM t WHERE b = %s", (2,)),
        ("COMMIT", ()),
    ]


def test_a_dropped_connection_is_replaced_at_the_next_transaction(
    opened: list[FakeConnection],
) -> None:
    db = connect(URL)
    opened[0].broken = True
    with db.transaction() as tx:
        tx.execute("SELECT 1")
    assert len(opened) == 2 and ("SELECT 1", ()) in opened[1].log
    assert ("SELECT 1", ()) not in opened[0].log


def test_times_go_in_and_come_out_in_utc(opened: list[FakeConnection]) -> None:
    db = connect(URL)
    summer = timezone(timedelta(hours=2))
    moment = datetime(2026, 6, 15, 9, 0, tzinfo=summer)
    stored = db.to_db(moment)
    assert stored == moment and stored is not None and stored.tzinfo is UTC
    back = db.from_db(moment)
    assert back == moment and back is not None and back.tzinfo is UTC
    assert db.to_db(None) is None and db.from_db(None) is None


def test_a_refused_connection_is_named_without_its_password(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def refuse(url: str, **kwargs: Any) -> None:
        raise psycopg.OperationalError("connection refused")

    monkeypatch.setattr(psycopg, "connect", refuse)
    with pytest.raises(StoreError) as refused:
        connect(URL)
    message = str(refused.value)
    assert message == (
        "cannot open PostgreSQL database postgresql://kcc:***@db.example:5432/kcc: "
        "connection refused"
    )
    assert "geheim" not in message


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql://db.example/kcc", "postgresql://db.example/kcc"),
        ("postgresql://kcc@db.example/kcc", "postgresql://kcc@db.example/kcc"),
    ],
)
def test_a_url_without_a_password_is_shown_as_it_is(
    opened: list[FakeConnection], url: str, shown: str
) -> None:
    assert connect(url).where == shown
