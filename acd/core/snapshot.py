"""The queue as one waiting caller sees it, for the waiting message's estimate.

``QueueSnapshot`` (``acd.waiting.estimate``) wants the caller's position in *their*
topic queue, the agents serving that topic and how long each busy one has been at it.
A caller whose agent is ringing still waits and is counted; an agent counts as serving
the topic when logged in, not paused and having the topic; ringing, talking and
after-call work count as busy.

A caller who overflows (``acd.core.dispatch``: nobody on duty has their topic, or they
waited the topic's overflow time) may be taken by any free agent, so for them every
agent who is logged in and not paused serves, and every waiting caller ahead of them
in the queue order, of any topic, is ahead. The expected wait is still worked out with
their own topic's handling time: it is their call the agent will handle.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from acd.core.dispatch import on_duty_topics, overflows
from acd.core.floor import Floor
from acd.core.records import AgentRecord
from acd.core.states import BUSY_STATES, WAITING_STATES, AgentState
from acd.waiting.estimate import QueueSnapshot
from acd.waiting.handling import HandlingTimes

_SERVING = frozenset({AgentState.AVAILABLE}) | BUSY_STATES


def queue_snapshot(
    floor: Floor,
    handling: HandlingTimes,
    call_id: str,
    at: datetime,
    overflow_after: Mapping[str, timedelta],
) -> QueueSnapshot | None:
    """The snapshot for ``call_id``, or ``None`` when that caller is not waiting."""
    call = floor.calls.get(call_id)
    if call is None or call.state not in WAITING_STATES:
        return None
    wide = overflows(call, on_duty_topics(floor.agents.values()), overflow_after, at)
    ahead = sum(
        1
        for other in floor.calls.values()
        if (wide or other.topic == call.topic)
        and other.state in WAITING_STATES
        and (other.queued_at, other.seq) < (call.queued_at, call.seq)
    )
    serving = [
        a for a in floor.agents.values() if a.state in _SERVING and (wide or call.topic in a.topics)
    ]
    busy = [a for a in serving if a.state in BUSY_STATES]
    learned = handling.for_topic(call.topic)
    return QueueSnapshot(
        position=ahead + 1,
        agents_serving=len(serving),
        agents_busy=len(busy),
        mean_handling_s=learned.mean_s,
        handling_cv=learned.cv,
        busy_for_s=tuple(_busy_for_s(agent, at) for agent in busy),
    )


def _busy_for_s(agent: AgentRecord, at: datetime) -> float:
    """Seconds of handling so far: from the answer; a ringing agent's call has not begun."""
    work = agent.work
    if work is None or work.answered_at is None:
        return 0.0
    return max(0.0, (at - work.answered_at).total_seconds())
