"""Callback notes over HTTP: an agent writes one, the addressee lists and closes them.

``POST /api/agents/{agent_id}/callback-notes`` is an agent's own action
(``acd.web.AgentTrail``: their own agent only; the floor, team leads and the admin for
any). ``GET /api/callback-notes`` and ``POST /api/callback-notes/{note_id}/done`` show
and close notes with callers' numbers, so they are for the addressee and those who
steer the back office only (``readers``); everyone else gets 403, on record. Every
write, read and close is in the audit log, without the caller's name, number or
question.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, NoReturn

from fastapi import Depends, FastAPI, HTTPException, Request
from pydantic import BaseModel

from acd.audit import Outcome
from acd.callbacks.machine import AlreadyDone, CallbackNote, NoteState
from acd.callbacks.new_note import NewNote
from acd.callbacks.readers import NotAllowed, Scope, scope_of
from acd.callbacks.service import CallbackNotes, ListedNote, UnknownNote
from acd.web import OK, AgentTrail, AuditTrail, ColleagueTrail
from contract.vocabulary import CallbackOutcome

WRITE, READ, DONE = "callback-notes", "callback-notes/read", "callback-notes/done"


def _callback_notes(request: Request) -> CallbackNotes:
    service: CallbackNotes = request.app.state.callback_notes
    return service


Notes = Annotated[CallbackNotes, Depends(_callback_notes)]


class Note(BaseModel, frozen=True):
    """What the agent fills in; checked by the service, which names a wrong field."""

    department: str
    caller_name: str
    callback_number: str
    question: str
    extension: str | None = None  # one colleague of the department; none: all of it
    topic: str | None = None
    municipality: str | None = None  # the call's; none: the site's first
    call_id: str = ""


class Done(BaseModel, frozen=True):
    outcome: CallbackOutcome


async def write(agent_id: str, body: Note, notes: Notes, trail: AgentTrail) -> dict[str, Any]:
    try:
        note = notes.write(NewNote(agent_id=agent_id, **body.model_dump()))
    except ValueError as exc:
        # The reason names the field; what was typed stays out of the log (a caller's
        # number in the extension field is still a caller's number).
        trail.record(WRITE, Outcome.REFUSED, agent_id=agent_id, reason=str(exc))
        raise HTTPException(422, str(exc)) from None
    detail = {"note_id": note.id, "department": note.department, "extension": note.extension,
              "topic": note.topic, "due": note.due_at.isoformat()}  # fmt: skip
    trail.answer(WRITE, None, agent_id=agent_id, detail=detail)
    return {**OK, "id": note.id, "due": note.due_at.isoformat()}


async def listing(
    notes: Notes,
    trail: ColleagueTrail,
    state: NoteState = NoteState.OPEN,
    department: str | None = None,
) -> dict[str, Any]:
    detail = {"state": state.value, "department": department}
    scope = _scope(notes, trail, READ, detail)
    if department is not None and department not in notes.departments:
        reason = f"department: unknown; allowed: a department id: {', '.join(notes.departments)}"
        trail.record(READ, Outcome.REFUSED, reason=reason, detail=detail)
        raise HTTPException(422, reason)
    try:
        scope = scope.narrowed(department, trail.who)
    except NotAllowed as exc:
        _forbid(trail, READ, exc, detail)
    listed = notes.notes(state, scope)
    trail.record(READ, Outcome.DONE, detail={**detail, "count": len(listed)})
    return {"notes": [note_view(entry) for entry in listed]}


async def done(note_id: str, body: Done, notes: Notes, trail: ColleagueTrail) -> dict[str, Any]:
    detail = {"note_id": note_id, "outcome": body.outcome.value}
    scope = _scope(notes, trail, DONE, detail)
    try:
        note = notes.note(note_id)
    except UnknownNote as exc:
        trail.record(DONE, Outcome.REFUSED, reason=str(exc), detail=detail)
        raise HTTPException(404, str(exc)) from None
    if not scope.covers(note):
        _forbid(trail, DONE, NotAllowed(_not_theirs(trail, note)), detail)
    try:
        notes.mark_done(note_id, body.outcome, by=trail.who.name)
    except AlreadyDone as exc:
        return trail.answer(DONE, str(exc), detail=detail)  # 409, on record
    return trail.answer(DONE, None, detail=detail)


def _scope(
    notes: CallbackNotes, trail: AuditTrail, action: str, detail: Mapping[str, object]
) -> Scope:
    try:
        return scope_of(trail.who, notes.department_of)
    except NotAllowed as exc:
        _forbid(trail, action, exc, detail)


def _forbid(
    trail: AuditTrail, action: str, exc: NotAllowed, detail: Mapping[str, object]
) -> NoReturn:
    trail.record(action, Outcome.FORBIDDEN, reason=str(exc), detail=detail)
    raise HTTPException(403, str(exc))


def _not_theirs(trail: AuditTrail, note: CallbackNote) -> str:
    to = f"extension {note.extension}" if note.extension else "the whole department"
    return (
        f"{trail.who.name!r} may not close callback note {note.id}: it is for {to} "
        f"of {note.department}"
    )


def note_view(entry: ListedNote) -> dict[str, Any]:
    n = entry.note
    return {
        "id": n.id, "state": n.state.value, "overdue": entry.overdue,
        "created_at": n.created_at.isoformat(), "due": n.due_at.isoformat(),
        "call_id": n.call_id, "agent_id": n.agent_id, "municipality": n.municipality,
        "department": n.department, "extension": n.extension, "topic": n.topic,
        "caller_name": n.caller_name, "callback_number": n.callback_number,
        "question": n.question,
        "done_at": None if n.done_at is None else n.done_at.isoformat(),
        "done_by": n.done_by, "outcome": None if n.outcome is None else n.outcome.value,
    }  # fmt: skip


def add_routes(app: FastAPI, service: CallbackNotes) -> None:
    """Put these routes on the app itself (``app.routes`` then lists each one), over
    ``service``."""
    app.state.callback_notes = service
    app.add_api_route("/api/agents/{agent_id}/callback-notes", write, methods=["POST"])
    app.add_api_route("/api/callback-notes", listing, methods=["GET"])
    app.add_api_route("/api/callback-notes/{note_id}/done", done, methods=["POST"])
