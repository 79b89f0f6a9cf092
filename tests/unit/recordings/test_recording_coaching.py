"""The coaching store: notes and replies kept as written, one "besproken" mark, one
evaluation per call, form and evaluator, corrected only by a new one; nothing updated,
not even by hand; reopened whole, a newer schema refused, a reader that cannot write."""

from __future__ import annotations

import contextlib
import sqlite3
import stat
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from recordings.coaching import (
    COACHING_FILE,
    CoachingConflict,
    CoachingReader,
    CoachingStore,
    SchemaError,
)
from recordings.coaching_rows import NOTE_MAX, Discussed, Evaluation, KeptEvaluation, Note
from recordings.coaching_schema import SCHEMA

T0 = datetime(2026, 6, 15, 9, 0, tzinfo=UTC)


def note(number: int, recording: str = "r1", **changes: Any) -> Note:
    values: dict[str, Any] = {
        "id": f"n{number}", "recording_id": recording, "at_s": 10.0 * number,
        "author": "teamlead", "author_role": "team_lead", "text": f"Notitie {number}",
        "written_at": T0 + timedelta(minutes=number), **changes,
    }  # fmt: skip
    return Note(**values)


def evaluation(number: int, recording: str = "r1", **changes: Any) -> Evaluation:
    values: dict[str, Any] = {
        "id": f"e{number}", "recording_id": recording, "form_id": "gesprek",
        "evaluator": "teamlead", "submitted_at": T0 + timedelta(hours=number),
        "answers": {"vraag": 80, "begroeting": "yes"}, "score": 70.0 + number, **changes,
    }  # fmt: skip
    return Evaluation(**values)


def raw(path: Path) -> contextlib.closing[sqlite3.Connection]:
    return contextlib.closing(sqlite3.connect(path, isolation_level=None))


@pytest.fixture
def store(tmp_path: Path) -> Iterator[CoachingStore]:
    with CoachingStore.open(tmp_path / "recordings") as opened:
        assert isinstance(opened, CoachingStore)
        yield opened


# ------------------------------------------------------------ notes


def test_notes_come_back_by_moment_with_their_replies(store: CoachingStore) -> None:
    late, early = note(1, at_s=90.5), note(2, at_s=3.0)
    reply = note(3, at_s=90.5, author="anouk", author_role="agent", reply_to="n1")
    for written in (late, early, reply, note(4, recording="r2")):
        assert store.add_note(written) == written
    assert store.notes("r1") == [early, late, reply]
    assert store.note("n3") == reply
    assert store.note("n9") is None
    assert store.notes("r3") == []
    assert (store.has_notes("r1"), store.has_notes("r3")) == (True, False)
    assert store.recordings_with_notes() == {"r1", "r2"}


