"""The recordings catalogue: one SQLite file, ``catalog.db``, beside the sealed files.

Theory of operation
-------------------
One row a recording in ``recordings`` (who, which call, when, how long, which file,
under which key, its retention category and legal hold), and in ``segments`` the parts
it was joined from (a recording paused and resumed is one file of several segments),
with where each begins in the stored audio. The numbered steps of ``SCHEMA`` build the
file, recorded in ``schema_version``; a file from newer code is refused before anything
in it is touched. A step, once released, is never edited: a change is a new step.

Both processes open the file: the controller adds recordings, the replay and the
purge read, hold and delete. WAL mode lets a reader and a writer work at once, and a
busy timeout has a writer wait for the other's short transaction instead of failing.
``secure_delete`` overwrites what is deleted; the file is 0600.

A row names its file relative to the recordings folder, a name checked against
``FILE_NAME`` (made by our code, never from a caller's text), so no row can point
outside the folder.

The invariant between rows and files
------------------------------------
*A row never points at a missing file for longer than a crash, and no sealed file is
left without a row after the next start.* Writing is file first (``vault.seal_file``,
atomic), then :meth:`Catalog.add`; a crash between them leaves a file no row names,
which :meth:`Catalog.orphans` lists. Deleting is the reverse: :meth:`Catalog.mark_deleting`
commits a ``deleting`` flag (the row leaves every listing at once), then the file is
removed, then :meth:`Catalog.delete` drops the row; a crash in between leaves a flagged
row, which :meth:`Catalog.pending_deletions` lists. :meth:`Catalog.remove` carries out
the deletion and :meth:`Catalog.recover` finishes both kinds after a crash; only the
process that writes recordings runs ``recover``, at its start, before it writes (a
file being sealed by another process would look like an orphan).
"""

from __future__ import annotations

import builtins
import contextlib
import logging
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from pathlib import Path
from types import TracebackType
from typing import Any
from zoneinfo import ZoneInfo

from recordings.catalog_rows import FILE_NAME, RecordingFilter, RecordingRow, SegmentRow, aware

log = logging.getLogger(__name__)

CATALOG_FILE = "catalog.db"
AMSTERDAM = ZoneInfo("Europe/Amsterdam")


class SchemaError(RuntimeError):
    """The file's schema cannot be used by this code (newer, or not a catalogue)."""


class CatalogError(RuntimeError):
    """A change the catalogue refuses; nothing was changed."""


@dataclass(frozen=True, slots=True)
class SchemaStep:
    number: int
    what: str
    statements: tuple[str, ...]


SCHEMA: tuple[SchemaStep, ...] = (
    SchemaStep(
        1,
        "recordings and their segments",
        (
            """CREATE TABLE recordings (
                id TEXT PRIMARY KEY,
                call_id TEXT NOT NULL,
                agent_id TEXT,
                extension TEXT,
                position_id TEXT,
                topic TEXT,
                municipality TEXT,
                started_at TEXT NOT NULL,
                duration_s REAL NOT NULL,
                size INTEGER NOT NULL,
                sha256 TEXT NOT NULL,
                key_id TEXT NOT NULL,
                file TEXT NOT NULL UNIQUE,
                category TEXT NOT NULL,
                held INTEGER NOT NULL DEFAULT 0 CHECK (held IN (0, 1)),
                deleting INTEGER NOT NULL DEFAULT 0 CHECK (deleting IN (0, 1)),
                stored_at TEXT NOT NULL,
                source TEXT UNIQUE
            )""",
            "CREATE INDEX recordings_by_started_at ON recordings (started_at)",
            "CREATE INDEX recordings_by_call ON recordings (call_id)",
            """CREATE TABLE segments (
                recording_id TEXT NOT NULL REFERENCES recordings (id),
                number INTEGER NOT NULL,
                started_at TEXT NOT NULL,
                offset_s REAL NOT NULL,
                duration_s REAL NOT NULL,
                PRIMARY KEY (recording_id, number)
            )""",
        ),
    ),
)

