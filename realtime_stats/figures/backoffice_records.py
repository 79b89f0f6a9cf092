"""One back-office ring: a direct call to a department's extension, or a warm-transfer consult.

The second pillar of the reports (how the rest of the organisation answers its phone) is
computed from these records; `realtime_stats.ingest.fold_backoffice` builds them from the
`backoffice.*` events (docs/events.md). As with `realtime_stats.figures.records`, a record is
checked when it is built, so an impossible ring (answered and also not answered, answered
before it rang, a consult "hung up" as if it were a direct call) is refused with the ring
and the field named instead of quietly bending a department's figures.

A ring is identified by call, extension and serial (`RingKey`), as the contract says; its
kind, why it was not answered and who hung up are the contract's own words
(`contract.vocabulary`). All timestamps are stored in UTC.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple, TypeVar

from contract.vocabulary import RingEndedBy, RingFailure, RingKind
from realtime_stats.figures.periods import PeriodError, as_utc
from realtime_stats.figures.records import RecordError

# docs/events.md: a direct ring that ends for one of these falls back to the TIC queue.
# Every reason but the caller leaving: the controller queues the caller for the TIC.
FALLBACK_REASONS = frozenset(
    {
        RingFailure.NO_ANSWER,
        RingFailure.BUSY,
        RingFailure.UNAVAILABLE,
        RingFailure.ERROR,
    }
)

E = TypeVar("E", bound=enum.Enum)


def parse_choice(choices: type[E], text: str | None, what: str) -> E:
    """`text` as a member of `choices`; RecordError names `what` and the allowed values."""
    try:
        return choices(text)
    except ValueError:
        allowed = ", ".join(str(c.value) for c in choices)
        raise RecordError(f"{what} {text!r} is unknown; allowed: {allowed}") from None


class RingKey(NamedTuple):
    """A ring's identity: call (Linkedid), extension and the ring's serial within the call."""

    call_id: str
    extension: str
    ring: str


def _utc(owner: str, name: str, value: datetime) -> datetime:
    try:
        return as_utc(f"{owner}: {name}", value)
    except PeriodError as exc:
        raise RecordError(str(exc)) from None


@dataclass(frozen=True, slots=True, kw_only=True)
class BackOfficeRing:
    """One ring of a back-office extension, live or finished.

    Exactly one outcome, or none while it still rings: `answered_at`, or `not_answered_at`
    with its `not_answered_reason`. An answered *direct* call also gets `ended_at` and
    `ended_by` when it hangs up; an answered consult is finished at its answer (the TIC
    agent then completes the transfer or takes the caller back, see `call.transferred`).
    `end_unknown` marks a ring whose end was never published (the controller process
    that had it stopped): `ended_at` is when the next one started, `ended_by` is None,
    and one never answered has no outcome (docs/metrics.md).
    """

    call_id: str
    ring: str
    kind: RingKind
    department_id: str
    extension: str
    rang_at: datetime
    answered_at: datetime | None = None
    not_answered_at: datetime | None = None
    not_answered_reason: RingFailure | None = None
    ended_at: datetime | None = None
    ended_by: RingEndedBy | None = None
    end_unknown: bool = False

    def __post_init__(self) -> None:
        for name in ("call_id", "ring", "department_id", "extension"):
            if not getattr(self, name):
                raise RecordError(f"BackOfficeRing: {name} must not be empty")
        owner = f"BackOfficeRing {self.call_id} ring {self.ring} at {self.extension}"
        self._check_types(owner)
        self._normalise_times(owner)
        self._check_outcome(owner)
        self._check_order(owner)

    def _check_types(self, owner: str) -> None:
        for name, kind, optional in (
            ("kind", RingKind, False),
            ("not_answered_reason", RingFailure, True),
            ("ended_by", RingEndedBy, True),
        ):
            value = getattr(self, name)
            if not (isinstance(value, kind) or (optional and value is None)):
                allowed = ", ".join(str(c.value) for c in kind)
                raise RecordError(f"{owner}: {name} {value!r} is not one of {allowed}")

    def _normalise_times(self, owner: str) -> None:
        object.__setattr__(self, "rang_at", _utc(owner, "rang_at", self.rang_at))
        for name in ("answered_at", "not_answered_at", "ended_at"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, _utc(owner, name, value))

    def _check_outcome(self, owner: str) -> None:
        if self.answered_at is not None and self.not_answered_at is not None:
            raise RecordError(f"{owner}: both answered_at and not_answered_at are set")
        if (self.not_answered_at is None) != (self.not_answered_reason is None):
            raise RecordError(f"{owner}: not_answered_at and not_answered_reason go together")
        if self.not_answered_reason is RingFailure.CANCELLED and self.is_direct:
            raise RecordError(f"{owner}: only a consult can be cancelled, not a direct call")
        if self.end_unknown:
            self._check_unknown_end(owner)
            return
        if (self.ended_at is None) != (self.ended_by is None):
            raise RecordError(f"{owner}: ended_at and ended_by go together")
        if self.ended_at is not None and not self.connects:
            raise RecordError(f"{owner}: only an answered direct call ends, not a consult")
        if self.ended_at is not None and self.answered_at is None:
            raise RecordError(f"{owner}: ended_at is set on a ring that was never answered")

    def _check_unknown_end(self, owner: str) -> None:
        """A ring a controller restart ended: at that moment, by nobody known, and only
        while it was still live (ringing, or a connected call not hung up)."""
        if self.ended_at is None or self.ended_by is not None:
            raise RecordError(f"{owner}: end_unknown needs ended_at and no ended_by")
        if self.not_answered_at is not None:
            raise RecordError(f"{owner}: end_unknown on a ring that ended unanswered")
        if self.answered_at is not None and not self.connects:
            raise RecordError(f"{owner}: end_unknown on a consult finished at its answer")
        if self.ended_at < self.rang_at:
            raise RecordError(f"{owner}: ended_at is before rang_at")

    def _check_order(self, owner: str) -> None:
        for name in ("answered_at", "not_answered_at"):
            value = getattr(self, name)
            if value is not None and value < self.rang_at:
                raise RecordError(f"{owner}: {name} is before rang_at")
        answered, ended = self.answered_at, self.ended_at
        if answered is not None and ended is not None and ended < answered:
            raise RecordError(f"{owner}: ended_at is before answered_at")

    @property
    def key(self) -> RingKey:
        return RingKey(self.call_id, self.extension, self.ring)

    @property
    def is_direct(self) -> bool:
        return self.kind is RingKind.DIRECT

    @property
    def is_camp_on(self) -> bool:
        return self.kind is RingKind.CAMP_ON

    @property
    def connects(self) -> bool:
        """Answered, the colleague has the caller until one hangs up: direct or camp-on."""
        return self.kind in (RingKind.DIRECT, RingKind.CAMP_ON)

    @property
    def answered(self) -> bool:
        return self.answered_at is not None

    @property
    def ringing(self) -> bool:
        """Still ringing: no outcome yet, and not ended by a controller restart."""
        return self.answered_at is None and self.not_answered_at is None and not self.end_unknown

    @property
    def finished(self) -> bool:
        """Nothing more can happen to it: unanswered, a consult answered, a call it
        connected (direct, camp-on) ended."""
        if self.not_answered_at is not None or self.ended_at is not None:
            return True
        return self.answered_at is not None and not self.connects

    @property
    def fell_back(self) -> bool:
        """A direct call not picked up, which the controller put in the TIC queue."""
        return self.is_direct and self.not_answered_reason in FALLBACK_REASONS

    @property
    def caller_left(self) -> bool:
        return self.not_answered_reason is RingFailure.CALLER_LEFT

    @property
    def ring_seconds(self) -> float | None:
        """How long it rang before it was answered; None when it was not (yet)."""
        if self.answered_at is None:
            return None
        return (self.answered_at - self.rang_at).total_seconds()
