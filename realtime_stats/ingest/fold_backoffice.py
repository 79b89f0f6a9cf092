"""The fold's back-office part: `backoffice.*` events (docs/events.md) into `BackOfficeRing`s.

`realtime_stats.ingest.fold.EventFold` holds the rings and hands each back-office event to
its handler here with them. A handler does not change anything: it returns the ring's new
version, which the fold installs, or raises `RecordError` for an impossible event (a ring
that rang twice, an answer for a ring never seen, an answer after it ended unanswered, an
answer before it rang); the fold then skips the event whole and counts it, as for call
events.

A `controller.started` ends every ring still live, its end unknown (`controller_started`).

A ring's later events must agree with its `backoffice.ringing` on `kind` and `department`:
a disagreement means the controller confused two rings.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime

from contract.events import (
    BackOfficeAnswered,
    BackOfficeEnded,
    BackOfficeNotAnswered,
    BackOfficeRinging,
)
from realtime_stats.figures.backoffice_records import BackOfficeRing, RingKey
from realtime_stats.figures.records import RecordError

Rings = Mapping[RingKey, BackOfficeRing]
RingEvent = BackOfficeRinging | BackOfficeAnswered | BackOfficeNotAnswered | BackOfficeEnded


def _name(key: RingKey) -> str:
    return f"call {key.call_id}: back-office ring {key.ring} at {key.extension}"


def _key(event: RingEvent) -> RingKey:
    return RingKey(event.call_id, event.extension, str(event.ring))


def _known(rings: Rings, event: RingEvent) -> BackOfficeRing:
    """The ring `event` is about, which must have rung and agree on kind and department."""
    key = _key(event)
    ring = rings.get(key)
    if ring is None:
        raise RecordError(f"{_name(key)}: {event.TYPE} for a ring that never rang")
    for field, said, known in (
        ("kind", event.kind.value, ring.kind.value),
        ("department", event.department, ring.department_id),
    ):
        if said != known:
            raise RecordError(f"{_name(key)}: {field} {said!r}, but it rang as {known!r}")
    return ring


def ringing(rings: Rings, event: BackOfficeRinging) -> BackOfficeRing:
    key = _key(event)
    if key in rings:
        raise RecordError(f"{_name(key)}: rang twice")
    return BackOfficeRing(
        call_id=key.call_id,
        ring=key.ring,
        kind=event.kind,
        department_id=event.department,
        extension=key.extension,
        rang_at=event.at,
    )


def answered(rings: Rings, event: BackOfficeAnswered) -> BackOfficeRing:
    ring = _known(rings, event)
    if ring.answered:
        raise RecordError(f"{_name(ring.key)}: answered twice")
    if ring.not_answered_reason is not None:
        reason = ring.not_answered_reason.value
        raise RecordError(f"{_name(ring.key)}: answered after it ended unanswered ({reason})")
    return replace(ring, answered_at=event.at)


def not_answered(rings: Rings, event: BackOfficeNotAnswered) -> BackOfficeRing:
    ring = _known(rings, event)
    if ring.answered:
        raise RecordError(f"{_name(ring.key)}: not answered, but it was answered")
    if ring.not_answered_at is not None:
        raise RecordError(f"{_name(ring.key)}: not answered twice")
    return replace(ring, not_answered_at=event.at, not_answered_reason=event.reason)


def ended(rings: Rings, event: BackOfficeEnded) -> BackOfficeRing:
    ring = _known(rings, event)
    if not ring.answered:
        raise RecordError(f"{_name(ring.key)}: ended, but it was never answered")
    if ring.ended_at is not None:
        raise RecordError(f"{_name(ring.key)}: ended twice")
    return replace(ring, ended_at=event.at, ended_by=event.by)


def controller_started(rings: Rings, at: datetime) -> dict[RingKey, BackOfficeRing]:
    """A new controller knows no ring from before it: each one still live (ringing, or a
    direct or camp-on call not hung up) ends at `at`, its end unknown (docs/metrics.md).
    Never before what is known of the ring."""
    return {
        key: replace(ring, ended_at=max(at, ring.answered_at or ring.rang_at), end_unknown=True)
        for key, ring in rings.items()
        if not ring.finished
    }


def forget_before(rings: Rings, moment: datetime) -> dict[RingKey, BackOfficeRing]:
    """The rings to keep after a day roll: those still live, and those from `moment` on."""
    return {k: r for k, r in rings.items() if not (r.finished and r.rang_at < moment)}