_COLUMNS = (
    "id, call_id, agent_id, extension, position_id, topic, municipality, started_at, "
    "duration_s, size, sha256, key_id, file, category, held, deleting, stored_at, source"
)
_SEGMENT_COLUMNS = "recording_id, number, started_at, offset_s, duration_s"


class Catalog:
    """The catalogue of one recordings folder; build it with :meth:`open`."""

    def __init__(
        self, db: sqlite3.Connection, directory: Path, clock: Callable[[], datetime], zone: tzinfo
    ) -> None:
        self._db, self.directory, self._clock, self._zone = db, directory, clock, zone

    @classmethod
    def open(
        cls, directory: Path, clock: Callable[[], datetime], *, zone: tzinfo = AMSTERDAM
    ) -> Catalog:
        """Open (or create) ``directory/catalog.db`` and bring its schema up to date.

        ``clock`` gives the aware time a row is stored at; ``zone`` is where a
        filter's ``day`` begins and ends (the site's time zone).
        """
        directory.mkdir(parents=True, exist_ok=True, mode=0o750)
        path = directory / CATALOG_FILE
        path.touch(mode=0o600, exist_ok=True)
        path.chmod(0o600)  # also a file an older start or a copy left more open
        # The controller keeps recordings in a worker thread, one at a time (the shelf's
        # lock): the connection may move between threads, never be shared at once.
        db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        try:
            for pragma in _PRAGMAS:
                db.execute(pragma)
            migrate(db, str(path))
        except (sqlite3.Error, SchemaError) as exc:
            db.close()
            if isinstance(exc, SchemaError):
                raise
            raise SchemaError(f"{path}: not a recordings catalogue: {exc}") from exc
        return cls(db, directory, clock, zone)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Catalog:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # ------------------------------------------------------------ reading

    def get(self, recording_id: str) -> RecordingRow | None:
        """The row, also one being deleted (``deleting`` says so)."""
        found = self._db.execute(
            f"SELECT {_COLUMNS} FROM recordings WHERE id = ?", (recording_id,)
        ).fetchone()
        return None if found is None else _recording(found)

    def segments(self, recording_id: str) -> builtins.list[SegmentRow]:
        rows = self._db.execute(
            f"SELECT {_SEGMENT_COLUMNS} FROM segments WHERE recording_id = ? ORDER BY number",
            (recording_id,),
        )
        return [_segment(row) for row in rows]

    def list(self, wanted: RecordingFilter) -> builtins.list[RecordingRow]:
        """One page of the recordings ``wanted`` names, newest first, none being deleted."""
        where, values = _where(wanted, self._zone)
        query = (
            f"SELECT {_COLUMNS} FROM recordings WHERE {' AND '.join(where)} "
            "ORDER BY started_at DESC, id DESC LIMIT ? OFFSET ?"
        )
        rows = self._db.execute(query, (*values, wanted.limit, wanted.offset))
        return [_recording(row) for row in rows]

    def by_source(self, source: str) -> RecordingRow | None:
        """The recording made of one phone channel's take, if it was kept already."""
        found = self._db.execute(
            f"SELECT {_COLUMNS} FROM recordings WHERE source = ?", (source,)
        ).fetchone()
        return None if found is None else _recording(found)

    def ids_for_call(self, call_id: str) -> builtins.list[str]:
        """The recordings of one call, in the order they started, none being deleted."""
        rows = self._db.execute(
            "SELECT id FROM recordings WHERE call_id = ? AND deleting = 0 ORDER BY started_at, id",
            (call_id,),
        )
        return [row[0] for row in rows]

    # ------------------------------------------------------------ writing

    def add(self, row: RecordingRow, segments: Sequence[SegmentRow]) -> RecordingRow:
        """Add a recording and its segments in one transaction; the row as stored."""
        strays = sorted({s.recording_id for s in segments} - {row.id})
        if strays:
            raise CatalogError(f"recording {row.id}: segments of {', '.join(strays)} given")
        stored_at = self._clock()
        aware("the clock's time", stored_at)
        values = _values(row, stored_at)
        try:
            with _transaction(self._db):
                self._db.execute(
                    f"INSERT INTO recordings ({_COLUMNS}) VALUES ({', '.join('?' * 18)})", values
                )
                self._db.executemany(
                    f"INSERT INTO segments ({_SEGMENT_COLUMNS}) VALUES (?, ?, ?, ?, ?)",
                    [_segment_values(s) for s in segments],
                )
        except sqlite3.IntegrityError as exc:
            raise CatalogError(f"recording {row.id}: {_clash(exc)}; nothing was changed") from None
        return _recording(values)

    def set_hold(self, recording_id: str, held: bool) -> bool:
        """Set or lift a legal hold; False when there is no such recording."""
        with _transaction(self._db):
            row = self.get(recording_id)
            if row is not None and row.deleting:
                raise CatalogError(f"recording {recording_id} is being deleted; it cannot be held")
            self._db.execute(
                "UPDATE recordings SET held = ? WHERE id = ?", (int(held), recording_id)
            )
        return row is not None

    def set_key_id(self, recording_id: str, key_id: str) -> bool:
        """Record the key a file was rekeyed to (``vault.rekey``); False when not found."""
        with _transaction(self._db):
            cursor = self._db.execute(
                "UPDATE recordings SET key_id = ? WHERE id = ?", (key_id, recording_id)
            )
        return cursor.rowcount == 1

    # ------------------------------------------------------------ deleting

    def mark_deleting(self, recording_id: str) -> bool:
        """Step one of a deletion, before the file goes; False when not found."""
        with _transaction(self._db):
            row = self.get(recording_id)
            if row is not None and row.held:
                raise CatalogError(f"recording {recording_id} is under a legal hold; not deleted")
            self._db.execute("UPDATE recordings SET deleting = 1 WHERE id = ?", (recording_id,))
        return row is not None

    def delete(self, recording_id: str) -> bool:
        """The last step of a deletion, after the file went: the row and its segments."""
        with _transaction(self._db):
            row = self.get(recording_id)
            if row is not None and not row.deleting:
                raise CatalogError(
                    f"recording {recording_id} is not marked for deletion; mark_deleting first, "
                    "then remove the file"
                )
            self._db.execute("DELETE FROM segments WHERE recording_id = ?", (recording_id,))
            self._db.execute("DELETE FROM recordings WHERE id = ?", (recording_id,))
        return row is not None

    def pending_deletions(self) -> builtins.list[RecordingRow]:
        rows = self._db.execute(f"SELECT {_COLUMNS} FROM recordings WHERE deleting = 1")
        return [_recording(row) for row in rows]

    def orphans(self) -> builtins.list[Path]:
        """Sealed files in the folder that no row names (a crash before ``add``)."""
        named = {row[0] for row in self._db.execute("SELECT file FROM recordings")}
        return sorted(
            path
            for path in self.directory.iterdir()
            if FILE_NAME.fullmatch(path.name) and path.name not in named and path.is_file()
        )

    def remove(self, recording_id: str) -> bool:
        """Delete a recording, file and row, in the crash-safe order; False when not found."""
        row = self.get(recording_id)
        if row is None or not self.mark_deleting(recording_id):
            return False
        (self.directory / row.file).unlink(missing_ok=True)
        return self.delete(recording_id)

    def recover(self) -> tuple[int, int]:
        """Finish what a crash interrupted: (deletions completed, orphan files removed)."""
        pending = self.pending_deletions()
        for row in pending:
            (self.directory / row.file).unlink(missing_ok=True)
            self.delete(row.id)
        orphans = self.orphans()
        for path in orphans:
            path.unlink(missing_ok=True)
        if pending or orphans:
            log.warning(
                "recordings: finished %d deletion(s) and removed %d orphan file(s) after a crash",
                len(pending),
                len(orphans),
            )
        return len(pending), len(orphans)


