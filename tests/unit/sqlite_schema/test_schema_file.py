"""The numbered schema shared by the project's own SQLite files."""

from __future__ import annotations

import sqlite3
import stat
from pathlib import Path

import pytest

from sqlite_schema import SchemaError, SchemaFile, SchemaStep, transaction

STEPS = (
    SchemaStep(1, "notes", ("CREATE TABLE notes (id TEXT PRIMARY KEY)",)),
    SchemaStep(2, "a colour", ("ALTER TABLE notes ADD COLUMN colour TEXT",)),
)
FILE = SchemaFile("test notes", "test notes file", STEPS, ("PRAGMA secure_delete = ON",))


def _version(path: Path) -> int:
    with sqlite3.connect(path) as db:
        return int(db.execute("SELECT version FROM schema_version").fetchone()[0])


def test_steps_must_be_numbered_from_one_in_order() -> None:
    with pytest.raises(ValueError, match=r"numbered 1, 2, 3, \.\.\., got \[2\]"):
        SchemaFile("x", "x file", (SchemaStep(2, "late", ()),))


def test_a_new_file_is_private_and_at_the_newest_version(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "notes.db"
    FILE.open_writer(path).close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert _version(path) == 2


def test_an_older_file_gets_only_the_steps_after_its_version(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    SchemaFile("test notes", "test notes file", STEPS[:1]).open_writer(path).close()
    path.chmod(0o644)
    db = FILE.open_writer(path)
    db.execute("INSERT INTO notes (id, colour) VALUES ('a', 'red')")
    db.close()
    assert _version(path) == 2
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_newer_file_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    FILE.open_writer(path).close()
    with sqlite3.connect(path) as db:
        db.execute("UPDATE schema_version SET version = 9")
    before = path.read_bytes()
    with pytest.raises(SchemaError, match=r"test notes schema is version 9, newer .*up to 2"):
        FILE.open_writer(path)
    assert path.read_bytes() == before


def test_a_file_that_is_not_sqlite_is_named(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_bytes(b"not a database at all, just words " * 100)
    with pytest.raises(SchemaError, match=r"notes\.db: not a test notes file"):
        FILE.open_writer(path)
    with pytest.raises(SchemaError, match="not a test notes file"):
        FILE.open_reader(path)


@pytest.mark.parametrize(("steps", "word"), [(1, "older than this code"), (3, "newer than")])
def test_a_reader_takes_only_its_own_version(tmp_path: Path, steps: int, word: str) -> None:
    path = tmp_path / "notes.db"
    more = (*STEPS, SchemaStep(3, "a size", ("ALTER TABLE notes ADD COLUMN size INTEGER",)))
    SchemaFile("test notes", "test notes file", more[:steps]).open_writer(path).close()
    with pytest.raises(SchemaError, match=rf"version {steps}, {word}"):
        FILE.open_reader(path)
    assert _version(path) == steps  # a reader migrates nothing


def test_a_reader_cannot_write(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    FILE.open_writer(path).close()
    db = FILE.open_reader(path)
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        db.execute("INSERT INTO notes (id) VALUES ('a')")
    db.close()


def test_a_transaction_rolls_back_on_any_exception(tmp_path: Path) -> None:
    db = FILE.open_writer(tmp_path / "notes.db")
    with pytest.raises(KeyError), transaction(db):
        db.execute("INSERT INTO notes (id) VALUES ('a')")
        raise KeyError("boom")
    assert db.execute("SELECT count(*) FROM notes").fetchone() == (0,)
    db.close()
