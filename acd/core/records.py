"""The core's own frozen records of agents and calls; machines return updated copies.

Records are internal: the outside world sees ``acd.core.views``. Being frozen, a record
can be replaced in a working copy of the floor and the copy thrown away when an input
is rejected, so a rejection never leaves half a change behind.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from acd.core.states import AgentState, CallState, PauseReason
from acd.waiting.handling import HandlingObservation


@dataclass(frozen=True, slots=True, kw_only=True)
class CallWork:
    """The call an agent is ringing for, talking in, or doing after-call work for."""

    call_id: str
    topic: str
    offered_at: datetime
    answered_at: datetime | None = None
    talk_ended_at: datetime | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class AgentRecord:
    """One agent from the site config, whether logged in or not."""

    agent_id: str
    name: str
    topics: frozenset[str]
    state: AgentState = AgentState.LOGGED_OUT
    since: datetime | None = None
    """When the agent entered ``state``; for ``available`` it is the start of idle time."""
    position_id: str | None = None
    pause_reason: PauseReason | None = None
    work: CallWork | None = None
    acw_until: datetime | None = None
    pending_pause: PauseReason | None = None
    """A pause asked for while busy; it starts when the call work ends."""
    pending_logout: bool = False
    """A logout asked for (or a position closed) while busy; done when the call work ends."""


@dataclass(frozen=True, slots=True, kw_only=True)
class CallRecord:
    """One caller in the TIC's hands, with the moment each phase began."""

    call_id: str
    topic: str
    municipality: str | None
    fell_back_from: str | None
    seq: int
    """Arrival order; breaks ties between callers queued at the same instant."""
    queued_at: datetime
    state: CallState = CallState.QUEUED
    agent_id: str | None = None
    """The agent ringing for, talking to, or having transferred the caller."""
    offered_at: datetime | None = None
    answered_at: datetime | None = None
    transferred_at: datetime | None = None
    ended_at: datetime | None = None
    skip: frozenset[str] = frozenset()
    """Agents whose phone failed with an error for this call; not offered it again."""


@dataclass(frozen=True, slots=True, kw_only=True)
class HandledCall:
    """A finished call's handling time, for the per-topic learner."""

    topic: str
    observation: HandlingObservation
