"""The notes' SQLite file: rows kept and read back whole, a newer schema refused, notes
past the retention deleted at open and every day after, the timer gone on close."""

from __future__ import annotations

import dataclasses
import sqlite3
import stat
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from acd.callbacks.machine import CallbackNote, NoteState
from acd.callbacks.store import SCHEMA, NoteStore, SchemaError
from acd.clock import FakeClock
from contract.vocabulary import CallbackOutcome

T0 = datetime(2026, 6, 15, 9, 0, tzinfo=UTC)


def note(number: int, **changes: object) -> CallbackNote:
    made = CallbackNote(
        id=f"n{number}",
        created_at=T0 + timedelta(minutes=number),
        call_id=f"17180000{number}.1",
        agent_id="1001",
        municipality="haarlem",
        department="burgerzaken",
        extension=None,
        topic="burgerzaken",
        caller_name=f"Caller {number}",
        callback_number="0235115115",
        question="Waar blijft mijn paspoort?",
        due_at=T0 + timedelta(days=1, hours=6),
    )
    return dataclasses.replace(made, **changes)  # type: ignore[arg-type]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(T0)


@pytest.fixture
def store(tmp_path: Path, clock: FakeClock) -> Iterator[NoteStore]:
    opened = NoteStore.open(tmp_path / "state" / "callbacks.db", clock=clock, retention_days=90)
    yield opened
    opened.close()


def test_a_note_comes_back_as_it_was_written(store: NoteStore, tmp_path: Path) -> None:
    written = note(1, extension="301", topic=None, call_id="")
    store.add(written)
    assert store.get("n1") == written
    assert store.get("n2") is None
    mode = (tmp_path / "state" / "callbacks.db").stat().st_mode
    assert stat.S_IMODE(mode) == 0o600  # callers' numbers: the controller's own file


def test_open_notes_come_most_urgent_first_and_done_ones_latest_first(store: NoteStore) -> None:
    store.add(note(1, due_at=T0 + timedelta(days=2)))
    store.add(note(2, due_at=T0 + timedelta(days=1)))
    store.add(note(3, department="belastingen", extension="311"))
    assert [n.id for n in store.notes(NoteState.OPEN)] == ["n2", "n3", "n1"]
    for number, minutes in (("n1", 5), ("n2", 9)):
        assert store.mark_done(number, at=T0 + timedelta(minutes=minutes), by="els",
                               outcome=CallbackOutcome.CALLED_BACK)  # fmt: skip
    assert [n.id for n in store.notes(NoteState.DONE)] == ["n2", "n1"]
    assert [n.id for n in store.notes(NoteState.OPEN)] == ["n3"]
    done = store.get("n1")
    assert done is not None
    assert (done.state, done.done_by, done.outcome) == (
        NoteState.DONE, "els", CallbackOutcome.CALLED_BACK,
    )  # fmt: skip


def test_a_note_is_closed_only_once(store: NoteStore) -> None:
    store.add(note(1))
    at = T0 + timedelta(hours=1)
    assert store.mark_done("n1", at=at, by="els", outcome=CallbackOutcome.NOT_REACHED)
    assert not store.mark_done("n1", at=at, by="mark", outcome=CallbackOutcome.CALLED_BACK)
    assert not store.mark_done("nope", at=at, by="mark", outcome=CallbackOutcome.CALLED_BACK)
    again = store.get("n1")
    assert again is not None and (again.done_by, again.outcome) == (
        "els", CallbackOutcome.NOT_REACHED,
    )  # fmt: skip


def test_a_department_and_a_colleague_narrow_the_list(store: NoteStore) -> None:
    store.add(note(1))  # all of burgerzaken
    store.add(note(2, extension="301"))
    store.add(note(3, extension="302"))
    store.add(note(4, department="belastingen"))
    open_ = NoteState.OPEN
    assert [n.id for n in store.notes(open_, department="burgerzaken")] == ["n1", "n2", "n3"]
    assert [n.id for n in store.notes(open_, department="burgerzaken", colleague="301")] == [
        "n1", "n2",
    ]  # fmt: skip
    assert [n.id for n in store.notes(open_, department="belastingen")] == ["n4"]


async def test_notes_past_the_retention_go_every_day_and_when_it_opens(
    tmp_path: Path, clock: FakeClock
) -> None:
    path = tmp_path / "callbacks.db"
    store = NoteStore.open(path, clock=clock, retention_days=7)
    store.add(note(1, created_at=T0 - timedelta(days=6, hours=23)))
    store.add(note(2, created_at=T0 - timedelta(days=3)))
    await clock.advance(23 * 3600)
    assert store.get("n1") is not None  # the daily purge has not run yet
    await clock.advance(3600)
    assert store.get("n1") is None and store.get("n2") is not None
    store.close()
    assert clock.pending == 0, "close cancels the daily purge"
    clock_later = FakeClock(T0 + timedelta(days=4, hours=1))
    reopened = NoteStore.open(path, clock=clock_later, retention_days=7)
    assert reopened.get("n2") is None  # purged as it opened
    reopened.close()
    with sqlite3.connect(path) as raw:
        assert raw.execute("SELECT count(*) FROM notes").fetchone() == (0,)
        assert b"Caller 2" not in path.read_bytes(), "secure_delete overwrites the row"


def test_a_file_of_a_newer_schema_is_refused_untouched(tmp_path: Path, clock: FakeClock) -> None:
    path = tmp_path / "callbacks.db"
    NoteStore.open(path, clock=clock, retention_days=90).close()
    with sqlite3.connect(path) as raw:
        raw.execute("UPDATE schema_version SET version = ?", (len(SCHEMA) + 1,))
    before = path.read_bytes()
    with pytest.raises(SchemaError, match="schema is version 2, newer than this code knows"):
        NoteStore.open(path, clock=clock, retention_days=90)
    assert path.read_bytes() == before


def test_a_file_that_is_no_database_is_refused(tmp_path: Path, clock: FakeClock) -> None:
    path = tmp_path / "callbacks.db"
    path.write_text("not sqlite at all, but long enough to have a header" * 4)
    with pytest.raises(SchemaError, match="not a callback notes file"):
        NoteStore.open(path, clock=clock, retention_days=90)


def test_reopening_keeps_the_notes_and_the_version(tmp_path: Path, clock: FakeClock) -> None:
    path = tmp_path / "callbacks.db"
    first = NoteStore.open(path, clock=clock, retention_days=90)
    first.add(note(1))
    first.close()
    path.chmod(0o644)  # a copy made with the wrong mode
    second = NoteStore.open(path, clock=clock, retention_days=90)
    assert second.get("n1") == note(1)
    second.close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    with sqlite3.connect(path) as raw:
        assert raw.execute("SELECT version FROM schema_version").fetchall() == [(1,)]
