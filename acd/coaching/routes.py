"""Coaching over HTTP: a recording's notes, "besproken" mark and evaluations, and the
player's coaching panel (its script and style).

``GET /api/recordings/{id}/coaching`` is what the panel shows; ``POST .../notes``,
``.../discussed`` and ``.../evaluations`` write. Any colleague's login gets as far as
the route, which decides with ``access`` and puts every write, every read and every
refusal on record (``recording/note``, ``recording/discussed``, ``recording/evaluation``,
``recording/coaching``), with the recording's agent and without a note's text:
403 for who may not, 404 for an unknown recording, 422 naming the field that is wrong,
409 for a second evaluation or mark.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from importlib import resources
from typing import Annotated, Any, NoReturn, TypeVar

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.responses import Response
from pydantic import BaseModel

from acd.audit import Outcome
from acd.coaching.access import NotAllowed
from acd.coaching.service import Coaching, UnknownRecording
from acd.coaching.views import coaching_view, evaluation_view, note_view
from acd.web import OK, AuditTrail, ColleagueTrail
from http_access.auth import Principal, require
from recordings.catalog_rows import RecordingRow
from recordings.coaching import CoachingConflict
from recordings.coaching_rows import KeptEvaluation
from site_config.access import Role

READ, NOTE = "recording/coaching", "recording/note"
DISCUSSED, EVALUATION = "recording/discussed", "recording/evaluation"
ASSETS = {
    "/coaching.js": "text/javascript; charset=utf-8",
    "/coaching.css": "text/css; charset=utf-8",
}
PANEL_ACCESS = require(Role.AGENT, Role.TEAM_LEAD)  # admin implied, no displays
PanelUser = Annotated[Principal, Depends(PANEL_ACCESS)]
T = TypeVar("T")


def _coaching(request: Request) -> Coaching:
    service: Coaching = request.app.state.coaching
    return service


Room = Annotated[Coaching, Depends(_coaching)]


class NoteBody(BaseModel, frozen=True):
    at_s: float  # seconds into the recording's audio
    text: str
    reply_to: str | None = None  # a note of the same recording: this is a reply to it


class DiscussedBody(BaseModel, frozen=True):
    on: date  # the day the call was gone through with the agent


class EvaluationBody(BaseModel, frozen=True):
    form_id: str
    answers: dict[str, Any]  # checked against the form by recordings.qa, naming the item
    corrects: str | None = None  # the evaluation this one corrects


async def coaching(recording_id: str, room: Room, trail: ColleagueTrail) -> dict[str, Any]:
    row = _open(room, trail, READ, recording_id)
    view = room.view(row)
    detail = {"recording_id": row.id, "notes": len(view.notes),
              "evaluations": len(view.evaluations)}  # fmt: skip
    trail.record(READ, Outcome.DONE, agent_id=row.agent_id, detail=detail)
    return coaching_view(view, room.forms, trail.who)


async def note(
    recording_id: str, body: NoteBody, room: Room, trail: ColleagueTrail
) -> dict[str, Any]:
    detail: dict[str, object] = {"recording_id": recording_id, "at_s": body.at_s,
                                 "reply_to": body.reply_to}  # fmt: skip
    row = _open(room, trail, NOTE, recording_id, detail)
    written = _attempt(trail, NOTE, row, detail, lambda: room.write_note(
        row, trail.who, at_s=body.at_s, text=body.text, reply_to=body.reply_to))  # fmt: skip
    trail.record(
        NOTE, Outcome.DONE, agent_id=row.agent_id, detail={**detail, "note_id": written.id}
    )
    return {**OK, "note": note_view(written)}


async def discussed(
    recording_id: str, body: DiscussedBody, room: Room, trail: ColleagueTrail
) -> dict[str, Any]:
    detail = {"recording_id": recording_id, "on": body.on.isoformat()}
    row = _open(room, trail, DISCUSSED, recording_id, detail)
    _attempt(trail, DISCUSSED, row, detail, lambda: room.mark_discussed(row, trail.who, body.on))
    trail.record(DISCUSSED, Outcome.DONE, agent_id=row.agent_id, detail=detail)
    return dict(OK)


async def evaluation(
    recording_id: str, body: EvaluationBody, room: Room, trail: ColleagueTrail
) -> dict[str, Any]:
    detail: dict[str, object] = {"recording_id": recording_id, "form_id": body.form_id,
                                 "corrects": body.corrects}  # fmt: skip
    row = _open(room, trail, EVALUATION, recording_id, detail)
    kept, _ = _attempt(trail, EVALUATION, row, detail, lambda: room.evaluate(
        row, trail.who, body.form_id, body.answers, body.corrects))  # fmt: skip
    done = {**detail, "evaluation_id": kept.id, "score": kept.score}
    trail.record(EVALUATION, Outcome.DONE, agent_id=row.agent_id, detail=done)
    return {**OK, "evaluation": evaluation_view(KeptEvaluation(kept), room.forms)}


def _open(
    room: Coaching, trail: AuditTrail, action: str, recording_id: str,
    detail: Mapping[str, object] | None = None,
) -> RecordingRow:  # fmt: skip
    detail = detail or {"recording_id": recording_id}
    try:
        return room.open(recording_id, trail.who)
    except NotAllowed as exc:
        _refuse(trail, action, None, detail, 403, exc)
    except UnknownRecording as exc:
        _refuse(trail, action, None, detail, 404, exc)


def _attempt(
    trail: AuditTrail, action: str, row: RecordingRow, detail: Mapping[str, object],
    write: Callable[[], T],
) -> T:  # fmt: skip
    """``write``, its refusal answered and on record: 403, 422 or 409."""
    try:
        return write()
    except NotAllowed as exc:
        _refuse(trail, action, row.agent_id, detail, 403, exc)
    except CoachingConflict as exc:
        _refuse(trail, action, row.agent_id, detail, 409, exc)
    except ValueError as exc:
        _refuse(trail, action, row.agent_id, detail, 422, exc)


def _refuse(
    trail: AuditTrail, action: str, agent_id: str | None, detail: Mapping[str, object],
    status: int, exc: Exception,
) -> NoReturn:  # fmt: skip
    outcome = Outcome.FORBIDDEN if status == 403 else Outcome.REFUSED
    trail.record(action, outcome, agent_id=agent_id, reason=str(exc), detail=detail)
    raise HTTPException(status, str(exc))


def _asset(path: str) -> Callable[[PanelUser], Any]:
    text = resources.files("acd.coaching").joinpath(path.removeprefix("/")).read_text("utf-8")
    headers = {"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"}

    async def serve(_: PanelUser) -> Response:
        return Response(text, media_type=ASSETS[path], headers=headers)

    return serve


def add_routes(app: FastAPI, service: Coaching) -> None:
    """Put these routes on the app itself (``app.routes`` then lists each one), over
    ``service``."""
    app.state.coaching = service
    base = "/api/recordings/{recording_id}"
    app.add_api_route(f"{base}/coaching", coaching, methods=["GET"])
    app.add_api_route(f"{base}/notes", note, methods=["POST"])
    app.add_api_route(f"{base}/discussed", discussed, methods=["POST"])
    app.add_api_route(f"{base}/evaluations", evaluation, methods=["POST"])
    for path in ASSETS:
        app.add_api_route(path, _asset(path), methods=["GET"], response_class=Response)
