"""The two SQL databases the store runs on, behind one small interface.

SQLite (stdlib `sqlite3`, a file) is the default; PostgreSQL (psycopg 3) is used when the
target is a `postgresql://` URL (`store_target` reads the site's `database_url` as one of
the two). The store writes its SQL once, with `?` placeholders and
`{ts}`/`{float}`/`{bool}`/`{int}` type names, and each `Database` fills those in. Timestamps
go in as UTC: SQLite keeps them as fixed-width ISO text (so text order is time order, to
the microsecond), PostgreSQL as `timestamptz`.

Every statement runs inside `transaction()`: both databases roll DDL back too, which is
what lets a migration step be all or nothing.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

_SQLITE_TIME = "%Y-%m-%dT%H:%M:%S.%f+00:00"


class StoreError(RuntimeError):
    """The store cannot be opened or written; the message says which database and why."""


class Transaction(Protocol):
    def execute(self, sql: str, params: Sequence[Any] = ()) -> None: ...

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None: ...

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]: ...

    def lock(self, table: str) -> None:
        """Hold off other writers of `table` until the transaction ends."""


class Database(Protocol):
    where: str  # for messages: a file path, or the URL without its password
    types: Mapping[str, str]
    errors: tuple[type[Exception], ...]  # what the driver raises when the database fails

    def transaction(self) -> AbstractContextManager[Transaction]: ...

    def to_db(self, moment: datetime | None) -> Any: ...

    def from_db(self, value: Any) -> datetime | None: ...

    def close(self) -> None: ...


class _SqliteTransaction:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        self._conn.execute(sql, params)

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        self._conn.executemany(sql, rows)

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return list(self._conn.execute(sql, params).fetchall())

    def lock(self, table: str) -> None:
        """`BEGIN IMMEDIATE` already holds the database's one write lock."""


class SqliteDatabase:
    types: Mapping[str, str] = {"ts": "TEXT", "float": "REAL", "bool": "INTEGER", "int": "INTEGER"}

    def __init__(self, path: Path) -> None:
        self.where = str(path)
        self.errors: tuple[type[Exception], ...] = (sqlite3.Error,)
        _make_folder(path)
        try:
            # isolation_level=None: we issue BEGIN ourselves, so DDL is inside it too.
            # The lock in Store serialises threads, so one connection may cross them.
            self._conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
            self._conn.execute("PRAGMA busy_timeout = 5000")
            self._conn.execute("PRAGMA journal_mode = WAL")
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open SQLite database {path}: {exc}") from None

    @contextmanager
    def transaction(self) -> Iterator[_SqliteTransaction]:
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            yield _SqliteTransaction(self._conn)
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        self._conn.execute("COMMIT")

    def to_db(self, moment: datetime | None) -> str | None:
        return None if moment is None else moment.astimezone(UTC).strftime(_SQLITE_TIME)

    def from_db(self, value: Any) -> datetime | None:
        return None if value is None else datetime.fromisoformat(value)

    def close(self) -> None:
        self._conn.close()


class _PostgresTransaction:
    def __init__(self, cursor: Any) -> None:
        self._cursor = cursor

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        self._cursor.execute(sql.replace("?", "%s"), params)

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        if rows:
            self._cursor.executemany(sql.replace("?", "%s"), rows)

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        self._cursor.execute(sql.replace("?", "%s"), params)
        return list(self._cursor.fetchall())

    def lock(self, table: str) -> None:
        self._cursor.execute(f"LOCK TABLE {table} IN EXCLUSIVE MODE")


class PostgresDatabase:
    types: Mapping[str, str] = {
        "ts": "TIMESTAMPTZ",
        "float": "DOUBLE PRECISION",
        "bool": "BOOLEAN",
        "int": "BIGINT",
    }

    def __init__(self, url: str) -> None:
        import psycopg  # only needed, and only imported, for a PostgreSQL store

        self._url, self.where = url, _without_password(url)
        self.errors: tuple[type[Exception], ...] = (psycopg.Error,)
        self._conn = self._connect()

    def _connect(self) -> Any:
        import psycopg

        try:
            conn = psycopg.connect(self._url, autocommit=True, connect_timeout=10)
            conn.execute("SET TIME ZONE 'UTC'")
        except psycopg.Error as exc:
            raise StoreError(f"cannot open PostgreSQL database {self.where}: {exc}") from None
        return conn

    @contextmanager
    def transaction(self) -> Iterator[_PostgresTransaction]:
        if self._conn.broken or self._conn.closed:
            # The server restarted or the link dropped: a new connection, not a dead store.
            self._conn = self._connect()
        with self._conn.transaction(), self._conn.cursor() as cursor:
            yield _PostgresTransaction(cursor)

    def to_db(self, moment: datetime | None) -> datetime | None:
        return None if moment is None else moment.astimezone(UTC)

    def from_db(self, value: Any) -> datetime | None:
        return None if value is None else value.astimezone(UTC)

    def close(self) -> None:
        self._conn.close()


def _without_password(url: str) -> str:
    scheme, sep, rest = url.partition("://")
    credentials, at, host = rest.rpartition("@")
    if not at or ":" not in credentials:
        return url
    return f"{scheme}{sep}{credentials.split(':', 1)[0]}:***@{host}"


def _make_folder(path: Path) -> None:
    """A store's folder (the site's state folder) that is missing is made, or named."""
    if path.parent.is_dir():
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(
            f"cannot create the folder {path.parent} for SQLite database {path.name}: "
            f"{exc.strerror}; create it (writable by this user) or set "
            "services.database_url to a file in a folder that exists"
        ) from None


def connect(target: str | Path) -> Database:
    """A PostgreSQL database for a `postgresql://` URL, else a SQLite file at `target`."""
    text = str(target)
    if text.startswith(("postgresql://", "postgres://")):
        return PostgresDatabase(text)
    if "://" in text:
        raise StoreError(
            f"store {_without_password(text)!r}: not a postgresql:// URL nor a file path"
        )
    return SqliteDatabase(Path(text))


def store_target(database_url: str) -> str | Path:
    """``sqlite:///var/lib/kcc/kcc.db`` -> that (absolute) file; PostgreSQL URLs as given."""
    if database_url.startswith("sqlite:///"):
        return Path("/" + database_url.removeprefix("sqlite:///").lstrip("/"))
    return database_url
