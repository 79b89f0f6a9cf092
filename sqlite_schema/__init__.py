"""Our own SQLite files: a schema of numbered steps, one writer that migrates, readers that don't.

Each file the project keeps beside its data (the recordings catalogue, the coaching
notes, the callback notes) is described by a :class:`SchemaFile`: what it is called in
messages, its numbered :class:`SchemaStep` s and the pragmas its writer sets. The file
records the number of its last step in ``schema_version``:

* :meth:`SchemaFile.open_writer` creates the file 0600 (and tightens an existing one),
  then applies the steps after the file's version in one transaction; a file from newer
  code is refused before anything in it is touched, because older code would misread
  columns it does not know;
* :meth:`SchemaFile.open_reader` opens it read-only and refuses any other version than
  this code's, so a reader of another release never moves the file on under its writer.

A step, once released, is never edited: a change is a new step at the end.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

__all__ = ["SchemaError", "SchemaFile", "SchemaStep", "transaction"]


class SchemaError(RuntimeError):
    """The file's schema cannot be used by this code (newer, another version for a reader,
    or not such a file at all)."""


@dataclass(frozen=True, slots=True)
class SchemaStep:
    number: int
    what: str
    statements: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SchemaFile:
    """One kind of file: ``name`` in "the {name} schema is version ...", ``noun`` in
    "not a {noun}"."""

    name: str
    noun: str
    steps: tuple[SchemaStep, ...]
    pragmas: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        numbers = [step.number for step in self.steps]
        if numbers != list(range(1, len(numbers) + 1)):
            raise ValueError(f"{self.name}: steps must be numbered 1, 2, 3, ..., got {numbers}")

    @property
    def version(self) -> int:
        return len(self.steps)

    def open_writer(self, path: Path, *, check_same_thread: bool = False) -> sqlite3.Connection:
        """``path``, created 0600 if new, its schema brought up to date."""
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o750)
        path.touch(mode=0o600, exist_ok=True)
        path.chmod(0o600)  # also a file an older start or a copy left more open
        db = sqlite3.connect(path, isolation_level=None, check_same_thread=check_same_thread)
        try:
            for pragma in self.pragmas:
                db.execute(pragma)
            self.migrate(db, str(path))
        except (sqlite3.Error, SchemaError) as exc:
            db.close()
            if isinstance(exc, SchemaError):
                raise
            raise SchemaError(f"{path}: not a {self.noun}: {exc}") from exc
        return db

    def open_reader(self, path: Path) -> sqlite3.Connection:
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
            raise SchemaError(f"{path}: not a {self.noun}: {exc}") from exc
        if current != self.version:
            db.close()
            later = (
                "newer than this code knows" if current > self.version else "older than this code"
            )
            raise SchemaError(
                f"{path}: the {self.name} schema is version {current}, {later} (version "
                f"{self.version}); the writer of the same release brings it up to date"
            )
        return db

    def migrate(self, db: sqlite3.Connection, where: str) -> int:
        """Apply the steps after the file's version; refuse a file newer than the steps."""
        newest = self.version
        with transaction(db):
            db.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            current = _version(db)
            if current > newest:
                raise SchemaError(
                    f"{where}: the {self.name} schema is version {current}, newer than this "
                    f"code knows (up to {newest}); run a newer kcc14023 against it. "
                    "Nothing was changed."
                )
            for step in self.steps[current:]:
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
    """``BEGIN IMMEDIATE`` ... ``COMMIT``, rolled back on any exception."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")
