"""The coaching file's schema, its numbered steps, and opening it to write or to read.

``SCHEMA`` builds ``coaching.db`` step by step, recorded in ``schema_version``; a file
from newer code is refused before anything in it is touched, and a step once released
is never edited (a change is a new step at the end). Only the writer (the controller)
migrates: a reader (the stats service's report) opens the file read-only and refuses
a version other than this code's, so a newer stats service can never move the file
on under an older controller.

Notes, the "besproken" mark and evaluations are kept as written: a trigger refuses
any ``UPDATE`` of them, so not even a slip in later code can edit one. A correction
of an evaluation is a new row naming the old one in ``corrects`` (``UNIQUE``: an
evaluation is corrected once, so a chain never forks); the partial unique index
``one_evaluation_per_evaluator`` allows one first evaluation (one that corrects
nothing) per recording, form and evaluator.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlite_schema import SchemaError, SchemaFile, SchemaStep, transaction

__all__ = [
    "COACHING_FILE", "COACHING_SCHEMA", "SCHEMA", "SchemaError", "open_reader", "open_writer",
    "transaction",
]  # fmt: skip

COACHING_FILE = "coaching.db"


def _kept_as_written(table: str, what: str) -> str:
    return (
        f"CREATE TRIGGER {table}_kept_as_written BEFORE UPDATE ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{what} are kept as written: no UPDATE'); END"
    )


SCHEMA: tuple[SchemaStep, ...] = (
    SchemaStep(
        1,
        "notes, discussed marks and evaluations",
        (
            """CREATE TABLE notes (
                id TEXT PRIMARY KEY,
                recording_id TEXT NOT NULL,
                at_s REAL NOT NULL CHECK (at_s >= 0),
                author TEXT NOT NULL,
                author_role TEXT NOT NULL,
                text TEXT NOT NULL CHECK (length(text) BETWEEN 1 AND 2000),
                written_at TEXT NOT NULL,
                reply_to TEXT REFERENCES notes (id)
            )""",
            "CREATE INDEX notes_by_recording ON notes (recording_id, at_s)",
            _kept_as_written("notes", "coaching notes"),
            """CREATE TABLE discussed (
                recording_id TEXT PRIMARY KEY,
                discussed_on TEXT NOT NULL,
                discussed_by TEXT NOT NULL,
                marked_at TEXT NOT NULL
            )""",
            _kept_as_written("discussed", "discussed marks"),
            """CREATE TABLE evaluations (
                id TEXT PRIMARY KEY,
                recording_id TEXT NOT NULL,
                form_id TEXT NOT NULL,
                evaluator TEXT NOT NULL,
                submitted_at TEXT NOT NULL,
                corrects TEXT UNIQUE REFERENCES evaluations (id),
                answers TEXT NOT NULL,
                score REAL NOT NULL CHECK (score BETWEEN 0 AND 100)
            )""",
            "CREATE UNIQUE INDEX one_evaluation_per_evaluator "
            "ON evaluations (recording_id, form_id, evaluator) WHERE corrects IS NULL",
            "CREATE INDEX evaluations_by_recording ON evaluations (recording_id)",
            "CREATE INDEX evaluations_by_submitted_at ON evaluations (submitted_at)",
            _kept_as_written("evaluations", "evaluations"),
        ),
    ),
)

PRAGMAS = (
    "PRAGMA busy_timeout = 5000",
    "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = FULL",
    "PRAGMA secure_delete = ON",
    "PRAGMA foreign_keys = ON",
)

COACHING_SCHEMA = SchemaFile("coaching", "coaching file", SCHEMA, PRAGMAS)


def open_writer(directory: Path) -> sqlite3.Connection:
    """``directory/coaching.db``, created 0600 if new, its schema brought up to date.

    One connection, used under the store's lock from the event loop or a worker thread.
    """
    return COACHING_SCHEMA.open_writer(directory / COACHING_FILE)


def open_reader(path: Path) -> sqlite3.Connection:
    """``path`` read-only; ``SchemaError`` unless it is at exactly this code's version."""
    return COACHING_SCHEMA.open_reader(path)
