"""One route per input type: check what the machines cannot know, then run them.

The agent and call machines know one record each. What needs the whole floor - is the
position open and free, does the topic exist, which agent a call event concerns - is
checked here before a machine runs. Every route works on a working copy of the floor
and raises ``Rejected`` when the input is not allowed; ``Acd.feed`` then drops the copy.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from acd.core import agents, calls
from acd.core import inputs as ev
from acd.core.calls import CallContext
from acd.core.effects import Effect
from acd.core.floor import Floor
from acd.core.plan import FloorPlan
from acd.core.records import AgentRecord
from acd.core.rejection import Rejected
from acd.core.states import AgentState, PositionState

Route = Callable[[Floor, FloorPlan, Any], list[Effect]]


def _agent_step(floor: Floor, plan: FloorPlan, agent: AgentRecord, event: object) -> list[Effect]:
    return floor.apply_agent(agents.step(agent, event, plan.agent_settings))


def agent_input(floor: Floor, plan: FloorPlan, event: Any) -> list[Effect]:
    """Logout, pause, unpause, end or extend after-call work: the agent machine decides."""
    return _agent_step(floor, plan, floor.agent(event.agent_id), event)


def login(floor: Floor, plan: FloorPlan, event: ev.AgentLogin) -> list[Effect]:
    agent = floor.agent(event.agent_id)
    if agent.state is not AgentState.LOGGED_OUT:
        raise Rejected(f"agent {agent.agent_id} is already logged in at {agent.position_id}")
    plan.position(event.position_id)
    if floor.positions[event.position_id] is PositionState.CLOSED:
        raise Rejected(f"position {event.position_id} is closed; open it first")
    occupant = floor.occupant(event.position_id)
    if occupant is not None:
        raise Rejected(
            f"position {event.position_id} is taken by agent {occupant.agent_id} ({occupant.name})"
        )
    return _agent_step(floor, plan, agent, event)


def set_topics(floor: Floor, plan: FloorPlan, event: ev.AgentSetTopics) -> list[Effect]:
    agent = floor.agent(event.agent_id)
    plan.check_topics(event.topics)
    return _agent_step(floor, plan, agent, event)


def timer(floor: Floor, plan: FloorPlan, event: ev.TimerFired) -> list[Effect]:
    kind, _, subject = event.key.partition(":")
    if kind == "overflow" and subject:
        # A caller's overflow moment: nothing changes but the time, and the dispatcher
        # that runs after every input may now offer them to any free agent. A caller
        # answered or gone meanwhile had the timer cancelled, or it finds nobody.
        return []
    if kind != "acw" or not subject:
        raise Rejected(
            f"unknown timer key {event.key!r}; known: acw:<agent id>, overflow:<call id>"
        )
    return _agent_step(floor, plan, floor.agent(subject), event)


def open_position(floor: Floor, plan: FloorPlan, event: ev.PositionOpen) -> list[Effect]:
    plan.position(event.position_id)
    floor.toggle_position(event)
    return []


def close_position(floor: Floor, plan: FloorPlan, event: ev.PositionClose) -> list[Effect]:
    plan.position(event.position_id)
    floor.toggle_position(event)
    occupant = floor.occupant(event.position_id)
    if occupant is None:
        return []
    return _agent_step(floor, plan, occupant, event)


def call_queued(floor: Floor, plan: FloorPlan, event: ev.CallQueued) -> list[Effect]:
    plan.check_topics([event.topic])
    plan.check_municipality(event.municipality)
    plan.check_department(event.fell_back_from)
    ctx = CallContext(
        next_seq=floor.next_seq,
        department_extensions=plan.department_extensions,
        overflow_after=plan.overflow_after.get(event.topic),
    )
    existing = floor.calls.get(event.call_id)
    # A transferred call that falls back re-enters by its own transition; others are new.
    step = calls.queue(event, ctx) if existing is None else calls.step(existing, event, ctx)
    floor.next_seq += 1
    return floor.apply_call(step)


def call_input(floor: Floor, plan: FloorPlan, event: Any) -> list[Effect]:
    """Answer, failure, hang-ups and transfer: the call machine, then its agent's."""
    if hasattr(event, "agent_id"):
        floor.agent(event.agent_id)  # an unknown agent is named before anything else
    call = floor.call(event.call_id)
    agent = floor.agents.get(call.agent_id or "")
    position_id = agent.position_id if agent is not None else None
    ctx = CallContext(
        position_id=position_id or "",
        extension=plan.extension(position_id),
        next_seq=floor.next_seq,
        department_extensions=plan.department_extensions,
    )
    step = calls.step(call, event, ctx)
    effects = floor.apply_call(step)
    if step.moves_agent and agent is not None:
        effects += _agent_step(floor, plan, agent, event)
    return effects


def offer_from_outside(floor: Floor, plan: FloorPlan, event: ev.Offer) -> list[Effect]:
    raise Rejected("Offer is made by the ACD's own dispatcher and cannot be fed")


ROUTES: dict[type, Route] = {
    ev.AgentLogin: login,
    ev.AgentLogout: agent_input,
    ev.AgentPause: agent_input,
    ev.AgentUnpause: agent_input,
    ev.AgentEndAcw: agent_input,
    ev.AgentExtendAcw: agent_input,
    ev.AgentSetTopics: set_topics,
    ev.PositionOpen: open_position,
    ev.PositionClose: close_position,
    ev.CallQueued: call_queued,
    ev.OfferAnswered: call_input,
    ev.OfferFailed: call_input,
    ev.CallerLeft: call_input,
    ev.CallCompleted: call_input,
    ev.CallTransferred: call_input,
    ev.TimerFired: timer,
    ev.Offer: offer_from_outside,
}
"""How each input type reaches the machines."""
