"""The fold's back-office part: `backoffice.*` events (docs/events.md) into `BackOfficeRing`s.

`realtime_stats.ingest.fold.EventFold` holds the rings and calls `HANDLERS[event.type]` with them
and the event. A handler does not change anything: it returns the ring's new version,
which the fold installs, or raises `RecordError` for an impossible event (a ring that rang
twice, an answer for a ring never seen, an answer after it ended unanswered, an answer
before it rang); the fold then skips the event whole and counts it, as for call events.

A ring's later events must agree with its `backoffice.ringing` on `kind` and `department`
when they carry them: a disagreement means the controller confused two rings.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import datetime
from types import MappingProxyType

from contract.vocabulary import RingEndedBy, RingFailure, RingKind
from realtime_stats.figures.backoffice_records import BackOfficeRing, RingKey, parse_choice
from realtime_stats.figures.records import RecordError
from realtime_stats.ingest.entries import Event

Rings = Mapping[RingKey, BackOfficeRing]


def _name(key: RingKey) -> str:
    return f"call {key.call_id}: back-office ring {key.ring} at {key.extension}"


def _key(event: Event, *needed: str) -> RingKey:
    """The ring's key; RecordError names any of its fields, or of `needed`, left empty."""
    if event.call_id is None:
        raise RecordError(f"{event.type} without a call_id")
    missing = [f for f in ("extension", "ring", *needed) if event.value(f) is None]
    if missing:
        raise RecordError(f"call {event.call_id}: {event.type} without {', '.join(missing)}")
    return RingKey(event.call_id, event.value("extension") or "", event.value("ring") or "")


def _known(rings: Rings, event: Event) -> BackOfficeRing:
    """The ring `event` is about, which must have rung and agree on kind and department."""
    key = _key(event)
    ring = rings.get(key)
    if ring is None:
        raise RecordError(f"{_name(key)}: {event.type} for a ring that never rang")
    for field, said, known in (
        ("kind", event.value("kind"), ring.kind.value),
        ("department", event.value("department"), ring.department_id),
    ):
        if said is not None and said != known:
            raise RecordError(f"{_name(key)}: {field} {said!r}, but it rang as {known!r}")
    return ring


def ringing(rings: Rings, event: Event) -> BackOfficeRing:
    key = _key(event, "kind", "department")
    if key in rings:
        raise RecordError(f"{_name(key)}: rang twice")
    return BackOfficeRing(
        call_id=key.call_id,
        ring=key.ring,
        kind=parse_choice(RingKind, event.value("kind"), f"{_name(key)}: kind"),
        department_id=event.value("department") or "",
        extension=key.extension,
        rang_at=event.at,
    )


def answered(rings: Rings, event: Event) -> BackOfficeRing:
    ring = _known(rings, event)
    if ring.answered:
        raise RecordError(f"{_name(ring.key)}: answered twice")
    if ring.not_answered_reason is not None:
        reason = ring.not_answered_reason.value
        raise RecordError(f"{_name(ring.key)}: answered after it ended unanswered ({reason})")
    return replace(ring, answered_at=event.at)


def not_answered(rings: Rings, event: Event) -> BackOfficeRing:
    ring = _known(rings, event)
    if ring.answered:
        raise RecordError(f"{_name(ring.key)}: not answered, but it was answered")
    if ring.not_answered_at is not None:
        raise RecordError(f"{_name(ring.key)}: not answered twice")
    what = f"{_name(ring.key)}: reason"
    reason = parse_choice(RingFailure, event.value("reason"), what)
    return replace(ring, not_answered_at=event.at, not_answered_reason=reason)


def ended(rings: Rings, event: Event) -> BackOfficeRing:
    ring = _known(rings, event)
    if not ring.answered:
        raise RecordError(f"{_name(ring.key)}: ended, but it was never answered")
    if ring.ended_at is not None:
        raise RecordError(f"{_name(ring.key)}: ended twice")
    by = parse_choice(RingEndedBy, event.value("by"), f"{_name(ring.key)}: by")
    return replace(ring, ended_at=event.at, ended_by=by)


def forget_before(rings: Rings, moment: datetime) -> dict[RingKey, BackOfficeRing]:
    """The rings to keep after a day roll: those still live, and those from `moment` on."""
    return {k: r for k, r in rings.items() if not (r.finished and r.rang_at < moment)}


HANDLERS: Mapping[str, Callable[[Rings, Event], BackOfficeRing]] = MappingProxyType(
    {
        "backoffice.ringing": ringing,
        "backoffice.answered": answered,
        "backoffice.not_answered": not_answered,
        "backoffice.ended": ended,
    }
)