def test_a_reply_answers_a_note_of_the_same_recording_one_level_deep(
    store: CoachingStore,
) -> None:
    store.add_note(note(1))
    store.add_note(note(2, recording="r2"))
    store.add_note(note(3, reply_to="n1"))
    with pytest.raises(ValueError, match=r"^reply_to: no note 'n2' on recording r1"):
        store.add_note(note(4, reply_to="n2"))
    with pytest.raises(ValueError, match=r"^reply_to: no note 'n8' on recording r1"):
        store.add_note(note(4, reply_to="n8"))
    with pytest.raises(ValueError, match=r"^reply_to: note n3 is a reply itself; .* n1\)$"):
        store.add_note(note(4, reply_to="n3"))
    assert [n.id for n in store.notes("r1")] == ["n1", "n3"]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"text": "x" * (NOTE_MAX + 1)}, r"^text: 2001 characters; allowed: 1 to 2000"),
        ({"text": "  \n"}, r"^text: empty; allowed: 1 to 2000 characters$"),
        ({"at_s": -0.5}, r"^at_s: -0.5; allowed: seconds into the recording"),
        ({"written_at": datetime(2026, 6, 15, 9)}, r"written_at=.* has no time zone"),
    ],
)
def test_a_note_checks_itself(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        note(1, **changes)
    assert len(note(1, text="x" * NOTE_MAX).text) == NOTE_MAX


def test_a_notes_text_stays_out_of_its_repr() -> None:
    assert "Notitie" not in repr(note(1))


# ------------------------------------------------------------ discussed


def test_a_recording_is_marked_discussed_once(store: CoachingStore) -> None:
    mark = Discussed(recording_id="r1", on=date(2026, 6, 16), by="teamlead", at=T0)
    assert store.mark_discussed(mark) == mark
    assert store.discussed("r1") == mark
    assert store.discussed_on("r1") == date(2026, 6, 16)
    assert (store.discussed("r2"), store.discussed_on("r2")) == (None, None)
    again = Discussed(recording_id="r1", on=date(2026, 6, 20), by="admin", at=T0)
    with pytest.raises(CoachingConflict, match=r"marked discussed already: on 2026-06-16 by "
                                               r"'teamlead'"):  # fmt: skip
        store.mark_discussed(again)
    assert store.discussed_on("r1") == date(2026, 6, 16)


def test_reviewed_is_evaluated_or_discussed(store: CoachingStore) -> None:
    store.add_note(note(1, recording="noted"))
    store.add_evaluation(evaluation(1, recording="graded"))
    store.mark_discussed(Discussed(recording_id="talked", on=date(2026, 6, 16), by="t", at=T0))
    assert store.reviewed() == {"graded", "talked"}


# ------------------------------------------------------------ evaluations


def test_an_evaluation_comes_back_as_written(store: CoachingStore) -> None:
    first = evaluation(1)
    assert store.add_evaluation(first) == first
    assert store.evaluation("e1") == first
    assert store.evaluations("r1") == [KeptEvaluation(first, None)]
    assert store.evaluation("e2") is None


def test_a_second_evaluation_without_corrects_is_refused(store: CoachingStore) -> None:
    store.add_evaluation(evaluation(1))
    with pytest.raises(CoachingConflict, match=r"'teamlead' evaluated recording r1 on form "
                                               r"gesprek already \(evaluation e1, 2026-06-15 "
                                               r"10:00 UTC\); .* corrects=e1$"):  # fmt: skip
        store.add_evaluation(evaluation(2))
    # Another evaluator, another form, another recording: each its own first.
    store.add_evaluation(evaluation(3, evaluator="admin"))
    store.add_evaluation(evaluation(4, form_id="kort"))
    store.add_evaluation(evaluation(5, recording="r2"))
    assert len(store.evaluations("r1")) == 3


def test_a_correction_chain_keeps_every_evaluation_and_one_current(store: CoachingStore) -> None:
    first, second = evaluation(1), evaluation(2, corrects="e1", score=60.0)
    third = evaluation(3, corrects="e2", score=90.0)
    for kept in (first, second, third):
        store.add_evaluation(kept)
    assert store.evaluations("r1") == [
        KeptEvaluation(first, "e2"), KeptEvaluation(second, "e3"), KeptEvaluation(third, None),
    ]  # fmt: skip
    assert [e.current for e in store.evaluations("r1")] == [False, False, True]
    # A fresh first one still names the current end of the chain.
    with pytest.raises(CoachingConflict, match=r"already \(evaluation e3, .*corrects=e3$"):
        store.add_evaluation(evaluation(4))
    with pytest.raises(CoachingConflict, match=r"^corrects: evaluation e1 was corrected already "
                                               r"by e2; correct the current one$"):  # fmt: skip
        store.add_evaluation(evaluation(4, corrects="e1"))
    assert store.evaluation("e1") == first


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"corrects": "e9"}, r"^corrects: no evaluation 'e9' of recording r1$"),
        ({"corrects": "e1", "recording_id": "r2"}, r"^corrects: no evaluation 'e1' of recording "
                                                   r"r2$"),
        ({"corrects": "e1", "evaluator": "admin"}, r"^corrects: evaluation e1 is 'teamlead''s on "
                                                   r"form gesprek; a correction is by the same"),
        ({"corrects": "e1", "form_id": "kort"}, r"same evaluator on the same form$"),
    ],
)  # fmt: skip
def test_a_correction_names_the_evaluators_own_on_the_same_recording_and_form(
    store: CoachingStore, changes: dict[str, Any], message: str
) -> None:
    store.add_evaluation(evaluation(1))
    with pytest.raises(CoachingConflict, match=message):
        store.add_evaluation(evaluation(2, **changes))
    assert [e.evaluation.id for e in store.evaluations("r1")] == ["e1"]


def test_an_evaluation_checks_its_score() -> None:
    with pytest.raises(ValueError, match=r"^score: 100.5; allowed: 0 to 100$"):
        evaluation(1, score=100.5)


def test_qa_scores_are_the_current_evaluations_submitted_in_the_window(
    store: CoachingStore,
) -> None:
    store.add_evaluation(evaluation(1))  # 10:00, corrected by e2
    store.add_evaluation(evaluation(2, corrects="e1", score=55.5))  # 11:00
    store.add_evaluation(evaluation(3, evaluator="admin", recording="r2"))  # 12:00
    store.add_evaluation(evaluation(30, recording="r3"))  # the next day 15:00
    found = store.qa_scores(T0, T0 + timedelta(days=1))
    assert found == [
        ("r1", "teamlead", "gesprek", 55.5, T0 + timedelta(hours=2)),
        ("r2", "admin", "gesprek", 73.0, T0 + timedelta(hours=3)),
    ]
    assert found[0].score == 55.5
    assert store.qa_scores(T0 + timedelta(hours=3), T0 + timedelta(hours=3)) == []
    assert [
        s.recording_id for s in store.qa_scores(T0 + timedelta(hours=3), T0 + timedelta(days=2))
    ] == ["r2", "r3"]


# ------------------------------------------------------------ kept as written


