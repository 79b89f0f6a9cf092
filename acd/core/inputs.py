"""What the ACD core is told: frozen, typed inputs, each with the moment it happened.

The asyncio adapter (``acd.controller``) turns AMI events, FastAGI sessions, feature
codes, HTTP requests and timers into these and feeds them to ``Acd.feed``. Each input
checks its own shape when it is made (a naive ``at``, an empty id, an unknown failure
reason raise ``ValueError`` naming the field); whether it is allowed *now* is the
core's decision, answered with a ``Reject`` effect.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from acd.core.states import PauseReason
from contract.vocabulary import OfferFailure

FAILURE_REASONS = frozenset(OfferFailure)
"""Why an offer failed: the agent did not answer, was busy, unreachable, or it broke."""

MAX_ACW_EXTENSION_S = 3600.0
"""One extension of after-call work; the site's own after-call work is at most an hour too."""


def _require_utc(owner: object, at: datetime) -> None:
    offset = at.utcoffset() if isinstance(at, datetime) else None
    if offset is None or offset.total_seconds() != 0:
        raise ValueError(f"{type(owner).__name__}.at must be an aware datetime in UTC, got {at!r}")


def _require_id(owner: object, name: str, value: object) -> None:
    if not isinstance(value, str) or not value:
        raise ValueError(f"{type(owner).__name__}.{name} must be a non-empty string, got {value!r}")


def _require_optional_id(owner: object, name: str, value: object) -> None:
    if value is not None:
        _require_id(owner, name, value)


class _Checked:
    """Checks ``at`` and the id fields named in ``_ids`` after construction."""

    __slots__ = ()
    _ids: tuple[str, ...] = ()
    at: datetime  # declared by every input; here only so the check can name it

    def __post_init__(self) -> None:
        _require_utc(self, self.at)
        for name in self._ids:
            _require_id(self, name, getattr(self, name))


@dataclass(frozen=True, slots=True, kw_only=True)
class AgentLogin(_Checked):
    """Seat an agent at a position (topics from the site config unless set live)."""

    _ids = ("agent_id", "position_id")
    agent_id: str
    position_id: str
    at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class AgentLogout(_Checked):
    """The agent leaves their position (after the current call if they have one)."""

    _ids = ("agent_id",)
    agent_id: str
    at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class AgentPause(_Checked):
    """Pause now, or when the current call work ends if the agent has a call."""

    _ids = ("agent_id",)
    agent_id: str
    reason: PauseReason
    at: datetime

    def __post_init__(self) -> None:
        super(AgentPause, self).__post_init__()
        if not isinstance(self.reason, PauseReason):
            raise ValueError(f"AgentPause.reason must be a PauseReason, got {self.reason!r}")


@dataclass(frozen=True, slots=True, kw_only=True)
class AgentUnpause(_Checked):
    """End a pause (or drop a pause still pending behind a call)."""

    _ids = ("agent_id",)
    agent_id: str
    at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class AgentEndAcw(_Checked):
    """The agent ends after-call work before its time is up."""

    _ids = ("agent_id",)
    agent_id: str
    at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class AgentExtendAcw(_Checked):
    """The agent needs ``seconds`` more after-call work than planned."""

    _ids = ("agent_id",)
    agent_id: str
    seconds: float
    at: datetime

    def __post_init__(self) -> None:
        super(AgentExtendAcw, self).__post_init__()
        ok = isinstance(self.seconds, int | float) and math.isfinite(self.seconds)
        if not (ok and 0 < self.seconds <= MAX_ACW_EXTENSION_S):
            raise ValueError(
                f"AgentExtendAcw.seconds must be a number in (0, {MAX_ACW_EXTENSION_S:g}], "
                f"got {self.seconds!r}"
            )


