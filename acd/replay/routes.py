"""Replay over HTTP: the list and player pages, the recordings as JSON, the audio by
byte range, the waveforms, the download; each look on the audit log.

Who may (``acd.replay.readers``, checked by ``acd.replay.access``): team leads and the
admin every recording, an agent their own; everyone else 403. An agent asking for
another's recording gets the same 404 as for an id that does not exist. Every answer
with data, and every refusal, is an audit entry with the login, the client's address
and the recording:

* ``recording/list``: a page of the list (the filters, ``notes``/``unreviewed`` when
  set, and the count);
* ``recording/view``: a recording's detail, or its waveform (``part: waveform``);
* ``recording/listen``: an audio request from the start (no ``Range``, or one from
  byte 0: what a player sends when it starts); ``recording/seek``: one from further
  on (the player seeking), so no byte of a recording leaves unrecorded;
* ``recording/download``: the file as an attachment (only with
  ``recording.download_enabled``; 403 otherwise).

A 416 (a range past the end) and a file that cannot be read (500) are on record as
refused. The pages themselves hold no recording data (their script fetches it from the
routes above), so opening one is audited only when it is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from acd.audit import Outcome
from acd.replay import views
from acd.replay.access import (
    DOWNLOAD,
    LIST,
    LISTEN,
    VIEW,
    Downloader,
    Hearer,
    Listener,
    Lister,
    Viewer,
    listener,
    recording_for,
)
from acd.replay.readers import NotAllowed
from acd.replay.service import Replay, Unreadable
from acd.replay.streaming import audio_answer, unreadable
from acd.replay.waveform import MAX_POINTS, MIN_POINTS
from http_access.page import NO_STORE, InlinePage
from recordings.catalog_rows import RecordingFilter

MAX_PAGE = 500
DOWNLOAD_OFF = (
    "downloading recordings is switched off for this site (recording.download_enabled); "
    "listen in the player instead"
)
REFUSAL_PAGES = {
    403: ("Geen toegang", "Opnames beluisteren teamleiders en de beheerder; een medewerker "
                          "beluistert alleen de eigen gesprekken."),
    404: ("Opname niet gevonden", "Deze opname bestaat niet (meer), of is niet van u."),
}  # fmt: skip


@dataclass(frozen=True)
class Pages:
    listing: InlinePage
    player: InlinePage


def _replay(request: Request) -> Replay:
    service: Replay = request.app.state.replay
    return service


Replays = Annotated[Replay, Depends(_replay)]


# ------------------------------------------------------------ pages


async def list_page(request: Request, replay: Replays) -> HTMLResponse:
    try:
        who = await listener(LIST)(request)
    except HTTPException as exc:
        return _refused_page(exc)
    return _page(request, replay, who, "listing", recording="")


async def player_page(recording_id: str, request: Request, replay: Replays) -> HTMLResponse:
    try:
        who = await listener(VIEW)(request)
        row = recording_for(replay, who, recording_id, VIEW)
    except HTTPException as exc:
        return _refused_page(exc)
    return _page(request, replay, who, "player", recording=row.id)


def _refused_page(exc: HTTPException) -> HTMLResponse:
    """A refusal a person reads: a short Dutch page (401 stays as it is, for the login)."""
    if exc.status_code not in REFUSAL_PAGES:
        raise exc
    title, text = REFUSAL_PAGES[exc.status_code]
    page = (
        f'<!doctype html><html lang="nl"><head><meta charset="utf-8"><title>{title}</title>'
        f"</head><body><h1>{title}</h1><p>{text}</p>"
        '<p><a href="/recordings">Naar de opnames</a></p></body></html>'
    )
    headers = {**NO_STORE, "Content-Security-Policy": "default-src 'none'; base-uri 'none'; "
               "form-action 'none'; frame-ancestors 'none'"}  # fmt: skip
    return HTMLResponse(page, status_code=exc.status_code, headers=headers)


def _page(request: Request, replay: Replays, who: Listener, which: str, *,
          recording: str) -> HTMLResponse:  # fmt: skip
    pages: Pages = request.app.state.replay_pages
    page = pages.listing if which == "listing" else pages.player
    names = replay.names
    return page.response({"site": names.site, "name": who.trail.who.name, "zone": names.zone,
                          "agent": who.scope.agent_id or "", "recording": recording})  # fmt: skip


# ------------------------------------------------------------ data


async def listing(
    replay: Replays,
    who: Lister,
    day: str | None = None,
    agent: str | None = None,
    topic: str | None = None,
    municipality: str | None = None,
    extension: str | None = None,
    min_s: Annotated[float | None, Query(ge=0)] = None,
    max_s: Annotated[float | None, Query(ge=0)] = None,
    notes: bool = False,
    unreviewed: bool = False,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> dict[str, Any]:
    """A page of recordings, newest first; an agent's only ever their own. ``notes``:
    only those with coaching notes; ``unreviewed``: only those without an evaluation
    and not marked "besproken"."""
    asked = {"day": day, "agent": agent, "topic": topic, "municipality": municipality,
             "extension": extension, "min_s": min_s, "max_s": max_s,
             "notes": "1" if notes else None,
             "unreviewed": "1" if unreviewed else None}  # fmt: skip
    try:
        agent_id = who.scope.agent_filter(agent, who.trail.who)
    except NotAllowed as exc:
        who.record(LIST, Outcome.FORBIDDEN, reason=str(exc), detail=asked)
        raise HTTPException(403, str(exc)) from None
    try:
        wanted = RecordingFilter(
            day=None if day is None else _day(day), agent_id=agent_id, topic=topic,
            municipality=municipality, extension=extension, min_duration_s=min_s,
            max_duration_s=max_s, limit=limit + 1, offset=offset,
        )  # fmt: skip
    except ValueError as exc:
        who.record(LIST, Outcome.REFUSED, reason=str(exc), detail=asked)
        raise HTTPException(400, str(exc)) from None
    rows = replay.recordings(wanted, with_notes=notes, unreviewed=unreviewed)
    who.record(LIST, Outcome.DONE, detail={**asked, "count": min(len(rows), limit)})
    return {
        "recordings": [views.listed_view(r, replay.names) for r in rows[:limit]],
        "limit": limit,
        "offset": offset,
        "more": len(rows) > limit,
        "scope": {"agent_id": who.scope.agent_id},
        "choices": views.choices(replay.names, who.scope.agent_id),
        "download_enabled": replay.download_enabled,
    }


async def detail(recording_id: str, replay: Replays, who: Viewer) -> dict[str, Any]:
    row = recording_for(replay, who, recording_id, VIEW)
    found = replay.detail(row)
    who.record(VIEW, Outcome.DONE, row=row)
    return views.detail_view(found, replay.names, download=replay.download_enabled)


async def waveform(
    recording_id: str,
    replay: Replays,
    who: Viewer,
    points: Annotated[int, Query(ge=MIN_POINTS, le=MAX_POINTS)] = 800,
) -> dict[str, Any]:
    row = recording_for(replay, who, recording_id, VIEW)
    part = {"part": "waveform"}
    try:
        found = await run_in_threadpool(replay.waveform, row, points)
    except Unreadable as exc:
        unreadable(who, VIEW, row, exc, part)
    who.record(VIEW, Outcome.DONE, row=row, detail=part)
    return views.waveform_view(row.id, found)


async def audio(recording_id: str, request: Request, replay: Replays, who: Hearer) -> Response:
    row = recording_for(replay, who, recording_id, LISTEN)
    return audio_answer(replay, who, row, request.headers.get("range"), attachment=False)


async def download(
    recording_id: str, request: Request, replay: Replays, who: Downloader
) -> Response:
    if not replay.download_enabled:
        who.record(DOWNLOAD, Outcome.FORBIDDEN, recording_id=recording_id, reason=DOWNLOAD_OFF)
        raise HTTPException(403, DOWNLOAD_OFF)
    row = recording_for(replay, who, recording_id, DOWNLOAD)
    return audio_answer(replay, who, row, request.headers.get("range"), attachment=True)


# ------------------------------------------------------------ helpers


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"day {text[:40]!r} is not a date like 2026-12-02") from None


def add_routes(app: FastAPI, service: Replay) -> None:
    """Put these routes on the app itself (``app.routes`` then lists each one), over
    ``service``."""
    app.state.replay = service
    app.state.replay_pages = Pages(
        InlinePage("acd.replay", "recordings.html", style="replay.css", script="recordings.js"),
        InlinePage("acd.replay", "player.html", style="replay.css", script="player.js", media=True),
    )
    app.add_api_route("/recordings", list_page, methods=["GET"], response_class=HTMLResponse)
    app.add_api_route(
        "/recordings/{recording_id}", player_page, methods=["GET"], response_class=HTMLResponse
    )
    app.add_api_route("/api/recordings", listing, methods=["GET"])
    app.add_api_route("/api/recordings/{recording_id}", detail, methods=["GET"])
    app.add_api_route("/api/recordings/{recording_id}/audio", audio, methods=["GET"])
    app.add_api_route("/api/recordings/{recording_id}/waveform", waveform, methods=["GET"])
    app.add_api_route("/api/recordings/{recording_id}/download", download, methods=["GET"])
