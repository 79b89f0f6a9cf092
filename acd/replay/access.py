"""Who is asking the replay, what they may hear, and the audit trail of their request.

Each replay route takes a :class:`Listener` instead of a bare login: the dependency
authenticates (401 without a login), decides the scope (``acd.replay.readers``: 403
for every login but agents, team leads and the admin, and that refusal is on record
under the route's action) and carries the request's audit trail, with the client's
address. :func:`recording_for` fetches a recording within the scope: 404 for an unknown one
and for one that is not the listener's, the latter recorded as forbidden. A room that
adds routes on recordings (coaching) uses the same.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request

from acd.audit import Outcome
from acd.replay.readers import NotAllowed, Scope, scope_of
from acd.replay.service import NotTheirs, Replay, UnknownRecording
from acd.web import AuditTrail, trail_of
from http_access.auth import authenticate
from recordings.catalog_rows import RecordingRow

LIST, VIEW, LISTEN, SEEK, DOWNLOAD = (
    "recording/list", "recording/view", "recording/listen", "recording/seek",
    "recording/download",
)  # fmt: skip


@dataclass(frozen=True)
class Listener:
    """One request's login, what it may hear, and its audit trail."""

    trail: AuditTrail
    scope: Scope

    def record(
        self,
        action: str,
        outcome: Outcome,
        *,
        row: RecordingRow | None = None,
        recording_id: str | None = None,
        reason: str | None = None,
        detail: Mapping[str, object] | None = None,
    ) -> None:
        about = {"recording": row.id if row else recording_id, **(detail or {})}
        agent_id = row.agent_id if row else None
        self.trail.record(action, outcome, agent_id=agent_id, reason=reason, detail=about)


def listener(action: str) -> Callable[[Request], Awaitable[Listener]]:
    """A dependency: the login (401 without one) and its scope (403, on record)."""

    async def dependency(request: Request) -> Listener:
        who = await authenticate(request, allow_display=False)
        trail = trail_of(request, who)
        try:
            scope = scope_of(who)
        except NotAllowed as exc:
            recording_id = request.path_params.get("recording_id")
            trail.record(action, Outcome.FORBIDDEN, reason=str(exc),
                         detail={"recording": recording_id})  # fmt: skip
            raise HTTPException(403, str(exc)) from None
        return Listener(trail, scope)

    return dependency


Lister = Annotated[Listener, Depends(listener(LIST))]
Viewer = Annotated[Listener, Depends(listener(VIEW))]
Hearer = Annotated[Listener, Depends(listener(LISTEN))]
Downloader = Annotated[Listener, Depends(listener(DOWNLOAD))]


def recording_for(replay: Replay, who: Listener, recording_id: str, action: str) -> RecordingRow:
    """The recording, if ``who`` may hear it; 404 otherwise (on record)."""
    try:
        return replay.recording(recording_id, who.scope)
    except NotTheirs as exc:
        who.record(action, Outcome.FORBIDDEN, recording_id=recording_id, reason=exc.reason)
        raise HTTPException(404, str(exc)) from None
    except UnknownRecording as exc:
        who.record(action, Outcome.REFUSED, recording_id=recording_id, reason=str(exc))
        raise HTTPException(404, str(exc)) from None
