"""One back-office ring, direct or consult: states, a transition table, its events.

Theory of operation
-------------------
A ring is ``ringing`` from the moment the colleague's phone rings. It is ``answered``
when the colleague (or someone picking the call up) answers, or ``not_answered`` with a
reason. For a **consult** the answer finishes the ring: the warm transfer goes on, but
the back-office ring is done. An answered **direct** or **camp-on** call (a caller who
waited for the colleague's line, ``acd.campon``) goes on until one side hangs up,
``ended``, and who ended it is who *asked* first (``HangupRequest``): the order of
the ``Hangup`` events follows channel destruction, which after a bridge can put the
partner's first.

``step`` looks (state, input type) up in ``_TABLE``: a pair not listed is not allowed
and raises ``IllegalRingStep``. Handlers are pure: they return the ring's new version
and the events to publish (docs/events.md, ``backoffice.*``).

A ring is identified by call, extension and ``ring``, a serial per call that
``RingNumbers`` hands out; a call's numbers are forgotten when the call is over.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from enum import Enum
from typing import Any

from contract import events as stream
from contract.vocabulary import RingEndedBy, RingFailure, RingKind


class RingState(Enum):
    RINGING = "ringing"
    ANSWERED = "answered"
    NOT_ANSWERED = "not_answered"
    ENDED = "ended"  # an answered direct call hung up


FINISHED = frozenset({RingState.NOT_ANSWERED, RingState.ENDED})


@dataclass(frozen=True, slots=True)
class Ring:
    """One back-office ring; ``leg`` and ``caller_leg`` are known once a direct call is
    answered (the leg that answered: ours, or a picking-up colleague's)."""

    call_id: str
    ring: int
    kind: RingKind
    department: str
    extension: str
    agent_id: str = ""  # the TIC agent whose consult it is
    state: RingState = RingState.RINGING
    leg: str = ""
    caller_leg: str = ""
    asked_by: str = ""  # the uniqueid whose HangupRequest came first

    @property
    def finished(self) -> bool:
        """Nothing more will happen to this ring (an answered consult included)."""
        return self.state in FINISHED or (
            self.kind is RingKind.CONSULT and self.state is RingState.ANSWERED
        )

    def _fields(self) -> dict[str, Any]:
        return {
            "call_id": self.call_id,
            "agent_id": self.agent_id,
            "kind": self.kind,
            "department": self.department,
            "extension": self.extension,
            "ring": self.ring,
        }


# ---------------------------------------------------------------- inputs


@dataclass(frozen=True, slots=True)
class Answered:
    at: datetime
    leg: str = ""  # direct calls: the channel that answered
    caller_leg: str = ""  # direct calls: the caller's channel


@dataclass(frozen=True, slots=True)
class NotAnswered:
    reason: RingFailure
    at: datetime


@dataclass(frozen=True, slots=True)
class HangupAsked:
    """``HangupRequest`` from one side of an answered direct call."""

    uniqueid: str
    at: datetime


@dataclass(frozen=True, slots=True)
class HungUp:
    """``Hangup`` of one side of an answered direct call."""

    uniqueid: str
    at: datetime


RingInput = Answered | NotAnswered | HangupAsked | HungUp


class IllegalRingStep(Exception):
    """An input the ring's state does not allow; the message names both."""


@dataclass(frozen=True, slots=True)
class RingStep:
    ring: Ring
    events: tuple[stream.StreamEvent, ...] = ()


def open_ring(
    call_id: str,
    serial: int,
    kind: RingKind,
    department: str,
    extension: str,
    *,
    at: datetime,
    caller: str = "",
    agent_id: str = "",
) -> RingStep:
    """A colleague's phone starts ringing."""
    ring = Ring(call_id, serial, kind, department, extension, agent_id)
    return RingStep(ring, (stream.BackOfficeRinging(at=at, caller=caller, **ring._fields()),))


def step(ring: Ring, event: RingInput) -> RingStep:
    """Apply ``event`` to ``ring``; ``IllegalRingStep`` if the table has no such pair."""
    handler = _TABLE.get((ring.state, ring.kind, type(event)))
    if handler is None:
        raise IllegalRingStep(
            f"{ring.kind.value} ring {ring.ring} of call {ring.call_id} to {ring.extension} "
            f"is {ring.state.value}: {type(event).__name__} not allowed"
        )
    return handler(ring, event)


def _answered(ring: Ring, event: Answered) -> RingStep:
    moved = replace(ring, state=RingState.ANSWERED, leg=event.leg, caller_leg=event.caller_leg)
    return RingStep(moved, (stream.BackOfficeAnswered(at=event.at, **ring._fields()),))


def _not_answered(ring: Ring, event: NotAnswered) -> RingStep:
    if event.reason is RingFailure.CANCELLED and ring.kind is RingKind.DIRECT:
        # A consult is given up by the agent, a camp-on ring by the caller's key.
        raise IllegalRingStep(f"direct ring {ring.ring} of call {ring.call_id}: not a consult")
    moved = replace(ring, state=RingState.NOT_ANSWERED)
    published = stream.BackOfficeNotAnswered(at=event.at, reason=event.reason, **ring._fields())
    return RingStep(moved, (published,))


def _asked(ring: Ring, event: HangupAsked) -> RingStep:
    if ring.asked_by or event.uniqueid not in (ring.leg, ring.caller_leg):
        return RingStep(ring)
    return RingStep(replace(ring, asked_by=event.uniqueid))


def _hung_up(ring: Ring, event: HungUp) -> RingStep:
    if event.uniqueid not in (ring.leg, ring.caller_leg):
        return RingStep(ring)
    first = ring.asked_by or event.uniqueid
    by = RingEndedBy.COLLEAGUE if first == ring.leg else RingEndedBy.CALLER
    moved = replace(ring, state=RingState.ENDED)
    return RingStep(moved, (stream.BackOfficeEnded(at=event.at, by=by, **ring._fields()),))


_S = RingState
_CONNECTS = (RingKind.DIRECT, RingKind.CAMP_ON)  # the colleague then has the caller
_TABLE: dict[tuple[RingState, RingKind, type], Callable[[Ring, Any], RingStep]] = {
    **{(_S.RINGING, kind, Answered): _answered for kind in RingKind},
    **{(_S.RINGING, kind, NotAnswered): _not_answered for kind in RingKind},
    **{(_S.ANSWERED, kind, HangupAsked): _asked for kind in _CONNECTS},
    **{(_S.ANSWERED, kind, HungUp): _hung_up for kind in _CONNECTS},
}
"""Every allowed ring transition; a (state, kind, input type) triple not listed is
refused. An answered consult takes no more input: its ring is finished."""


class RingNumbers:
    """The serial of each back-office ring within its call: 1, 2, ..."""

    def __init__(self) -> None:
        self._serials: dict[str, itertools.count[int]] = {}

    def next(self, call_id: str) -> int:
        return next(self._serials.setdefault(call_id, itertools.count(1)))

    def forget(self, call_id: str) -> None:
        """The call is over: its numbering ends with it."""
        self._serials.pop(call_id, None)

    def __len__(self) -> int:
        return len(self._serials)