def test_the_store_has_no_way_to_change_or_remove_anything() -> None:
    words = ("update", "edit", "change", "delete", "remove", "set", "replace", "purge")
    methods = [name for name in dir(CoachingStore) if not name.startswith("__")]
    assert [m for m in methods if any(w in m for w in words)] == []


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE notes SET text = 'anders'",
        "UPDATE evaluations SET score = 100",
        "UPDATE evaluations SET corrects = NULL",
        "UPDATE discussed SET discussed_on = '2026-01-01'",
    ],
)
def test_not_even_sql_by_hand_updates_a_row(store: CoachingStore, statement: str) -> None:
    store.add_note(note(1))
    store.add_evaluation(evaluation(1))
    store.add_evaluation(evaluation(2, corrects="e1"))
    store.mark_discussed(Discussed(recording_id="r1", on=date(2026, 6, 16), by="t", at=T0))
    with raw(store_path(store)) as db, pytest.raises(sqlite3.IntegrityError, match="no UPDATE"):
        db.execute(statement)
    assert store.note("n1") == note(1)
    kept = [evaluation(1), evaluation(2, corrects="e1")]
    assert [e.evaluation for e in store.evaluations("r1")] == kept


def store_path(store: CoachingStore) -> Path:
    [(_, _, name)] = store._db.execute("PRAGMA database_list").fetchall()
    return Path(name)


# ------------------------------------------------------------ the file


def test_the_file_is_0600_and_in_wal_mode(store: CoachingStore) -> None:
    store.add_note(note(1))
    folder = store_path(store).parent
    for name in (COACHING_FILE, f"{COACHING_FILE}-wal", f"{COACHING_FILE}-shm"):
        assert stat.S_IMODE((folder / name).stat().st_mode) == 0o600
    with raw(folder / COACHING_FILE) as other:
        assert other.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_a_reopened_store_has_everything_and_its_schema_once(tmp_path: Path) -> None:
    with CoachingStore.open(tmp_path) as first:
        first.add_note(note(1))
        first.add_evaluation(evaluation(1))
        first.mark_discussed(Discussed(recording_id="r1", on=date(2026, 6, 16), by="t", at=T0))
    (tmp_path / COACHING_FILE).chmod(0o644)
    with CoachingStore.open(tmp_path) as again:
        assert again.notes("r1") == [note(1)]
        assert again.evaluations("r1") == [KeptEvaluation(evaluation(1))]
        assert again.discussed_on("r1") == date(2026, 6, 16)
    assert stat.S_IMODE((tmp_path / COACHING_FILE).stat().st_mode) == 0o600
    with raw(tmp_path / COACHING_FILE) as db:
        assert db.execute("SELECT version FROM schema_version").fetchall() == [(len(SCHEMA),)]


def test_a_newer_schema_is_refused_and_left_alone(tmp_path: Path) -> None:
    CoachingStore.open(tmp_path).close()
    with raw(tmp_path / COACHING_FILE) as db:
        db.execute("UPDATE schema_version SET version = 99")
    with pytest.raises(SchemaError, match=r"version 99, newer than this code knows \(up to 1\)"):
        CoachingStore.open(tmp_path)
    with raw(tmp_path / COACHING_FILE) as db:
        assert db.execute("SELECT version FROM schema_version").fetchall() == [(99,)]


def test_a_file_that_is_not_a_coaching_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / COACHING_FILE).write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(SchemaError, match="not a coaching file"):
        CoachingStore.open(tmp_path)
    with pytest.raises(SchemaError, match="not a coaching file"):
        CoachingReader.open_existing(tmp_path)


# ------------------------------------------------------------ the reader


def test_a_reader_sees_the_writers_rows_and_cannot_write(tmp_path: Path) -> None:
    assert CoachingReader.open_existing(tmp_path) is None
    assert not (tmp_path / COACHING_FILE).exists(), "looking created the file"
    with CoachingStore.open(tmp_path) as writer:
        reader = CoachingReader.open_existing(tmp_path)
        assert reader is not None
        with reader:
            writer.add_evaluation(evaluation(1))
            assert [s.recording_id for s in reader.qa_scores(T0, T0 + timedelta(days=1))] == ["r1"]
            with pytest.raises(sqlite3.OperationalError, match="readonly"):
                reader._db.execute("DELETE FROM evaluations")
    assert not hasattr(reader, "add_evaluation")


@pytest.mark.parametrize(("version", "word"), [(99, "newer than this code knows"),
                                               (0, "older than this code")])  # fmt: skip
def test_a_reader_takes_only_its_own_version_and_migrates_nothing(
    tmp_path: Path, version: int, word: str
) -> None:
    CoachingStore.open(tmp_path).close()
    with raw(tmp_path / COACHING_FILE) as db:
        db.execute("UPDATE schema_version SET version = ?", (version,))
    with pytest.raises(SchemaError, match=rf"schema is version {version}, {word} \(version 1\)"):
        CoachingReader.open_existing(tmp_path)
    with raw(tmp_path / COACHING_FILE) as db:
        assert db.execute("SELECT version FROM schema_version").fetchall() == [(version,)]
