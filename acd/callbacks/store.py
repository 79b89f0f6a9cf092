"""Callback notes on disk: one SQLite file in the controller's state folder.

Theory of operation
-------------------
A note holds personal data (the caller's name and number, the question), so it stays
with the controller, in ``callbacks.db`` beside its audit log, and nowhere else: the
stream carries only figures (``contract.events.CallbackNoted``). One table, ``notes``,
one row a note; the numbered steps of ``SCHEMA`` build it, recorded in
``schema_version``, and a file from newer code is refused before anything in it is
touched (older code would misread columns it does not know). A step, once released,
is never edited: a change is a new step at the end.

Retention: a note is deleted, row and all, ``retention_days`` after it was written,
open or done, when the store opens and then once a day on a clock timer the store owns
(``close`` cancels it). ``secure_delete`` has SQLite overwrite what it deletes, so the
personal fields do not linger in the file's free pages. The file is the controller's
own (0600).

The calls are synchronous: a note is a few hundred bytes, written once and closed once,
like the audit log's fsynced line per request; the event loop is not held up longer.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from acd.callbacks.machine import CallbackNote, NoteState
from acd.clock import Clock, Timer
from contract.vocabulary import CallbackOutcome
from sqlite_schema import SchemaError, SchemaFile, SchemaStep, transaction

__all__ = ["NOTES_SCHEMA", "PURGE_EVERY_S", "SCHEMA", "NoteStore", "SchemaError"]

log = logging.getLogger(__name__)

PURGE_EVERY_S = 24 * 3600.0


SCHEMA: tuple[SchemaStep, ...] = (
    SchemaStep(
        1,
        "callback notes",
        (
            """CREATE TABLE notes (
                id TEXT PRIMARY KEY,
                created_at TEXT NOT NULL,
                call_id TEXT NOT NULL,
                agent_id TEXT NOT NULL,
                municipality TEXT NOT NULL,
                department TEXT NOT NULL,
                extension TEXT,
                topic TEXT,
                caller_name TEXT NOT NULL,
                callback_number TEXT NOT NULL,
                question TEXT NOT NULL,
                due_at TEXT NOT NULL,
                done_at TEXT,
                done_by TEXT,
                outcome TEXT
            )""",
            "CREATE INDEX notes_by_created_at ON notes (created_at)",
            "CREATE INDEX notes_by_department ON notes (department, done_at)",
        ),
    ),
)

NOTES_SCHEMA = SchemaFile(
    "callback notes",
    "callback notes file",
    SCHEMA,
    ("PRAGMA secure_delete = ON", "PRAGMA synchronous = FULL"),
)

_COLUMNS = (
    "id, created_at, call_id, agent_id, municipality, department, extension, topic, "
    "caller_name, callback_number, question, due_at, done_at, done_by, outcome"
)


class NoteStore:
    """The notes of one controller; build it with :meth:`open`."""

    def __init__(self, db: sqlite3.Connection, clock: Clock, retention_days: int) -> None:
        self._db, self._clock = db, clock
        self._retention = timedelta(days=retention_days)
        self._timer: Timer | None = None

    @classmethod
    def open(cls, path: Path, *, clock: Clock, retention_days: int) -> NoteStore:
        """Open (or create) ``path``, bring its schema up to date, purge, start the timer."""
        if retention_days < 1:
            raise ValueError(f"retention_days={retention_days}; allowed: 1 or more")
        db = NOTES_SCHEMA.open_writer(path, check_same_thread=True)
        store = cls(db, clock, retention_days)
        store.purge()
        store._schedule()
        return store

    # ------------------------------------------------------------ notes

    def add(self, note: CallbackNote) -> None:
        with transaction(self._db):
            self._db.execute(
                f"INSERT INTO notes ({_COLUMNS}) VALUES ({', '.join('?' * 15)})", _row(note)
            )

    def get(self, note_id: str) -> CallbackNote | None:
        rows = self._db.execute(f"SELECT {_COLUMNS} FROM notes WHERE id = ?", (note_id,))
        found = rows.fetchone()
        return None if found is None else _note(found)

    def notes(
        self, state: NoteState, *, department: str | None = None, colleague: str | None = None
    ) -> list[CallbackNote]:
        """Open notes by due moment (the most urgent first), done ones the latest first.

        ``department`` narrows to one department; ``colleague`` further to the notes for
        the whole department and those for that one extension.
        """
        where = ["done_at IS NULL" if state is NoteState.OPEN else "done_at IS NOT NULL"]
        values: list[str] = []
        if department is not None:
            where.append("department = ?")
            values.append(department)
        if colleague is not None:
            where.append("(extension IS NULL OR extension = ?)")
            values.append(colleague)
        order = "due_at, created_at" if state is NoteState.OPEN else "done_at DESC"
        query = f"SELECT {_COLUMNS} FROM notes WHERE {' AND '.join(where)} ORDER BY {order}"
        return [_note(row) for row in self._db.execute(query, values)]

    def mark_done(self, note_id: str, *, at: datetime, by: str, outcome: CallbackOutcome) -> bool:
        """Write a note's closing; False when it was closed already (or is gone)."""
        with transaction(self._db):
            cursor = self._db.execute(
                "UPDATE notes SET done_at = ?, done_by = ?, outcome = ? "
                "WHERE id = ? AND done_at IS NULL",
                (_ts(at), by, outcome.value, note_id),
            )
        return cursor.rowcount == 1

    # ------------------------------------------------------------ retention

    def purge(self) -> int:
        """Delete every note written more than the retention ago; how many went."""
        cutoff = self._clock.now() - self._retention
        with transaction(self._db):
            gone = self._db.execute("DELETE FROM notes WHERE created_at < ?", (_ts(cutoff),))
        if gone.rowcount:
            log.info("callback notes: deleted %d past the retention", gone.rowcount)
        return gone.rowcount

    def _schedule(self) -> None:
        self._timer = self._clock.call_later(PURGE_EVERY_S, self._daily)

    def _daily(self) -> None:
        try:
            self.purge()
        except sqlite3.Error:
            log.exception("callback notes: the daily purge failed; trying again tomorrow")
        self._schedule()

    def close(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._db.close()


def _ts(moment: datetime) -> str:
    # One fixed width in UTC, so text order is time order in the queries.
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def _row(n: CallbackNote) -> tuple[str | None, ...]:
    return (
        n.id, _ts(n.created_at), n.call_id, n.agent_id, n.municipality, n.department,
        n.extension, n.topic, n.caller_name, n.callback_number, n.question, _ts(n.due_at),
        None if n.done_at is None else _ts(n.done_at), n.done_by,
        None if n.outcome is None else n.outcome.value,
    )  # fmt: skip


def _note(row: Sequence[Any]) -> CallbackNote:
    moment = datetime.fromisoformat
    (id_, created, call_id, agent_id, municipality, department, extension, topic,
     name, number, question, due, done_at, done_by, outcome) = row  # fmt: skip
    return CallbackNote(
        id=id_, created_at=moment(created), call_id=call_id, agent_id=agent_id,
        municipality=municipality, department=department, extension=extension, topic=topic,
        caller_name=name, callback_number=number, question=question, due_at=moment(due),
        done_at=None if done_at is None else moment(done_at), done_by=done_by,
        outcome=None if outcome is None else CallbackOutcome(outcome),
    )  # fmt: skip