_PRAGMAS = (
    "PRAGMA busy_timeout = 5000",
    "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = FULL",
    "PRAGMA secure_delete = ON",
    "PRAGMA foreign_keys = ON",
)


def migrate(db: sqlite3.Connection, where: str, steps: Sequence[SchemaStep] = SCHEMA) -> int:
    """Apply the steps after the file's version; refuse a file newer than ``steps``."""
    newest = len(steps)
    with _transaction(db):
        db.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
        rows = db.execute("SELECT version FROM schema_version").fetchall()
        current = int(rows[0][0]) if rows else 0
        if current > newest:
            raise SchemaError(
                f"{where}: the recordings catalogue schema is version {current}, newer than "
                f"this code knows (up to {newest}); run a newer kcc14023 against it. "
                "Nothing was changed."
            )
        for step in steps[current:]:
            for statement in step.statements:
                db.execute(statement)
        db.execute("DELETE FROM schema_version")
        db.execute("INSERT INTO schema_version (version) VALUES (?)", (newest,))
    return newest


@contextlib.contextmanager
def _transaction(db: sqlite3.Connection) -> Iterator[None]:
    db.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def _where(wanted: RecordingFilter, zone: tzinfo) -> tuple[builtins.list[str], builtins.list[Any]]:
    where, values = ["deleting = 0"], builtins.list[Any]()
    if wanted.day is not None:
        where.append("started_at >= ? AND started_at < ?")
        values += [
            _ts(_midnight(wanted.day, zone)),
            _ts(_midnight(wanted.day + timedelta(1), zone)),
        ]
    for column, value in (
        ("agent_id", wanted.agent_id),
        ("topic", wanted.topic),
        ("municipality", wanted.municipality),
    ):
        if value is not None:
            where.append(f"{column} = ?")
            values.append(value)
    if wanted.min_duration_s is not None:
        where.append("duration_s >= ?")
        values.append(wanted.min_duration_s)
    if wanted.max_duration_s is not None:
        where.append("duration_s <= ?")
        values.append(wanted.max_duration_s)
    return where, values