@dataclass(frozen=True, slots=True, kw_only=True)
class AgentSetTopics(_Checked):
    """Give the agent a new set of topics (skills), live."""

    _ids = ("agent_id",)
    agent_id: str
    topics: frozenset[str]
    at: datetime

    def __post_init__(self) -> None:
        super(AgentSetTopics, self).__post_init__()
        if not isinstance(self.topics, frozenset) or not self.topics:
            raise ValueError(
                f"AgentSetTopics.topics must be a non-empty frozenset of topic ids, "
                f"got {self.topics!r}"
            )
        bad = sorted(repr(t) for t in self.topics if not isinstance(t, str) or not t)
        if bad:
            raise ValueError(f"AgentSetTopics.topics: not topic ids: {', '.join(bad)}")


@dataclass(frozen=True, slots=True, kw_only=True)
class PositionOpen(_Checked):
    """Open a position for logins (the peak position, when the floor scales up)."""

    _ids = ("position_id",)
    position_id: str
    at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class PositionClose(_Checked):
    """Close a position; its agent is logged out after their current call."""

    _ids = ("position_id",)
    position_id: str
    at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class CallQueued(_Checked):
    """A caller joins the queue of ``topic`` (also a back-office call falling back)."""

    _ids = ("call_id", "topic")
    call_id: str
    topic: str
    municipality: str | None
    fell_back_from: str | None
    at: datetime

    def __post_init__(self) -> None:
        super(CallQueued, self).__post_init__()
        _require_optional_id(self, "municipality", self.municipality)
        _require_optional_id(self, "fell_back_from", self.fell_back_from)


@dataclass(frozen=True, slots=True, kw_only=True)
class OfferAnswered(_Checked):
    """The agent picked up the call that was ringing at their position."""

    _ids = ("call_id", "agent_id")
    call_id: str
    agent_id: str
    at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class OfferFailed(_Checked):
    """Ringing the agent for the call ended without an answer; ``reason`` says why."""

    _ids = ("call_id", "agent_id")
    call_id: str
    agent_id: str
    reason: OfferFailure
    at: datetime

    def __post_init__(self) -> None:
        super(OfferFailed, self).__post_init__()
        try:  # the reason's text is accepted too, and kept as the enum
            object.__setattr__(self, "reason", OfferFailure(self.reason))
        except ValueError:
            raise ValueError(
                f"OfferFailed.reason must be one of {', '.join(sorted(FAILURE_REASONS))}, "
                f"got {self.reason!r}"
            ) from None


@dataclass(frozen=True, slots=True, kw_only=True)
class CallerLeft(_Checked):
    """The caller hung up (waiting, while an agent was ringing, or later)."""

    _ids = ("call_id",)
    call_id: str
    at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class CallCompleted(_Checked):
    """The agent's leg ended after talking (or after the agent transferred the call)."""

    _ids = ("call_id", "agent_id")
    call_id: str
    agent_id: str
    at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class CallTransferred(_Checked):
    """The agent completed a warm transfer; ``department`` is empty when not known."""

    _ids = ("call_id", "agent_id")
    call_id: str
    agent_id: str
    department: str
    at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class TimerFired(_Checked):
    """A timer the core asked for with ``StartTimer`` is due."""

    _ids = ("key",)
    key: str
    at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class Offer(_Checked):
    """Internal: the dispatcher gives ``call_id`` to ``agent_id``. Never fed from outside."""

    _ids = ("call_id", "agent_id", "topic")
    call_id: str
    agent_id: str
    topic: str
    at: datetime


Input = (
    AgentLogin
    | AgentLogout
    | AgentPause
    | AgentUnpause
    | AgentEndAcw
    | AgentExtendAcw
    | AgentSetTopics
    | PositionOpen
    | PositionClose
    | CallQueued
    | OfferAnswered
    | OfferFailed
    | CallerLeft
    | CallCompleted
    | CallTransferred
    | TimerFired
)
"""Everything ``Acd.feed`` accepts."""

INPUT_TYPES: tuple[type, ...] = Input.__args__
