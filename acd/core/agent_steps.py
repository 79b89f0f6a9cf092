"""Building blocks of agent transitions: entering a state and what that publishes.

Every change of an agent's state goes through ``enter``, so every change is published
as ``agent.state`` (docs/events.md) in the same shape. ``mirror`` is the fallback
app_queue membership that goes with it, ``topics_event`` the ``agent.topics`` event.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from acd.core.effects import Effect, MirrorMember, Publish
from acd.core.records import AgentRecord, HandledCall
from acd.core.states import BUSY_STATES, AgentState
from contract import events as stream


def acw_timer_key(agent_id: str) -> str:
    return f"acw:{agent_id}"


@dataclass(frozen=True, slots=True, kw_only=True)
class AgentSettings:
    """What the machine needs from the site: after-call work and position extensions."""

    after_call_work_s: float
    extensions: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class AgentStep:
    """The outcome of one transition."""

    agent: AgentRecord
    effects: tuple[Effect, ...] = ()
    handled: HandledCall | None = None

    def then(self, *effects: Effect) -> AgentStep:
        return replace(self, effects=self.effects + effects)

    def after(self, *effects: Effect) -> AgentStep:
        return replace(self, effects=effects + self.effects)


def enter(agent: AgentRecord, state: AgentState, at: datetime, **changes: Any) -> AgentStep:
    """Move to ``state`` and publish the change."""
    new = replace(agent, state=state, since=at, **changes)
    work = new.work.call_id if new.work is not None and state in BUSY_STATES else ""
    event = stream.AgentStateChanged(
        at=at,
        call_id=work,
        agent_id=agent.agent_id,
        state=state,
        reason=new.pause_reason if state is AgentState.PAUSED else None,
        position_id=new.position_id or agent.position_id,
    )
    return AgentStep(new, (Publish(event),))


def mirror(agent: AgentRecord, position_id: str | None, s: AgentSettings) -> MirrorMember:
    return MirrorMember(
        agent_id=agent.agent_id,
        extension=s.extensions.get(position_id or "", ""),
        topics=agent.topics,
        logged_in=agent.state is not AgentState.LOGGED_OUT,
        paused=agent.state is AgentState.PAUSED,
    )


def topics_event(agent: AgentRecord, at: datetime) -> Publish:
    event = stream.AgentTopicsChanged(
        at=at, agent_id=agent.agent_id, topics=tuple(sorted(agent.topics))
    )
    return Publish(event)
