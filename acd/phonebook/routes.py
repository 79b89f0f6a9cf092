"""The phonebook over HTTP: search, a live stream, a colleague's own status and photo.

``GET /api/phonebook?q=`` and the stream are for everyone who transfers or is
transferred to (agents, back office, floor manager, team leads); a colleague sets only
their own status (``acd.web.ExtensionTrail``), and every change is in the audit log.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi.responses import FileResponse, StreamingResponse
from pydantic import AwareDatetime, BaseModel

from acd.phonebook.machine import Availability
from acd.phonebook.service import Entry, Phonebook, UnknownExtension
from acd.web import ColleagueUser, ExtensionTrail
from http_access.streams import event_stream

KEEP_ALIVE_S = 15.0


def _phonebook(request: Request) -> Phonebook:
    service: Phonebook = request.app.state.phonebook
    return service


Book = Annotated[Phonebook, Depends(_phonebook)]


class Status(BaseModel, frozen=True):
    availability: Availability
    until: AwareDatetime | None = None  # only for absent: "afwezig tot"


def entry_view(entry: Entry) -> dict[str, Any]:
    c, s = entry.colleague, entry.status
    return {
        "extension": c.extension,
        "name": c.name,
        "department": c.department,
        "department_id": c.department_id,
        "role": c.role,
        "photo": c.photo is not None,
        "line": entry.line.value,
        "line_since": None if entry.line_since is None else entry.line_since.isoformat(),
        "availability": s.availability.value,
        "until": None if s.until is None else s.until.isoformat(),
        "reachable": entry.reachable,
    }


async def search(
    book: Book, _: ColleagueUser, q: Annotated[str, Query(max_length=80)] = ""
) -> dict[str, Any]:
    return {"entries": [entry_view(e) for e in book.entries(q)]}


async def stream(request: Request, book: Book, who: ColleagueUser) -> StreamingResponse:
    """Server-sent events: every entry now, then again after each change; 429 when this
    login has too many streams open (``http_access.streams``)."""
    return event_stream(request, who, _events(book), headers={"Cache-Control": "no-store"})


async def _events(book: Book) -> AsyncIterator[str]:
    changes = book.changes()
    try:
        yield "retry: 3000\n\n"
        while True:
            snapshot = {"entries": [entry_view(e) for e in book.entries()]}
            yield f"data: {json.dumps(snapshot, ensure_ascii=False)}\n\n"
            while True:
                try:
                    await asyncio.wait_for(anext(changes), KEEP_ALIVE_S)
                    break
                except TimeoutError:
                    yield ": keep-alive\n\n"
    finally:
        await changes.aclose()


async def set_status(
    extension: str, body: Status, book: Book, trail: ExtensionTrail
) -> dict[str, Any]:
    detail = {"extension": extension, "availability": body.availability.value, "until": body.until}
    try:
        book.set_status(extension, body.availability, body.until)
    except UnknownExtension as exc:
        raise HTTPException(404, str(exc)) from None
    except ValueError as exc:
        trail.answer("status", str(exc), detail=detail)  # 409 with the reason, on record
    trail.answer("status", None, detail=detail)
    return entry_view(book.entry(extension))


async def photo(extension: str, book: Book, _: ColleagueUser) -> FileResponse:
    try:
        colleague = book.colleague(extension)
    except UnknownExtension as exc:
        raise HTTPException(404, str(exc)) from None
    if colleague.photo is None:
        raise HTTPException(404, f"extension {extension} has no photo")
    return FileResponse(colleague.photo, headers={"Cache-Control": "private, max-age=300"})


def add_routes(app: FastAPI, service: Phonebook) -> None:
    """Put these routes on the app itself (``app.routes`` then lists each one), over
    ``service``."""
    app.state.phonebook = service
    app.add_api_route("/api/phonebook", search, methods=["GET"])
    app.add_api_route("/api/phonebook/stream", stream, methods=["GET"])
    app.add_api_route("/api/phonebook/{extension}/status", set_status, methods=["PUT"])
    app.add_api_route("/api/phonebook/{extension}/photo", photo, methods=["GET"])
