"""Coaching of recorded calls: notes at moments of a recording, "besproken met
medewerker", and evaluations on the site's QA forms, in ``coaching.db`` beside the
catalogue.

Theory of operation
-------------------
A team lead replays a call with the agent and writes notes at moments of its audio;
the agent answers a note with a reply (one level deep). When the call has been gone
through together, the team lead marks it discussed on a day: the retention of a
coached call counts from that day (``recording.retention.coached_days_after_discussed``).
An evaluation grades the call on a QA form (``recordings.qa.grade``) and is never
changed: a correction is a new evaluation that ``corrects`` the old one, which stays
as it was. Per recording, form and evaluator the evaluation no other corrects is the
*current* one; the report and the panel count that one.

The file lives with the recordings, not with the controller's own files, because the
purge reads it (a coached call is kept longer) and the stats service's report reads
the scores. The controller writes through :class:`CoachingStore`; the report reads
through :class:`CoachingReader` (read-only, no migration; ``coaching_schema``). Each
check and its write run in one ``BEGIN IMMEDIATE`` transaction, so two requests at
once cannot both be the first evaluation. The file is 0600, WAL, ``secure_delete``.

Nothing here decides who may write what: that is ``acd.coaching``'s.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

from recordings.coaching_rows import Discussed, Evaluation, KeptEvaluation, Note, QaScore
from recordings.coaching_schema import (
    COACHING_FILE,
    SchemaError,
    open_reader,
    open_writer,
    transaction,
)

__all__ = ["COACHING_FILE", "CoachingConflict", "CoachingReader", "CoachingStore", "SchemaError"]

_NOTE = "id, recording_id, at_s, author, author_role, text, written_at, reply_to"
_EVALUATION = "id, recording_id, form_id, evaluator, submitted_at, corrects, answers, score"
T = TypeVar("T")
_CURRENT = "NOT EXISTS (SELECT 1 FROM evaluations later WHERE later.corrects = e.id)"


class CoachingConflict(RuntimeError):
    """A write the coaching store refuses as things stand (a second evaluation, a mark
    made already, a correction of the wrong evaluation); nothing was changed."""


class CoachingReader:
    """The coaching of one recordings folder, to read; build it with :meth:`open_existing`."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db
        self._lock = threading.Lock()  # the connection is used by one thread at a time

    @classmethod
    def open_existing(cls, directory: Path) -> CoachingReader | None:
        """``directory/coaching.db`` read-only; None when there is none yet."""
        path = directory / COACHING_FILE
        return cls(open_reader(path)) if path.is_file() else None

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> CoachingReader:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # ------------------------------------------------------------ notes

    def note(self, note_id: str) -> Note | None:
        return _first(self._rows(f"SELECT {_NOTE} FROM notes WHERE id = ?", note_id), _note)

    def notes(self, recording_id: str) -> list[Note]:
        """A recording's notes and replies by moment, then as they were written."""
        query = f"SELECT {_NOTE} FROM notes WHERE recording_id = ? ORDER BY at_s, written_at, id"
        return [_note(row) for row in self._rows(query, recording_id)]

    def has_notes(self, recording_id: str) -> bool:
        return bool(self._rows("SELECT 1 FROM notes WHERE recording_id = ? LIMIT 1", recording_id))

    def recordings_with_notes(self) -> set[str]:
        return {row[0] for row in self._rows("SELECT DISTINCT recording_id FROM notes")}

    # ------------------------------------------------------------ discussed

    def discussed(self, recording_id: str) -> Discussed | None:
        query = (
            "SELECT recording_id, discussed_on, discussed_by, marked_at FROM discussed "
            "WHERE recording_id = ?"
        )
        return _first(self._rows(query, recording_id), _discussed)

    def discussed_on(self, recording_id: str) -> date | None:
        """The day the recording was gone through with the agent, if it was."""
        found = self.discussed(recording_id)
        return None if found is None else found.on

    def reviewed(self) -> set[str]:
        """Recordings with an evaluation or marked discussed."""
        query = "SELECT recording_id FROM evaluations UNION SELECT recording_id FROM discussed"
        return {row[0] for row in self._rows(query)}

    # ------------------------------------------------------------ evaluations

    def evaluation(self, evaluation_id: str) -> Evaluation | None:
        query = f"SELECT {_EVALUATION} FROM evaluations WHERE id = ?"
        return _first(self._rows(query, evaluation_id), _evaluation)

    def evaluations(self, recording_id: str) -> list[KeptEvaluation]:
        """Every evaluation of a recording as submitted, each with what corrected it."""
        query = (
            f"SELECT {_EVALUATION}, (SELECT later.id FROM evaluations later "
            "WHERE later.corrects = e.id) FROM evaluations e WHERE recording_id = ? "
            "ORDER BY submitted_at, id"
        )
        rows = self._rows(query, recording_id)
        return [KeptEvaluation(_evaluation(row[:8]), row[8]) for row in rows]

    def qa_scores(self, since: datetime, until: datetime) -> list[QaScore]:
        """The current evaluations submitted from ``since`` up to ``until`` (exclusive)."""
        query = (
            "SELECT recording_id, evaluator, form_id, score, submitted_at FROM evaluations e "
            f"WHERE submitted_at >= ? AND submitted_at < ? AND {_CURRENT} "
            "ORDER BY submitted_at, id"
        )
        rows = self._rows(query, _ts(since), _ts(until))
        return [
            QaScore(r, who, f, float(s), datetime.fromisoformat(at)) for r, who, f, s, at in rows
        ]

    def _rows(self, query: str, *values: object) -> list[Any]:
        with self._lock:
            return self._db.execute(query, values).fetchall()


