"""One agent leg: from the Originate that rings the agent to the end of the talk.

Theory of operation
-------------------
``RingAgent`` becomes an ``Originate`` to the agent's phone with ``Bridge`` to the
waiting caller; the leg's uniqueid is ours (``ChannelId``), so every later AMI event
about it is recognised. A leg is ``ringing`` until the Originate's answer says the
agent answered (``talking``) or not (``ended``); while ringing, the caller may leave,
which hangs the leg up and makes it ``cancelled`` (the core already knows the caller
left, so the Originate's outcome is not fed again). A talking leg ends when Asterisk
says it hung up, or when a resync finds it gone.

``step`` looks (state, input type) up in ``_TABLE``: a pair not listed is not allowed
and raises ``IllegalLegStep``. Handlers are pure: they return the leg's new version and
the effects for ``acd.agents.service`` to carry out (feed the ACD core an input, hang
the leg up). Listed no-op pairs say on purpose that an input changes nothing then.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from enum import Enum
from typing import Any

from acd.core import inputs as core
from contract.vocabulary import OfferFailure


class LegState(Enum):
    RINGING = "ringing"
    CANCELLED = "cancelled"  # the caller left while it rang; hung up, outcome not fed
    TALKING = "talking"
    ENDED = "ended"


@dataclass(frozen=True, slots=True)
class Leg:
    """One agent leg, by the uniqueid we gave it."""

    uniqueid: str
    call_id: str
    agent_id: str
    extension: str
    caller_channel: str = ""  # the caller's channel its Bridge joins (a camp-on moves it)
    state: LegState = LegState.RINGING


# ---------------------------------------------------------------- inputs


@dataclass(frozen=True, slots=True)
class Answered:
    """The Originate's answer: the agent picked up (their Bridge has the caller)."""

    at: datetime


@dataclass(frozen=True, slots=True)
class NotAnswered:
    """The Originate's answer: no answer, busy or unreachable."""

    reason: OfferFailure
    at: datetime


@dataclass(frozen=True, slots=True)
class RingFailed:
    """The Originate itself failed (Asterisk refused it, AMI lost): a technical error."""

    why: str
    at: datetime


@dataclass(frozen=True, slots=True)
class CallerLeft:
    """The caller hung up while the agent's phone rang."""

    at: datetime


@dataclass(frozen=True, slots=True)
class HungUp:
    """Asterisk's ``Hangup`` event for the leg."""

    at: datetime


@dataclass(frozen=True, slots=True)
class Vanished:
    """A resync after an AMI outage found the leg's channel gone."""

    at: datetime


LegInput = Answered | NotAnswered | RingFailed | CallerLeft | HungUp | Vanished

# ---------------------------------------------------------------- effects


@dataclass(frozen=True, slots=True)
class FeedCore:
    """Give the ACD core this input."""

    input: core.Input


@dataclass(frozen=True, slots=True)
class HangUpLeg:
    """Hang the leg up (by our uniqueid)."""

    uniqueid: str


LegEffect = FeedCore | HangUpLeg


class IllegalLegStep(Exception):
    """An input the leg's state does not allow; the message names both."""


@dataclass(frozen=True, slots=True)
class LegStep:
    leg: Leg
    effects: tuple[LegEffect, ...] = ()


def step(leg: Leg, event: LegInput) -> LegStep:
    """Apply ``event`` to ``leg``; ``IllegalLegStep`` if the table has no such pair."""
    handler = _TABLE.get((leg.state, type(event)))
    if handler is None:
        raise IllegalLegStep(
            f"agent leg {leg.uniqueid} of call {leg.call_id} is {leg.state.value}: "
            f"{type(event).__name__} not allowed"
        )
    return handler(leg, event)


def allowed(state: LegState, kind: type) -> bool:
    return (state, kind) in _TABLE


def _ids(leg: Leg) -> dict[str, str]:
    return {"call_id": leg.call_id, "agent_id": leg.agent_id}


def _answered(leg: Leg, event: Answered) -> LegStep:
    fed = FeedCore(core.OfferAnswered(**_ids(leg), at=event.at))
    return LegStep(replace(leg, state=LegState.TALKING), (fed,))


def _not_answered(leg: Leg, event: NotAnswered) -> LegStep:
    fed = FeedCore(core.OfferFailed(**_ids(leg), reason=event.reason, at=event.at))
    return LegStep(replace(leg, state=LegState.ENDED), (fed,))


def _ring_failed(leg: Leg, event: RingFailed) -> LegStep:
    # The Originate may have left a channel behind: hang it up by our id.
    fed = FeedCore(core.OfferFailed(**_ids(leg), reason=OfferFailure.ERROR, at=event.at))
    return LegStep(replace(leg, state=LegState.ENDED), (HangUpLeg(leg.uniqueid), fed))


def _cancel(leg: Leg, event: CallerLeft) -> LegStep:
    return LegStep(replace(leg, state=LegState.CANCELLED), (HangUpLeg(leg.uniqueid),))


def _cancelled_answer(leg: Leg, event: Answered) -> LegStep:
    # Answered just as the caller left: the Bridge finds no caller and the leg ends.
    return LegStep(replace(leg, state=LegState.ENDED), (HangUpLeg(leg.uniqueid),))


def _cancelled_outcome(leg: Leg, event: NotAnswered | RingFailed) -> LegStep:
    return LegStep(replace(leg, state=LegState.ENDED))


def _talk_ended(leg: Leg, event: HungUp | Vanished) -> LegStep:
    fed = FeedCore(core.CallCompleted(**_ids(leg), at=event.at))
    return LegStep(replace(leg, state=LegState.ENDED), (fed,))


def _unchanged(leg: Leg, event: object) -> LegStep:
    return LegStep(leg)


_S = LegState
_TABLE: dict[tuple[LegState, type], Callable[[Leg, Any], LegStep]] = {
    (_S.RINGING, Answered): _answered,
    (_S.RINGING, NotAnswered): _not_answered,
    (_S.RINGING, RingFailed): _ring_failed,
    (_S.RINGING, CallerLeft): _cancel,
    # A ringing leg's own Hangup (rejected, timed out): the Originate's answer says why.
    (_S.RINGING, HungUp): _unchanged,
    (_S.CANCELLED, Answered): _cancelled_answer,
    (_S.CANCELLED, NotAnswered): _cancelled_outcome,
    (_S.CANCELLED, RingFailed): _cancelled_outcome,
    (_S.CANCELLED, HungUp): _unchanged,
    (_S.TALKING, HungUp): _talk_ended,
    (_S.TALKING, Vanished): _talk_ended,
}
"""Every allowed leg transition; a (state, input type) pair not listed is refused."""