def _midnight(day: date, zone: tzinfo) -> datetime:
    return datetime.combine(day, time(), tzinfo=zone)


def _clash(exc: sqlite3.IntegrityError) -> str:
    text = str(exc)
    if "recordings.id" in text:
        return "a recording with this id is in the catalogue already"
    if "recordings.file" in text:
        return "another recording names this file already"
    if "segments." in text:
        return "two segments have the same number"
    return text


def _ts(moment: datetime) -> str:
    # One fixed width in UTC, so text order is time order in the queries.
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def _values(r: RecordingRow, stored_at: datetime) -> tuple[Any, ...]:
    return (
        r.id, r.call_id, r.agent_id, r.extension, r.position_id, r.topic, r.municipality,
        _ts(r.started_at), r.duration_s, r.size, r.sha256, r.key_id, r.file, r.category,
        int(r.held), 0, _ts(stored_at), r.source,
    )  # fmt: skip


def _recording(row: Sequence[Any]) -> RecordingRow:
    (id_, call_id, agent_id, extension, position_id, topic, municipality, started_at,
     duration_s, size, sha256, key_id, file, category, held, deleting, stored_at,
     source) = row  # fmt: skip
    return RecordingRow(
        id=id_, call_id=call_id, agent_id=agent_id, extension=extension,
        position_id=position_id, topic=topic, municipality=municipality,
        started_at=datetime.fromisoformat(started_at), duration_s=float(duration_s),
        size=int(size), sha256=sha256, key_id=key_id, file=file, category=category,
        held=bool(held), deleting=bool(deleting), stored_at=datetime.fromisoformat(stored_at),
        source=source,
    )  # fmt: skip


def _segment_values(s: SegmentRow) -> tuple[Any, ...]:
    return (s.recording_id, s.number, _ts(s.started_at), s.offset_s, s.duration_s)


def _segment(row: Sequence[Any]) -> SegmentRow:
    recording_id, number, started_at, offset_s, duration_s = row
    return SegmentRow(
        recording_id=recording_id, number=int(number),
        started_at=datetime.fromisoformat(started_at), offset_s=float(offset_s),
        duration_s=float(duration_s),
    )  # fmt: skip
