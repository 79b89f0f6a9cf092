"""The audio answer: a recording's WAV, whole or one byte range, streamed from the
sealed file, and each request on the audit log.

``Replay.open_audio`` has already pulled the range's first chunk, so everything that
can be wrong with the file (missing, cut, changed, under a key not in the ring) is
known before the status line: it answers 500 and is on record as refused. What follows
streams chunk by chunk on the event loop (one 64 KiB AES-GCM open each: microseconds).
A chunk that fails later ends the stream early; no unauthenticated byte is sent.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Mapping
from typing import NoReturn

from fastapi import HTTPException
from fastapi.responses import Response, StreamingResponse

from acd.audit import Outcome
from acd.replay.access import DOWNLOAD, LISTEN, SEEK, Listener
from acd.replay.ranges import Unsatisfiable
from acd.replay.service import Audio, Replay, Unreadable
from recordings.catalog_rows import RecordingRow

log = logging.getLogger(__name__)

UNREADABLE = "recording {id} cannot be played: its file is missing or failed its check"


def audio_answer(
    replay: Replay, who: Listener, row: RecordingRow, range_header: str | None, *,
    attachment: bool,
) -> Response:  # fmt: skip
    asked = {"range": range_header}
    try:
        opened = replay.open_audio(row, range_header)
    except Unsatisfiable as exc:
        who.record(LISTEN, Outcome.REFUSED, row=row, reason=str(exc), detail=asked)
        return Response(status_code=416, headers={"Content-Range": f"bytes */{exc.size}",
                                                  "Cache-Control": "no-store"})  # fmt: skip
    except Unreadable as exc:
        unreadable(who, DOWNLOAD if attachment else LISTEN, row, exc, asked)
    action = DOWNLOAD if attachment else LISTEN if opened.start == 0 else SEEK
    who.record(action, Outcome.DONE, row=row, detail=asked)
    headers = {
        "Accept-Ranges": "bytes",
        "Cache-Control": "no-store",
        "Content-Length": str(opened.length),
        "X-Content-Type-Options": "nosniff",
    }
    if opened.part is not None:
        headers["Content-Range"] = opened.part.content_range
    if attachment:
        headers["Content-Disposition"] = f'attachment; filename="opname-{_safe(row.id)}.wav"'
    return StreamingResponse(
        _body(opened),
        status_code=200 if opened.part is None else 206,
        media_type="audio/wav",
        headers=headers,
    )


async def _body(opened: Audio) -> AsyncIterator[bytes]:
    try:
        if opened.first:
            yield opened.first
        for chunk in opened.rest:
            yield chunk
    finally:
        opened.rest.close()


def unreadable(
    who: Listener, action: str, row: RecordingRow, exc: Unreadable, detail: Mapping[str, object]
) -> NoReturn:
    log.error("replay: %s", exc)
    who.record(action, Outcome.REFUSED, row=row, reason=str(exc), detail=detail)
    raise HTTPException(500, UNREADABLE.format(id=row.id))


def _safe(recording_id: str) -> str:
    return "".join(c if c.isalnum() or c in "-." else "_" for c in recording_id)