class CoachingStore(CoachingReader):
    """The coaching of one recordings folder, to read and write; build it with
    :meth:`open`. Nothing is ever updated; see the module docstring."""

    @classmethod
    def open(cls, directory: Path) -> CoachingStore:
        """Open (or create) ``directory/coaching.db`` and bring its schema up to date."""
        return cls(open_writer(directory))

    def add_note(self, note: Note) -> Note:
        """Keep ``note``; ``ValueError`` when its ``reply_to`` is no top note of its recording."""
        with self._lock, transaction(self._db):
            if note.reply_to is not None:
                _check_parent(self._db, note)
            self._db.execute(
                f"INSERT INTO notes ({_NOTE}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (note.id, note.recording_id, note.at_s, note.author, note.author_role,
                 note.text, _ts(note.written_at), note.reply_to),
            )  # fmt: skip
        return note

    def mark_discussed(self, mark: Discussed) -> Discussed:
        """Keep the mark; ``CoachingConflict`` when the recording was marked before."""
        with self._lock, transaction(self._db):
            found = self._db.execute(
                "SELECT discussed_on, discussed_by FROM discussed WHERE recording_id = ?",
                (mark.recording_id,),
            ).fetchone()
            if found is not None:
                raise CoachingConflict(
                    f"recording {mark.recording_id} was marked discussed already: on "
                    f"{found[0]} by {found[1]!r}"
                )
            self._db.execute(
                "INSERT INTO discussed (recording_id, discussed_on, discussed_by, marked_at) "
                "VALUES (?, ?, ?, ?)",
                (mark.recording_id, mark.on.isoformat(), mark.by, _ts(mark.at)),
            )
        return mark

    def add_evaluation(self, evaluation: Evaluation) -> Evaluation:
        """Keep ``evaluation``: the first of its evaluator on its recording and form, or
        a correction of their current one; ``CoachingConflict`` otherwise."""
        e = evaluation
        with self._lock, transaction(self._db):
            if e.corrects is None:
                _check_first(self._db, e)
            else:
                _check_correction(self._db, e)
            self._db.execute(
                f"INSERT INTO evaluations ({_EVALUATION}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (e.id, e.recording_id, e.form_id, e.evaluator, _ts(e.submitted_at), e.corrects,
                 json.dumps(dict(e.answers), sort_keys=True), e.score),
            )  # fmt: skip
        return evaluation


