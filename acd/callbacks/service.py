"""Callback notes: an agent writes one from the call, its addressee closes it.

Theory of operation
-------------------
``write`` checks what the agent filled in (``new_note.NoteRules``), gives the note its
due moment (``due.due_at``: the close of the site's ``norms.callback_within_working_days``
-th working day of the call's municipality), keeps it in the ``NoteStore`` and
publishes ``callback.noted``: the note's id, department, colleague, topic and due
moment, never the caller's name, number or question. ``notes`` lists a reader's
``Scope`` (``readers``), each with whether it is overdue now. ``mark_done`` closes a
note once (``machine.mark_done``) and publishes ``callback.done``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from acd.backoffice.directory import Departments
from acd.callbacks.due import due_at
from acd.callbacks.machine import AlreadyDone, CallbackNote, NoteState, mark_done
from acd.callbacks.new_note import NewNote, NoteRules
from acd.callbacks.readers import Scope
from acd.callbacks.store import NoteStore
from acd.clock import Clock
from contract import EventSink
from contract.events import CallbackDone, CallbackNoted
from contract.vocabulary import CallbackOutcome
from ivr_flows.site_check import site_opening_hours
from site_config import SiteConfig


class UnknownNote(LookupError):
    """No callback note has this id (never written, or deleted after the retention)."""


@dataclass(frozen=True, slots=True)
class ListedNote:
    note: CallbackNote
    overdue: bool  # open after its due moment


class CallbackNotes:
    """The controller's callback notes; see the module docstring."""

    def __init__(self, site: SiteConfig, store: NoteStore, sink: EventSink, clock: Clock) -> None:
        self._store, self._sink, self.clock = store, sink, clock
        self._rules = NoteRules(site)
        self._hours = site_opening_hours(site)
        self._within = site.norms.callback_within_working_days
        self._departments = Departments(site)
        self.departments = tuple(d.id for d in site.departments)

    def department_of(self, extension: str) -> str | None:
        return self._departments.department_of(extension)

    def write(self, new: NewNote) -> CallbackNote:
        """Check, keep and announce ``new``; ``ValueError`` names the field that is wrong."""
        checked = self._rules.checked(new)
        assert checked.municipality is not None  # the rules fill it in
        now = self.clock.now()
        note = CallbackNote(
            id=uuid.uuid4().hex,
            created_at=now,
            call_id=checked.call_id,
            agent_id=checked.agent_id,
            municipality=checked.municipality,
            department=checked.department,
            extension=checked.extension,
            topic=checked.topic,
            caller_name=checked.caller_name,
            callback_number=checked.callback_number,
            question=checked.question,
            due_at=due_at(now, self._hours[checked.municipality], working_days=self._within),
        )
        self._store.add(note)
        self._sink.publish(
            CallbackNoted(at=now, call_id=note.call_id, agent_id=note.agent_id,
                          note_id=note.id, department=note.department,
                          extension=note.extension, topic=note.topic,
                          due=note.due_at.isoformat())
        )  # fmt: skip
        return note

    def note(self, note_id: str) -> CallbackNote:
        found = self._store.get(note_id)
        if found is None:
            raise UnknownNote(f"no callback note {note_id!r} (never written, or past retention)")
        return found

    def notes(self, state: NoteState, scope: Scope) -> list[ListedNote]:
        """The notes in ``scope`` in ``state``: open ones the most urgent first."""
        now = self.clock.now()
        found = self._store.notes(state, department=scope.department, colleague=scope.colleague)
        return [ListedNote(note, note.overdue(now)) for note in found]

    def mark_done(self, note_id: str, outcome: CallbackOutcome, *, by: str) -> CallbackNote:
        """Close the note as login ``by``; ``UnknownNote``, or ``AlreadyDone`` the second
        time."""
        now = self.clock.now()
        done = mark_done(self.note(note_id), outcome=outcome, by=by, at=now)
        if not self._store.mark_done(note_id, at=now, by=by, outcome=outcome):
            raise AlreadyDone(f"callback note {note_id} is done already")  # closed meanwhile
        self._sink.publish(
            CallbackDone(at=now, call_id=done.call_id, agent_id=done.agent_id,
                         note_id=done.id, department=done.department, outcome=outcome, by=by)
        )  # fmt: skip
        return done
