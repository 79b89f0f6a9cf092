"""The ACD's changing state - agents, calls, open positions - as one copyable value.

``Acd.feed`` works on a copy of the floor and keeps it only if the input was accepted:
the records inside are frozen, so a shallow copy of the three dictionaries is a full
snapshot, and a rejected input leaves the original untouched.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from acd.core.agent_steps import AgentStep
from acd.core.calls import CallStep
from acd.core.effects import Effect
from acd.core.inputs import PositionClose, PositionOpen
from acd.core.plan import FloorPlan
from acd.core.records import AgentRecord, CallRecord, HandledCall
from acd.core.rejection import Rejected, unknown
from acd.core.states import CallState, PositionState

_POSITION_TABLE: dict[tuple[PositionState, type], PositionState] = {
    (PositionState.CLOSED, PositionOpen): PositionState.OPEN,
    (PositionState.OPEN, PositionClose): PositionState.CLOSED,
}
"""The position machine: the peak position opens and closes as the floor scales."""


@dataclass(slots=True, kw_only=True)
class Floor:
    """Everything that changes, keyed by id."""

    agents: dict[str, AgentRecord]
    calls: dict[str, CallRecord] = field(default_factory=dict)
    positions: dict[str, PositionState]
    next_seq: int = 0
    handled: list[HandledCall] = field(default_factory=list)
    """Handling times of calls finished by the current input, for the learner."""

    @classmethod
    def from_plan(cls, plan: FloorPlan) -> Floor:
        agents = {
            agent_id: AgentRecord(agent_id=agent_id, name=name, topics=plan.agent_topics[agent_id])
            for agent_id, name in plan.agent_names.items()
        }
        positions = {
            pid: PositionState.CLOSED if p.peak else PositionState.OPEN
            for pid, p in plan.positions.items()
        }
        return cls(agents=agents, positions=positions)

    def copy(self) -> Floor:
        return Floor(
            agents=dict(self.agents),
            calls=dict(self.calls),
            positions=dict(self.positions),
            next_seq=self.next_seq,
        )

    def agent(self, agent_id: str) -> AgentRecord:
        found = self.agents.get(agent_id)
        if found is None:
            raise unknown("agent", agent_id, self.agents)
        return found

    def call(self, call_id: str) -> CallRecord:
        found = self.calls.get(call_id)
        if found is None:
            raise Rejected(f"unknown call {call_id!r}: never queued, or already ended")
        return found

    def occupant(self, position_id: str) -> AgentRecord | None:
        """The agent logged in at ``position_id``, if any."""
        return next((a for a in self.agents.values() if a.position_id == position_id), None)

    def toggle_position(self, event: PositionOpen | PositionClose) -> None:
        state = self.positions[event.position_id]
        new = _POSITION_TABLE.get((state, type(event)))
        if new is None:
            raise Rejected(f"position {event.position_id} is already {state.value}")
        self.positions[event.position_id] = new

    def apply_agent(self, step: AgentStep) -> list[Effect]:
        self.agents[step.agent.agent_id] = step.agent
        if step.handled is not None:
            self.handled.append(step.handled)
        return list(step.effects)

    def apply_call(self, step: CallStep) -> list[Effect]:
        if step.call.state is CallState.ENDED:
            self.calls.pop(step.call.call_id, None)
        else:
            self.calls[step.call.call_id] = step.call
        return list(step.effects)