def _check_parent(db: sqlite3.Connection, note: Note) -> None:
    found = db.execute(
        "SELECT recording_id, reply_to FROM notes WHERE id = ?", (note.reply_to,)
    ).fetchone()
    if found is None or found[0] != note.recording_id:
        raise ValueError(
            f"reply_to: no note {note.reply_to!r} on recording {note.recording_id}; "
            "allowed: the id of a note on the same recording"
        )
    if found[1] is not None:
        raise ValueError(
            f"reply_to: note {note.reply_to} is a reply itself; allowed: a note that is no "
            f"reply (answer the note it replies to, {found[1]})"
        )


def _check_first(db: sqlite3.Connection, e: Evaluation) -> None:
    found = db.execute(
        f"SELECT id, submitted_at FROM evaluations e WHERE recording_id = ? AND form_id = ? "
        f"AND evaluator = ? AND {_CURRENT}",
        (e.recording_id, e.form_id, e.evaluator),
    ).fetchone()
    if found is not None:
        raise CoachingConflict(
            f"{e.evaluator!r} evaluated recording {e.recording_id} on form {e.form_id} "
            f"already (evaluation {found[0]}, {found[1][:16].replace('T', ' ')} UTC); "
            f"one evaluation per call, form and evaluator: to change it, send a "
            f"correction with corrects={found[0]}"
        )


def _check_correction(db: sqlite3.Connection, e: Evaluation) -> None:
    old = _first(
        db.execute(f"SELECT {_EVALUATION} FROM evaluations WHERE id = ?", (e.corrects,)).fetchall(),
        _evaluation,
    )
    if old is None or old.recording_id != e.recording_id:
        raise CoachingConflict(
            f"corrects: no evaluation {e.corrects!r} of recording {e.recording_id}"
        )
    if old.form_id != e.form_id or old.evaluator != e.evaluator:
        raise CoachingConflict(
            f"corrects: evaluation {old.id} is {old.evaluator!r}'s on form {old.form_id}; "
            f"a correction is by the same evaluator on the same form"
        )
    later = db.execute("SELECT id FROM evaluations WHERE corrects = ?", (old.id,)).fetchone()
    if later is not None:
        raise CoachingConflict(
            f"corrects: evaluation {old.id} was corrected already by {later[0]}; "
            "correct the current one"
        )


def _first(rows: Sequence[Any], make: Callable[[Sequence[Any]], T]) -> T | None:
    return make(rows[0]) if rows else None


def _ts(moment: datetime) -> str:
    # One fixed width in UTC, so text order is time order in the queries.
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def _note(row: Sequence[Any]) -> Note:
    id_, recording_id, at_s, author, role, text, written_at, reply_to = row
    return Note(
        id=id_, recording_id=recording_id, at_s=float(at_s), author=author, author_role=role,
        text=text, written_at=datetime.fromisoformat(written_at), reply_to=reply_to,
    )  # fmt: skip


def _discussed(row: Sequence[Any]) -> Discussed:
    recording_id, on, by, at = row
    return Discussed(
        recording_id=recording_id, on=date.fromisoformat(on), by=by, at=datetime.fromisoformat(at)
    )


def _evaluation(row: Sequence[Any]) -> Evaluation:
    id_, recording_id, form_id, evaluator, submitted_at, corrects, answers, score = row
    return Evaluation(
        id=id_, recording_id=recording_id, form_id=form_id, evaluator=evaluator,
        submitted_at=datetime.fromisoformat(submitted_at), corrects=corrects,
        answers=json.loads(answers), score=float(score),
    )  # fmt: skip
