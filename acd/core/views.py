"""Read-only views of the ACD's state for the wallboard, the HTTP API and the adapter.

Frozen copies made on request; holding one never changes or blocks the core.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from acd.core.floor import Floor
from acd.core.plan import FloorPlan
from acd.core.records import AgentRecord, CallRecord
from acd.core.states import WAITING_STATES, AgentState, PauseReason, PositionState


@dataclass(frozen=True, slots=True, kw_only=True)
class WaitingCall:
    """A caller waiting for an agent; ``offered_to`` is the agent ringing for them."""

    call_id: str
    topic: str
    municipality: str | None
    queued_at: datetime
    offered_to: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class AgentView:
    """One agent as the floor manager sees them."""

    agent_id: str
    name: str
    position_id: str | None
    state: AgentState
    since: datetime | None
    pause_reason: PauseReason | None
    topics: frozenset[str]
    call_id: str | None
    acw_until: datetime | None
    pause_pending: PauseReason | None
    """A pause that starts when the current call work ends."""
    logout_pending: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class PositionView:
    """A TIC position: open or closed, and who is seated there."""

    position_id: str
    extension: str
    peak: bool
    state: PositionState
    agent_id: str | None


def waiting_calls(floor: Floor) -> list[WaitingCall]:
    """Waiting callers in queue order (longest waiting first)."""
    calls = sorted(
        (c for c in floor.calls.values() if c.state in WAITING_STATES),
        key=lambda c: (c.queued_at, c.seq),
    )
    return [_waiting(c) for c in calls]


def _waiting(call: CallRecord) -> WaitingCall:
    return WaitingCall(
        call_id=call.call_id,
        topic=call.topic,
        municipality=call.municipality,
        queued_at=call.queued_at,
        offered_to=call.agent_id,
    )


def agent_views(floor: Floor) -> list[AgentView]:
    """Every configured agent, logged in or not, by agent id."""
    return [_agent(floor.agents[key]) for key in sorted(floor.agents)]


def _agent(agent: AgentRecord) -> AgentView:
    return AgentView(
        agent_id=agent.agent_id,
        name=agent.name,
        position_id=agent.position_id,
        state=agent.state,
        since=agent.since,
        pause_reason=agent.pause_reason,
        topics=agent.topics,
        call_id=agent.work.call_id if agent.work is not None else None,
        acw_until=agent.acw_until,
        pause_pending=agent.pending_pause,
        logout_pending=agent.pending_logout,
    )


def position_views(floor: Floor, plan: FloorPlan) -> list[PositionView]:
    """Every position in site-config order."""
    views = []
    for position_id, position in plan.positions.items():
        occupant = floor.occupant(position_id)
        views.append(
            PositionView(
                position_id=position_id,
                extension=position.extension,
                peak=position.peak,
                state=floor.positions[position_id],
                agent_id=occupant.agent_id if occupant is not None else None,
            )
        )
    return views
