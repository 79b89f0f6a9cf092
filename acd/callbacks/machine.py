"""A callback note as a value, and its one step: open, then done with an outcome.

A note is written open, addressed to a department or one colleague (extension) in it,
and is closed once by its addressee with a ``CallbackOutcome``. The table has one row
on purpose: a done note is never reopened or closed again (the first outcome is what
the figures count), so closing it twice is refused with who closed it and when.

The caller's name, the callback number and the question are personal data: they are
left out of the value's ``repr`` so a log line that shows a note does not show them.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from contract.vocabulary import CallbackOutcome
from ivr_flows.hours import AMSTERDAM


class NoteState(enum.StrEnum):
    OPEN = "open"
    DONE = "done"


class Step(enum.StrEnum):
    DONE = "done"  # the addressee closes the note with an outcome


TRANSITIONS: Mapping[tuple[NoteState, Step], NoteState] = {
    (NoteState.OPEN, Step.DONE): NoteState.DONE,
}


class AlreadyDone(ValueError):
    """The note was closed before; the message says by whom, when and how."""


@dataclass(frozen=True, slots=True, kw_only=True)
class CallbackNote:
    id: str  # uuid4 hex
    created_at: datetime  # UTC
    call_id: str  # the call it was written from; "" for none
    agent_id: str  # the agent who wrote it
    municipality: str
    department: str
    extension: str | None  # one colleague of the department; None: the whole department
    topic: str | None
    caller_name: str = field(repr=False)
    callback_number: str = field(repr=False)  # digits only, 0 and 9 more
    question: str = field(repr=False)
    due_at: datetime  # UTC
    done_at: datetime | None = None
    done_by: str | None = None  # the login that closed it
    outcome: CallbackOutcome | None = None

    @property
    def state(self) -> NoteState:
        return NoteState.OPEN if self.done_at is None else NoteState.DONE

    def overdue(self, now: datetime) -> bool:
        """Still open after its due moment: the list makes it stand out."""
        return self.state is NoteState.OPEN and now > self.due_at


def mark_done(
    note: CallbackNote, *, outcome: CallbackOutcome, by: str, at: datetime
) -> CallbackNote:
    """``note`` closed by login ``by`` at ``at``; ``AlreadyDone`` when it was closed before."""
    if (note.state, Step.DONE) not in TRANSITIONS:
        when = note.done_at.astimezone(AMSTERDAM) if note.done_at else None
        outcome_was = note.outcome.value if note.outcome else "?"
        raise AlreadyDone(
            f"callback note {note.id} is done already: closed by {note.done_by!r} "
            f"on {when:%Y-%m-%d %H:%M} as {outcome_was}"
        )
    return dataclasses.replace(note, done_at=at, done_by=by, outcome=outcome)
