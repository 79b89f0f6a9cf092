"""The store's `callback_notes` table: a `CallbackNote` as a row and back, and the two
questions the store asks of it (the notes a period's figures count, the notes a fold
keeps across a restart).

Rows read back are rebuilt through `CallbackNote`, so a row edited into an impossible
note is refused with its id named, as for the other tables (`realtime_stats.store.rows`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from contract.vocabulary import CallbackOutcome
from realtime_stats.figures.backoffice_records import parse_choice
from realtime_stats.figures.callback_records import CallbackNote
from realtime_stats.figures.records import RecordError
from realtime_stats.store.database import Database, StoreError, Transaction
from realtime_stats.store.rows import Row, upsert

NOTE_COLUMNS = (
    "note_id",
    "department_id",
    "extension",
    "topic_id",
    "noted_at",
    "due_at",
    "done_at",
    "outcome",
)
_SELECT = f"SELECT {', '.join(NOTE_COLUMNS)} FROM callback_notes"

# `CallbackNote.counts_from(since)`: open, or noted, done or due after `since`.
# Parameters: since three times.
COUNTS_FROM = "(done_at IS NULL OR noted_at >= ? OR done_at >= ? OR due_at > ?)"
# What `realtime_stats.figures.callback_metrics` counts for [start, end): noted or done
# in it, due in (start, end], or open at its end. Parameters: start, end four times.
FOR_PERIOD = (
    "((noted_at >= ? AND noted_at < ?) OR (done_at >= ? AND done_at < ?)"
    " OR (due_at > ? AND due_at <= ?) OR (noted_at <= ? AND (done_at IS NULL OR done_at > ?)))"
)


def note_row(db: Database, note: CallbackNote) -> Row:
    return (
        note.note_id,
        note.department_id,
        note.extension,
        note.topic_id,
        db.to_db(note.noted_at),
        db.to_db(note.due_at),
        db.to_db(note.done_at),
        None if note.outcome is None else note.outcome.value,
    )


def callback_note(db: Database, row: Row) -> CallbackNote:
    v = dict(zip(NOTE_COLUMNS, row, strict=True))
    try:
        outcome = v["outcome"]
        return CallbackNote(
            note_id=v["note_id"],
            department_id=v["department_id"],
            extension=v["extension"],
            topic_id=v["topic_id"],
            noted_at=_required(db, v["noted_at"]),
            due_at=_required(db, v["due_at"]),
            done_at=db.from_db(v["done_at"]),
            outcome=None if outcome is None else parse_choice(CallbackOutcome, outcome, "outcome"),
        )
    except RecordError as exc:
        raise StoreError(
            f"{db.where}: callback_notes row {v['note_id']!r} is unusable: {exc}"
        ) from None


def _required(db: Database, value: Any) -> datetime:
    moment = db.from_db(value)
    if moment is None:
        raise RecordError("a required timestamp is NULL")
    return moment


def write(db: Database, tx: Transaction, notes: Iterable[CallbackNote]) -> None:
    sql = upsert("callback_notes", NOTE_COLUMNS, ("note_id",))
    tx.executemany(sql, [note_row(db, n) for n in notes])


def read(
    db: Database, tx: Transaction, where: str, params: tuple[object, ...]
) -> list[CallbackNote]:
    found = tx.rows(f"{_SELECT} WHERE {where} ORDER BY noted_at, note_id", params)
    return [callback_note(db, row) for row in found]
