"""Coaching of a recorded call: the team lead replays it with the agent, writes notes at
its moments, marks it discussed and grades it on the site's QA forms.

Theory of operation
-------------------
Whose call a recording is comes from the catalogue (``Recordings.get``: its
``agent_id``); a recording it does not know, or one being deleted, is
:class:`UnknownRecording` (404). ``open`` checks who may see it (``access``); each
write checks who may write it, then what was sent: a note's moment lies within the
recording, a "besproken" day is not in the future nor before the call, an
evaluation's answers fit its form (``recordings.qa.grade``, which scores it). The
coaching store (``recordings.coaching``) keeps it as written, and refuses a second
evaluation or mark with :class:`recordings.coaching.CoachingConflict` (409). A
``ValueError`` names the field that is wrong (422).

The calls are synchronous, like the callback notes: a row of a few hundred bytes in a
local SQLite file.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Protocol
from zoneinfo import ZoneInfo

from acd.clock import Clock
from acd.coaching.access import check_coaches, check_role, check_sees, check_writes_note
from http_access.auth import Principal
from recordings.catalog_rows import RecordingRow
from recordings.coaching import CoachingStore
from recordings.coaching_rows import Discussed, Evaluation, KeptEvaluation, Note
from recordings.qa import Graded, grade
from site_config import SiteConfig
from site_config.recording import QaForm

MOMENT_SLACK_S = 1.0  # the player's clock may run a little past the catalogued duration


class Recordings(Protocol):
    """The catalogue, as far as coaching reads it (``recordings.catalog.Catalog``)."""

    def get(self, recording_id: str) -> RecordingRow | None: ...


class UnknownRecording(LookupError):
    """No recording has this id (never kept, or deleted)."""


@dataclass(frozen=True, slots=True)
class CoachingView:
    """A recording's coaching as it stands."""

    recording: RecordingRow
    notes: list[Note]
    discussed: Discussed | None
    evaluations: list[KeptEvaluation]


class Coaching:
    """The controller's coaching of recorded calls; see the module docstring."""

    def __init__(
        self, site: SiteConfig, store: CoachingStore, recordings: Recordings, clock: Clock
    ) -> None:
        self._store, self._recordings, self.clock = store, recordings, clock
        self.forms: tuple[QaForm, ...] = site.recording.qa_forms
        self._zone = ZoneInfo(site.timezone)

    def open(self, recording_id: str, who: Principal) -> RecordingRow:
        """The recording, if ``who`` may see its coaching (``access.NotAllowed``)."""
        check_role(who)
        row = self._recordings.get(recording_id)
        if row is None or row.deleting:
            raise UnknownRecording(f"no recording {recording_id!r} (never kept, or deleted)")
        check_sees(who, row)
        return row

    def view(self, recording: RecordingRow) -> CoachingView:
        rid = recording.id
        store = self._store
        return CoachingView(
            recording, store.notes(rid), store.discussed(rid), store.evaluations(rid)
        )

    def write_note(
        self, recording: RecordingRow, who: Principal, *, at_s: float, text: str,
        reply_to: str | None = None,
    ) -> Note:  # fmt: skip
        """A note (a coach) or a reply (a coach, or the agent to a coach's note)."""
        parent = None if reply_to is None else self._store.note(reply_to)
        if reply_to is not None and (parent is None or parent.recording_id != recording.id):
            raise ValueError(
                f"reply_to: no note {reply_to!r} on recording {recording.id}; allowed: the id "
                "of a note on the same recording"
            )
        check_writes_note(who, recording, parent)
        top = recording.duration_s + MOMENT_SLACK_S
        if not 0 <= at_s <= top:
            raise ValueError(
                f"at_s: {at_s}; allowed: a moment of the recording, 0 to "
                f"{recording.duration_s:.1f} seconds"
            )
        assert who.role is not None  # check_writes_note let in users with a role only
        note = Note(
            id=uuid.uuid4().hex, recording_id=recording.id, at_s=min(at_s, recording.duration_s),
            author=who.name, author_role=who.role.value, text=text.strip(),
            written_at=self.clock.now(), reply_to=reply_to,
        )  # fmt: skip
        return self._store.add_note(note)

    def mark_discussed(self, recording: RecordingRow, who: Principal, on: date) -> Discussed:
        """ "Besproken met medewerker" on ``on`` (a coach); once a recording."""
        check_coaches(who, recording, "mark a call discussed with the agent")
        now = self.clock.now()
        today = now.astimezone(self._zone).date()
        recorded = recording.started_at.astimezone(self._zone).date()
        if not recorded <= on <= today:
            raise ValueError(
                f"on: {on.isoformat()}; allowed: the day of the talk, from the day of the call "
                f"({recorded.isoformat()}) to today ({today.isoformat()})"
            )
        return self._store.mark_discussed(
            Discussed(recording_id=recording.id, on=on, by=who.name, at=now)
        )

    def evaluate(
        self, recording: RecordingRow, who: Principal, form_id: str,
        answers: Mapping[str, object], corrects: str | None = None,
    ) -> tuple[Evaluation, Graded]:  # fmt: skip
        """Grade the call on ``form_id`` (a coach): the first time, or as a correction of
        the evaluator's current evaluation on that form."""
        check_coaches(who, recording, "evaluate calls")
        form = self.form(form_id)
        if form is None:
            known = ", ".join(f.id for f in self.forms) or "none: the site has no QA forms"
            raise ValueError(f"form_id: {form_id!r} is no QA form of the site; allowed: {known}")
        graded = grade(form, answers)
        evaluation = Evaluation(
            id=uuid.uuid4().hex, recording_id=recording.id, form_id=form.id,
            evaluator=who.name, submitted_at=self.clock.now(), answers=graded.answers,
            score=graded.score, corrects=corrects,
        )  # fmt: skip
        return self._store.add_evaluation(evaluation), graded

    def form(self, form_id: str) -> QaForm | None:
        return next((f for f in self.forms if f.id == form_id), None)
