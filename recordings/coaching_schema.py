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

import contextlib
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

COACHING_FILE = "coaching.db"


class SchemaError(RuntimeError):
    """The file's schema cannot be used by this code (newer, older for a reader, or not
    a coaching file)."""


@dataclass(frozen=True, slots=True)
class SchemaStep:
    number: int
    what: str
    statements: tuple[str, ...]


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

_PRAGMAS = (
    "PRAGMA busy_timeout = 5000",
    "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = FULL",
    "PRAGMA secure_delete = ON",
    "PRAGMA foreign_keys = ON",
)


def open_writer(directory: Path) -> sqlite3.Connection:
    """``directory/coaching.db``, created 0600 if new, its schema brought up to date."""
    directory.mkdir(parents=True, exist_ok=True, mode=0o750)
    path = directory / COACHING_FILE
    path.touch(mode=0o600, exist_ok=True)
    path.chmod(0o600)  # also a file an older start or a copy left more open
    # One connection, used under the store's lock from the event loop or a worker thread.
    db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    try:
        for pragma in _PRAGMAS:
            db.execute(pragma)
        migrate(db, str(path))
    except (sqlite3.Error, SchemaError) as exc:
        db.close()
        if isinstance(exc, SchemaError):
            raise
        raise SchemaError(f"{path}: not a coaching file: {exc}") from exc
    return db


def open_reader(path: Path, steps: Sequence[SchemaStep] = SCHEMA) -> sqlite3.Connection:
    """``path`` read-only; ``SchemaError`` unless it is at exactly this code's version."""
    db = sqlite3.connect(
        path.resolve().as_uri() + "?mode=ro", uri=True, isolation_level=None,
        check_same_thread=False,
    )  # fmt: skip
    try:
        db.execute("PRAGMA busy_timeout = 5000")
        current = _version(db)
    except sqlite3.Error as exc:
        db.close()
        raise SchemaError(f"{path}: not a coaching file: {exc}") from exc
    if current != len(steps):
        db.close()
        later = "newer than this code knows" if current > len(steps) else "older than this code"
        raise SchemaError(
            f"{path}: the coaching schema is version {current}, {later} (version "
            f"{len(steps)}); the controller of the same release brings it up to date"
        )
    return db


def migrate(db: sqlite3.Connection, where: str, steps: Sequence[SchemaStep] = SCHEMA) -> int:
    """Apply the steps after the file's version; refuse a file newer than ``steps``."""
    newest = len(steps)
    with transaction(db):
        db.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
        current = _version(db)
        if current > newest:
            raise SchemaError(
                f"{where}: the coaching schema is version {current}, newer than this code "
                f"knows (up to {newest}); run a newer kcc14023 against it. Nothing was changed."
            )
        for step in steps[current:]:
            for statement in step.statements:
                db.execute(statement)
        db.execute("DELETE FROM schema_version")
        db.execute("INSERT INTO schema_version (version) VALUES (?)", (newest,))
    return newest


def _version(db: sqlite3.Connection) -> int:
    rows = db.execute("SELECT version FROM schema_version").fetchall()
    return int(rows[0][0]) if rows else 0


@contextlib.contextmanager
def transaction(db: sqlite3.Connection) -> Iterator[None]:
    db.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")
