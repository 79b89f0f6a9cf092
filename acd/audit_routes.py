"""The audit log over HTTP: ``GET /api/audit?day=2026-12-02``, for team leads and the admin.

The entries name people (web logins, agent numbers), so floor managers and agents do
not read them; ``acd.audit`` says what is kept and for how long.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Query, Request

from acd.audit import LOCAL
from acd.web import Auditing, AuditReader, install_audit


def _auditing(request: Request) -> Auditing:
    auditing: Auditing = request.app.state.auditing
    return auditing


Audit = Annotated[Auditing, Depends(_auditing)]


async def audit_day(
    audit: Audit, _: AuditReader, day: Annotated[str | None, Query()] = None
) -> dict[str, Any]:
    """One local day's entries, oldest first (today when ``day`` is left out)."""
    wanted = audit.clock.now().astimezone(LOCAL).date() if day is None else _day(day)
    found = audit.log.day(wanted)
    return {
        "day": found.day.isoformat(),
        "entries": [
            {
                "at": e.at.isoformat(timespec="milliseconds"),
                "user": e.user,
                "via": e.via.value,
                "action": e.action,
                "outcome": e.outcome.value,
                "agent_id": e.agent_id,
                "reason": e.reason,
                "detail": dict(e.detail),
                "address": e.address,
            }
            for e in found.entries
        ],
        "unreadable": list(found.unreadable),
    }


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise HTTPException(400, f"day {text[:40]!r} is not a date like 2026-12-02") from None


def add_routes(app: FastAPI, auditing: Auditing) -> None:
    """Put the audit log on ``app`` (every room's trail writes to it) and its route."""
    install_audit(app, auditing)
    app.add_api_route("/api/audit", audit_day, methods=["GET"])
