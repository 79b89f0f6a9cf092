"""Who gets which caller: the longest-waiting caller, the longest-idle skilled agent.

Theory of operation
-------------------
After every accepted input the ACD offers calls until no offer is possible. Each round
takes the waiting callers not yet offered in queue order (``queued_at``, then arrival
order) across all topics and gives the first one that *can* be served to the available
agent with its topic who has been idle longest (``since`` of ``available``, then agent
id). A caller nobody free can serve is passed over, so a free agent with topic X takes
the longest-waiting X caller even when an older caller waits for topic Y. A caller is
never offered to an agent whose phone failed with an error for this call before.

**Skills overflow.** The topic menu exists to roster agents on topics, not to leave
callers unanswered: a caller *overflows*, and may then be offered to any free agent,
when no logged-in agent (available, busy or paused) handles their topic, or when they
have waited the topic's ``overflow_after_s`` (60 s by default). Their place in the
queue order stays; a skilled agent still goes first when one is free. The core asks for
a timer at each caller's overflow moment (``overflow:<call id>``), so an overflow with
an agent free happens at that moment, not at the next input.

Each offer moves one call and one agent out of their waiting states, so the loop ends.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta

from acd.core import agents, calls
from acd.core.calls import CallContext
from acd.core.effects import Effect, RingAgent
from acd.core.floor import Floor
from acd.core.inputs import Offer
from acd.core.plan import FloorPlan
from acd.core.records import AgentRecord, CallRecord
from acd.core.states import AgentState, CallState

_EPOCH = datetime.min.replace(tzinfo=UTC)


def next_offer(
    calls: Iterable[CallRecord],
    agents: Iterable[AgentRecord],
    overflow_after: Mapping[str, timedelta],
    at: datetime,
) -> tuple[CallRecord, AgentRecord] | None:
    """The next (caller, agent) pair to connect, or ``None`` if there is none."""
    everyone = list(agents)
    free = [a for a in everyone if a.state is AgentState.AVAILABLE]
    if not free:
        return None
    handled = on_duty_topics(everyone)
    waiting = sorted(
        (c for c in calls if c.state is CallState.QUEUED), key=lambda c: (c.queued_at, c.seq)
    )
    for call in waiting:
        fit = [a for a in free if call.topic in a.topics and a.agent_id not in call.skip]
        if not fit and overflows(call, handled, overflow_after, at):
            fit = [a for a in free if a.agent_id not in call.skip]
        if fit:
            return call, min(fit, key=_idle_order)
    return None


def on_duty_topics(agents: Iterable[AgentRecord]) -> frozenset[str]:
    """The topics some logged-in agent handles (available, busy or paused)."""
    return frozenset(t for a in agents if a.state is not AgentState.LOGGED_OUT for t in a.topics)


def overflows(
    call: CallRecord,
    handled: frozenset[str],
    overflow_after: Mapping[str, timedelta],
    at: datetime,
) -> bool:
    """Whether any free agent may take ``call`` now (see the module docstring)."""
    if call.topic not in handled:
        return True
    limit = overflow_after.get(call.topic)
    return limit is not None and at - call.queued_at >= limit


def _idle_order(agent: AgentRecord) -> tuple[datetime, str]:
    # ``since`` is always set for a logged-in agent; the fallback only satisfies typing.
    since = agent.since if agent.since is not None else _EPOCH
    return since, agent.agent_id


def dispatch(floor: Floor, plan: FloorPlan, at: datetime) -> list[Effect]:
    """Offer calls until nobody free can serve anybody waiting."""
    effects: list[Effect] = []
    calls, agents = floor.calls.values(), floor.agents.values()
    while (pair := next_offer(calls, agents, plan.overflow_after, at)) is not None:
        effects += _offer(floor, plan, *pair, at)
    return effects


def _offer(
    floor: Floor, plan: FloorPlan, call: CallRecord, agent: AgentRecord, at: datetime
) -> list[Effect]:
    offer = Offer(call_id=call.call_id, agent_id=agent.agent_id, topic=call.topic, at=at)
    position_id = agent.position_id or ""
    extension = plan.extension(position_id)
    ctx = CallContext(
        position_id=position_id,
        extension=extension,
        next_seq=floor.next_seq,
        department_extensions=plan.department_extensions,
    )
    ring = RingAgent(
        call_id=call.call_id,
        agent_id=agent.agent_id,
        position_id=position_id,
        extension=extension,
        ring_timeout_s=plan.ring_timeout_s,
    )
    agent_effects = floor.apply_agent(agents.step(agent, offer, plan.agent_settings))
    call_effects = floor.apply_call(calls.step(call, offer, ctx))
    return [ring, *agent_effects, *call_effects]
