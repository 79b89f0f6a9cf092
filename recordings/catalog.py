"""The recordings catalogue: one SQLite file, ``catalog.db``, beside the sealed files.

Theory of operation
-------------------
One row a recording in ``recordings`` (who, which call, when, how long, which file,
under which key, its retention category and legal hold), and in ``segments`` the parts
it was joined from (a recording paused and resumed is one file of several segments),
with where each begins in the stored audio; in ``timeline`` the call's own moments
(queued, answered, transferred, ...) the controller handed over with the take, and in
``signals`` the coaching signals computed from the two channels when it was kept (no
row when they could not be). The numbered steps of ``recordings.catalog_schema.SCHEMA``
build the file, recorded in ``schema_version``; a file from newer code is refused
before anything in it is touched. A step, once released, is never edited: a change is
a new step.

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
import json
import logging
import sqlite3
from collections.abc import Callable, Sequence
from datetime import date, datetime, time, timedelta, tzinfo
from pathlib import Path
from types import TracebackType
from typing import Any
from zoneinfo import ZoneInfo

from recordings.catalog_rows import (
    COLUMNS,
    FILE_NAME,
    SEGMENT_COLUMNS,
    SIGNAL_COLUMNS,
    RecordingFilter,
    RecordingRow,
    SegmentRow,
    SignalsRow,
    aware,
    recording_of,
    recording_values,
    segment_of,
    segment_values,
    signal_values,
    signals_of,
    stamp,
)
from recordings.catalog_schema import CATALOG_SCHEMA, SCHEMA, SchemaError, SchemaStep, migrate
from recordings.catalog_schema import transaction as _transaction
from recordings.take import Mark

__all__ = [
    "AMSTERDAM", "CATALOG_FILE", "SCHEMA", "Catalog", "CatalogError", "SchemaError",
    "SchemaStep", "migrate",
]  # fmt: skip

log = logging.getLogger(__name__)

CATALOG_FILE = "catalog.db"
AMSTERDAM = ZoneInfo("Europe/Amsterdam")


class CatalogError(RuntimeError):
    """A change the catalogue refuses; nothing was changed."""


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
        # The controller keeps recordings in a worker thread, one at a time (the shelf's
        # lock): the connection may move between threads, never be shared at once.
        db = CATALOG_SCHEMA.open_writer(directory / CATALOG_FILE)
        return cls(db, directory, clock, zone)

    @classmethod
    def open_reader(
        cls, directory: Path, clock: Callable[[], datetime], *, zone: tzinfo = AMSTERDAM
    ) -> Catalog:
        """``directory/catalog.db`` read-only, at exactly this code's schema version.

        A reader never migrates (the controller's shelf, the one writer, does): a reader
        of another release gets ``SchemaError`` instead of moving the file on.
        """
        return cls(CATALOG_SCHEMA.open_reader(directory / CATALOG_FILE), directory, clock, zone)

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
            f"SELECT {COLUMNS} FROM recordings WHERE id = ?", (recording_id,)
        ).fetchone()
        return None if found is None else recording_of(found)

    def segments(self, recording_id: str) -> builtins.list[SegmentRow]:
        rows = self._db.execute(
            f"SELECT {SEGMENT_COLUMNS} FROM segments WHERE recording_id = ? ORDER BY number",
            (recording_id,),
        )
        return [segment_of(row) for row in rows]

    def timeline(self, recording_id: str) -> builtins.list[Mark]:
        """The call's marks kept with the recording, in the order they were handed over."""
        rows = self._db.execute(
            "SELECT at, kind, label FROM timeline WHERE recording_id = ? ORDER BY n",
            (recording_id,),
        )
        return [Mark(datetime.fromisoformat(at), kind, label) for at, kind, label in rows]

    def signals(self, recording_id: str) -> SignalsRow | None:
        """The recording's coaching signals; None when they were not computed."""
        found = self._db.execute(
            f"SELECT {SIGNAL_COLUMNS} FROM signals WHERE recording_id = ?", (recording_id,)
        ).fetchone()
        return None if found is None else signals_of(found)

    def signals_between(
        self, since: datetime, until: datetime
    ) -> builtins.list[tuple[str | None, SignalsRow]]:
        """(agent, signals) of every recording started in [since, until) that has them,
        none being deleted: the monthly report's coaching signals per agent."""
        rows = self._db.execute(
            "SELECT r.agent_id, "
            + ", ".join(f"s.{c.strip()}" for c in SIGNAL_COLUMNS.split(","))
            + " FROM recordings r JOIN signals s ON s.recording_id = r.id"
            " WHERE r.deleting = 0 AND r.started_at >= ? AND r.started_at < ?"
            " ORDER BY r.started_at",
            (stamp(since), stamp(until)),
        )
        return [(row[0], signals_of(row[1:])) for row in rows]

    def list(self, wanted: RecordingFilter) -> builtins.list[RecordingRow]:
        """One page of the recordings ``wanted`` names, newest first, none being deleted."""
        where, values = _where(wanted, self._zone)
        query = (
            f"SELECT {COLUMNS} FROM recordings WHERE {' AND '.join(where)} "
            "ORDER BY started_at DESC, id DESC LIMIT ? OFFSET ?"
        )
        rows = self._db.execute(query, (*values, wanted.limit, wanted.offset))
        return [recording_of(row) for row in rows]

    def by_source(self, source: str) -> RecordingRow | None:
        """The recording made of one phone channel's take, if it was kept already."""
        found = self._db.execute(
            f"SELECT {COLUMNS} FROM recordings WHERE source = ?", (source,)
        ).fetchone()
        return None if found is None else recording_of(found)

    def ids_for_call(self, call_id: str) -> builtins.list[str]:
        """The recordings of one call, in the order they started, none being deleted."""
        rows = self._db.execute(
            "SELECT id FROM recordings WHERE call_id = ? AND deleting = 0 ORDER BY started_at, id",
            (call_id,),
        )
        return [row[0] for row in rows]

    # ------------------------------------------------------------ writing

    def add(
        self,
        row: RecordingRow,
        segments: Sequence[SegmentRow],
        *,
        timeline: Sequence[Mark] = (),
        signals: SignalsRow | None = None,
    ) -> RecordingRow:
        """Add a recording, its segments, the call's timeline and its signals (None: not
        computed), all in one transaction; the row as stored."""
        strays = sorted({s.recording_id for s in segments} - {row.id})
        if strays:
            raise CatalogError(f"recording {row.id}: segments of {', '.join(strays)} given")
        for mark in timeline:
            aware(f"recording {row.id}: the timeline's {mark.kind} at", mark.at)
        stored_at = self._clock()
        aware("the clock's time", stored_at)
        values = recording_values(row, stored_at)
        try:
            with _transaction(self._db):
                self._db.execute(
                    f"INSERT INTO recordings ({COLUMNS}) VALUES ({', '.join('?' * 18)})", values
                )
                self._db.executemany(
                    f"INSERT INTO segments ({SEGMENT_COLUMNS}) VALUES (?, ?, ?, ?, ?)",
                    [segment_values(s) for s in segments],
                )
                self._db.executemany(
                    "INSERT INTO timeline (recording_id, n, at, kind, label) "
                    "VALUES (?, ?, ?, ?, ?)",
                    [(row.id, n, stamp(m.at), m.kind, m.label) for n, m in enumerate(timeline, 1)],
                )
                if signals is not None:
                    self._db.execute(
                        f"INSERT INTO signals (recording_id, {SIGNAL_COLUMNS}) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        (row.id, *signal_values(signals)),
                    )
        except sqlite3.IntegrityError as exc:
            raise CatalogError(f"recording {row.id}: {_clash(exc)}; nothing was changed") from None
        return recording_of(values)

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
        """The last step of a deletion, after the file went: the row and all of its parts."""
        with _transaction(self._db):
            row = self.get(recording_id)
            if row is not None and not row.deleting:
                raise CatalogError(
                    f"recording {recording_id} is not marked for deletion; mark_deleting first, "
                    "then remove the file"
                )
            for table in _PARTS:
                self._db.execute(f"DELETE FROM {table} WHERE recording_id = ?", (recording_id,))
            self._db.execute("DELETE FROM recordings WHERE id = ?", (recording_id,))
        return row is not None

    def pending_deletions(self) -> builtins.list[RecordingRow]:
        rows = self._db.execute(f"SELECT {COLUMNS} FROM recordings WHERE deleting = 1")
        return [recording_of(row) for row in rows]

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


_PARTS = ("segments", "timeline", "signals")  # the tables that hang off a recording's row


def _where(wanted: RecordingFilter, zone: tzinfo) -> tuple[builtins.list[str], builtins.list[Any]]:
    where, values = ["deleting = 0"], builtins.list[Any]()
    if wanted.day is not None:
        where.append("started_at >= ? AND started_at < ?")
        values += [
            stamp(_midnight(wanted.day, zone)),
            stamp(_midnight(wanted.day + timedelta(1), zone)),
        ]
    for column, value in (
        ("agent_id", wanted.agent_id),
        ("topic", wanted.topic),
        ("municipality", wanted.municipality),
        ("extension", wanted.extension),
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
    # One parameter however many ids (no limit on the number of SQL variables).
    if wanted.ids_in is not None:
        where.append("id IN (SELECT value FROM json_each(?))")
        values.append(json.dumps(sorted(wanted.ids_in)))
    if wanted.ids_not_in:
        where.append("id NOT IN (SELECT value FROM json_each(?))")
        values.append(json.dumps(sorted(wanted.ids_not_in)))
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
