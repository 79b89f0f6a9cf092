"""The controller's audit log: who changed what, by web or by phone, and whether it was done.

Theory of operation
-------------------
Every state-changing request to the control API (log in or out, pause, available,
after-call work, transfer, topics, positions, the IVR switches), every feature code
dialled on a softphone and every recording the retention purge deletes becomes one
:class:`AuditEntry`: the moment, the person (the web
login, or the agent at the phone), the way in (:class:`Via`), the action, the agent it
was about, the outcome (:class:`Outcome`: done, refused with the controller's reason,
or forbidden because the login may not act on that agent), the request's details and,
for a web request, the client's address (the peer of the TCP connection: the browser,
or the reverse proxy in front of the controller).

:class:`AuditLog` appends each entry as one JSON line to the file of its local day
(``audit-2026-12-02.jsonl``) and flushes it to disk before the request is answered, so
an answered action is on record. The log does not depend on Redis or the stats
service: an audit that lives with the controller still works while they are down. It
names people (logins, agent numbers), so it is read only by team leads and the admin
(``acd.audit_routes``), and files older than ``access.audit_retention_days`` are deleted
when the log opens and when a new day starts. Caller numbers are never written here.

A write that fails (disk full, folder gone) is logged as an error and counted in
``failures``; the action itself has already been carried out, and a contact centre does
not stop answering callers because its audit disk is full.
"""

from __future__ import annotations

import enum
import json
import logging
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

log = logging.getLogger(__name__)

LOCAL = ZoneInfo("Europe/Amsterdam")
_FILE = re.compile(r"audit-(\d{4}-\d{2}-\d{2})\.jsonl")


class Via(enum.StrEnum):
    """How the person reached the controller."""

    WEB = "web"  # the control API, with their own login
    PHONE = "phone"  # a feature code on the softphone of a position
    SYSTEM = "system"  # no person: a scheduled job or an operator's command (the purge)


class Outcome(enum.StrEnum):
    DONE = "done"
    REFUSED = "refused"  # the controller refused it (409: "agent 1001 is talking: ...")
    FORBIDDEN = "forbidden"  # the login may not do this (403), or a wrong phone PIN


@dataclass(frozen=True, kw_only=True)
class AuditEntry:
    """One action as the audit log keeps it."""

    at: datetime
    user: str  # the web login, or "agent 1004" on the phone
    via: Via
    action: str  # "login", "pause", "transfer", "topics", "calamity-on", ...
    outcome: Outcome
    agent_id: str | None = None  # the agent the action was about, if any
    reason: str | None = None  # why it was refused or forbidden
    detail: Mapping[str, str] = field(default_factory=dict)  # position, reason, extension
    address: str | None = None  # the web client's address; None by phone

    def to_json(self) -> str:
        data = {
            "at": self.at.isoformat(timespec="milliseconds"),
            "user": self.user,
            "via": self.via.value,
            "action": self.action,
            "outcome": self.outcome.value,
            "agent_id": self.agent_id,
            "reason": self.reason,
            "detail": dict(self.detail),
            "address": self.address,
        }
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, line: str) -> AuditEntry:
        """One line of an audit file; ``ValueError`` says what is wrong with it."""
        try:
            data = json.loads(line)
            return cls(
                at=datetime.fromisoformat(data["at"]),
                user=str(data["user"]),
                via=Via(data["via"]),
                action=str(data["action"]),
                outcome=Outcome(data["outcome"]),
                agent_id=data.get("agent_id"),
                reason=data.get("reason"),
                detail={str(k): str(v) for k, v in (data.get("detail") or {}).items()},
                address=_text_or_none(data.get("address")),
            )
        except (KeyError, TypeError, AttributeError, json.JSONDecodeError) as exc:
            raise ValueError(f"not an audit entry: {exc!r}") from None


def _text_or_none(value: object) -> str | None:
    return None if value is None else str(value)


@dataclass(frozen=True)
class AuditDay:
    """The entries of one local day, and the lines that could not be read (by number)."""

    day: date
    entries: tuple[AuditEntry, ...]
    unreadable: tuple[str, ...] = ()


class AuditLog:
    """Append-only daily JSON-lines files in ``folder``; see the module docstring."""

    def __init__(self, folder: Path, *, retention_days: int, today: date) -> None:
        if retention_days < 1:
            raise ValueError("retention_days must be at least 1")
        self._folder, self._retention = folder, timedelta(days=retention_days)
        self._folder.mkdir(parents=True, exist_ok=True, mode=0o750)
        self._day = today
        self.failures = 0
        self.purge(today)

    @property
    def folder(self) -> Path:
        return self._folder

    def record(self, entry: AuditEntry) -> None:
        """Append ``entry`` to its day's file, on disk before this returns."""
        day = entry.at.astimezone(LOCAL).date()
        if day != self._day:
            self._day = day
            self.purge(day)
        try:
            descriptor = os.open(self._path(day), os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
            try:
                os.write(descriptor, (entry.to_json() + "\n").encode())
                os.fsync(descriptor)
            finally:
                os.close(descriptor)
        except OSError as exc:
            self.failures += 1
            log.error("audit entry not written to %s: %s: %s", self._folder, exc, entry)

    def day(self, day: date) -> AuditDay:
        """Every entry of local ``day``, oldest first."""
        path = self._path(day)
        if not path.exists():
            return AuditDay(day, ())
        entries, unreadable = [], []
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            try:
                entries.append(AuditEntry.from_json(line))
            except ValueError as exc:
                unreadable.append(f"{path.name} line {number}: {exc}")
        return AuditDay(day, tuple(entries), tuple(unreadable))

    def purge(self, today: date) -> list[Path]:
        """Delete the files of days older than the retention; returns what went."""
        gone = []
        for path in sorted(self._folder.iterdir()):
            found = _FILE.fullmatch(path.name)
            if found and date.fromisoformat(found[1]) < today - self._retention:
                path.unlink(missing_ok=True)
                gone.append(path)
        if gone:
            log.info("audit: deleted %d file(s) past the retention", len(gone))
        return gone

    def _path(self, day: date) -> Path:
        return self._folder / f"audit-{day.isoformat()}.jsonl"
