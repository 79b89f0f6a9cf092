"""What every room's HTTP routes share: who may call them, how a refusal answers, and the
audit trail of what they change.

The control API is served by the controller (the state it changes lives there) behind
the stats service's authentication. Each room's ``routes.py`` holds small module-level
endpoint functions and an ``add_routes(app, service)`` that the composition root
(``acd.controller``) calls: the room's service goes on ``app.state`` and its endpoints
get it through a typed dependency, as in the stats service's rooms.

A route that changes state takes an :class:`AuditTrail` instead of a bare login and
answers through it, so the action goes into the audit log (``acd.audit``) with its
outcome and the client's address (:func:`client_address`). ``AgentTrail`` is for
routes on ``/api/agents/{agent_id}/...``: an agent's own login may act only on that
agent (403 otherwise, also on record); the floor manager, team leads and the admin on
any. ``ExtensionTrail`` is the same for a back-office
colleague's own extension (``/api/phonebook/{extension}/...``). ``ManagerTrail`` is for
the floor's settings. ``ColleagueTrail`` lets in any colleague's login and leaves the
decision to the route, which records a refusal as forbidden itself: for the callback
notes, where who may see which note depends on the note, and a refused look at
callers' numbers should be on record too.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Request

from acd.audit import AuditEntry, AuditLog, Outcome, Via
from acd.clock import Clock
from http_access.auth import Principal, require
from site_config.access import Role

AGENT_ACCESS = require(Role.AGENT, Role.FLOOR_MANAGER, Role.TEAM_LEAD)
MANAGER_ACCESS = require(Role.FLOOR_MANAGER, Role.TEAM_LEAD)
AUDIT_ACCESS = require(Role.TEAM_LEAD)  # and the admin, as always
COLLEAGUE_ACCESS = require(Role.AGENT, Role.BACK_OFFICE, Role.FLOOR_MANAGER, Role.TEAM_LEAD)
# Module level: with postponed annotations FastAPI resolves these names globally.
AgentUser = Annotated[Principal, Depends(AGENT_ACCESS)]
ManagerUser = Annotated[Principal, Depends(MANAGER_ACCESS)]
AuditReader = Annotated[Principal, Depends(AUDIT_ACCESS)]
ColleagueUser = Annotated[Principal, Depends(COLLEAGUE_ACCESS)]

OK: dict[str, Any] = {"ok": True}


def answer(refused: str | None) -> dict[str, Any]:
    """``{"ok": true}``, or 409 with the reason the change was refused."""
    if refused is not None:
        raise HTTPException(status_code=409, detail=refused)
    return dict(OK)


@dataclass(frozen=True)
class Auditing:
    """The audit log and the clock its entries are stamped by, on ``app.state``."""

    log: AuditLog
    clock: Clock


def install_audit(app: FastAPI, auditing: Auditing) -> None:
    """Give ``app``'s routes the audit log (called by the composition root)."""
    app.state.auditing = auditing


def _auditing(request: Request) -> Auditing:
    found = getattr(request.app.state, "auditing", None)
    if not isinstance(found, Auditing):
        raise RuntimeError("no audit log on this app: call install_audit(app, ...)")
    return found


def client_address(request: Request) -> str | None:
    """The address the request came from: the TCP peer. The controller does not trust
    ``X-Forwarded-For`` (uvicorn runs with ``proxy_headers`` off), so behind a reverse
    proxy this is the proxy's address."""
    return None if request.client is None else request.client.host


@dataclass(frozen=True)
class AuditTrail:
    """One request's login and the audit log: ``answer`` records the outcome and replies."""

    auditing: Auditing
    who: Principal
    address: str | None = None  # the client's, from client_address

    def record(
        self,
        action: str,
        outcome: Outcome,
        *,
        agent_id: str | None = None,
        reason: str | None = None,
        detail: Mapping[str, object] | None = None,
    ) -> None:
        entry = AuditEntry(
            at=self.auditing.clock.now(),
            user=self.who.name,
            via=Via.WEB,
            action=action,
            outcome=outcome,
            agent_id=agent_id,
            reason=reason,
            detail={k: str(v) for k, v in (detail or {}).items() if v is not None},
            address=self.address,
        )
        self.auditing.log.record(entry)

    def answer(
        self,
        action: str,
        refused: str | None,
        *,
        agent_id: str | None = None,
        detail: Mapping[str, object] | None = None,
    ) -> dict[str, Any]:
        """Record ``action`` as done or refused, then answer as :func:`answer` does."""
        outcome = Outcome.DONE if refused is None else Outcome.REFUSED
        self.record(action, outcome, agent_id=agent_id, reason=refused, detail=detail)
        return answer(refused)


def trail_of(request: Request, who: Principal) -> AuditTrail:
    """The audit trail of ``request`` by ``who``, with the client's address."""
    return AuditTrail(_auditing(request), who, client_address(request))


def _agent_trail(request: Request, agent_id: str, who: AgentUser) -> AuditTrail:
    trail = trail_of(request, who)
    refusal = who.may_act_on_agent(agent_id)
    if refusal is not None:
        action = request.url.path.rstrip("/").rsplit(f"/{agent_id}/", 1)[-1]
        trail.record(action, Outcome.FORBIDDEN, agent_id=agent_id, reason=refusal)
        raise HTTPException(status_code=403, detail=refusal)
    return trail


def _extension_trail(request: Request, extension: str, who: ColleagueUser) -> AuditTrail:
    trail = trail_of(request, who)
    refusal = who.may_act_on_extension(extension)
    if refusal is not None:
        action = request.url.path.rstrip("/").rsplit(f"/{extension}/", 1)[-1]
        detail = {"extension": extension}
        trail.record(action, Outcome.FORBIDDEN, reason=refusal, detail=detail)
        raise HTTPException(status_code=403, detail=refusal)
    return trail


def _manager_trail(request: Request, who: ManagerUser) -> AuditTrail:
    return trail_of(request, who)


def _colleague_trail(request: Request, who: ColleagueUser) -> AuditTrail:
    return trail_of(request, who)


AgentTrail = Annotated[AuditTrail, Depends(_agent_trail)]
ManagerTrail = Annotated[AuditTrail, Depends(_manager_trail)]
ExtensionTrail = Annotated[AuditTrail, Depends(_extension_trail)]
ColleagueTrail = Annotated[AuditTrail, Depends(_colleague_trail)]
