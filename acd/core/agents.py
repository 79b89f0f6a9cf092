"""The agent state machine: one explicit table from (state, input type) to a handler.

Theory of operation
-------------------
An agent is ``logged_out``, ``available``, ``ringing``, ``talking``, in
``after_call_work`` or ``paused``. ``step`` looks the pair (current state, type of the
input) up in ``_TABLE``; a pair that is not there is not allowed and raises
``Rejected``. A handler is pure: it returns an ``AgentStep`` (the new record, the
effects, and the handling time of a call whose work just ended) and changes nothing.

A pause or logout asked for while the agent is busy with a call (ringing, talking,
after-call work) is remembered and applied when the call work ends; a logout wins over
a pause. An offer that is not answered pauses the agent with reason ``not_answering``
so the next caller is not sent to an empty desk, unless the agent had asked for a pause
or logout, which then applies. After-call work ends when its timer fires, or earlier
when the agent says so; ``TimerFired`` that is clearly before the (extended) end is a
stale timer and is rejected.

``AgentState`` and ``PauseReason`` are defined in ``acd.core.states`` (so inputs can
name a pause reason without importing this machine) and exported from here with it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from acd.core import inputs as ev
from acd.core.agent_steps import (
    AgentSettings,
    AgentStep,
    acw_timer_key,
    enter,
    mirror,
    topics_event,
)
from acd.core.effects import CancelTimer, Effect, StartTimer
from acd.core.records import AgentRecord, CallWork, HandledCall
from acd.core.rejection import Rejected
from acd.core.states import BUSY_STATES, AgentState, PauseReason
from acd.waiting.handling import HandlingObservation

__all__ = ["AgentSettings", "AgentState", "AgentStep", "PauseReason", "allowed", "step"]

_STALE_TIMER_SLACK = timedelta(seconds=1)
"""A timer firing this much before its due time is an old one (the end was moved)."""

Handler = Callable[[AgentRecord, Any, AgentSettings], AgentStep]


def step(agent: AgentRecord, event: object, settings: AgentSettings) -> AgentStep:
    """Apply ``event`` to ``agent``; ``Rejected`` if the table has no such transition."""
    handler = _TABLE.get((agent.state, type(event)))
    if handler is None:
        raise Rejected(_not_now(agent, type(event)))
    call_id = getattr(event, "call_id", None)
    if call_id is not None and agent.work is not None and agent.work.call_id != call_id:
        raise Rejected(
            f"agent {agent.agent_id} is {agent.state.value} for call {agent.work.call_id}, "
            f"not {call_id}"
        )
    return handler(agent, event, settings)


def _not_now(agent: AgentRecord, kind: type) -> str:
    allowed = sorted(state.value for state, k in _TABLE if k is kind)
    where = f" (allowed when {', '.join(allowed)})" if allowed else ""
    return f"agent {agent.agent_id} is {agent.state.value}: {kind.__name__} not allowed{where}"


def _log_out(agent: AgentRecord, at: datetime, s: AgentSettings) -> AgentStep:
    moved = enter(agent, AgentState.LOGGED_OUT, at, position_id=None, pause_reason=None)
    return moved.then(mirror(moved.agent, agent.position_id, s))


def _pause_now(
    agent: AgentRecord, reason: PauseReason, at: datetime, s: AgentSettings
) -> AgentStep:
    moved = enter(agent, AgentState.PAUSED, at, pause_reason=reason)
    return moved.then(mirror(moved.agent, agent.position_id, s))


def _settle(agent: AgentRecord, at: datetime, s: AgentSettings) -> AgentStep:
    """The call work is over: apply a pending logout or pause, else become available."""
    free = replace(agent, work=None, acw_until=None, pending_pause=None, pending_logout=False)
    if agent.pending_logout:
        return _log_out(free, at, s)
    if agent.pending_pause is not None:
        return _pause_now(free, agent.pending_pause, at, s)
    return enter(free, AgentState.AVAILABLE, at)


def _finish_acw(agent: AgentRecord, at: datetime, s: AgentSettings) -> AgentStep:
    """After-call work ends: learn the call's handling time, then settle."""
    work = agent.work
    handled = None
    if work is not None and work.answered_at is not None and work.talk_ended_at is not None:
        talk_s = max(0.0, (work.talk_ended_at - work.answered_at).total_seconds())
        acw_s = max(0.0, (at - work.talk_ended_at).total_seconds())
        handled = HandledCall(
            topic=work.topic,
            observation=HandlingObservation(talk_s=talk_s, after_call_work_s=acw_s),
        )
    return replace(_settle(agent, at, s), handled=handled)


# ---------------------------------------------------------------- agent's own inputs


def _login(agent: AgentRecord, event: ev.AgentLogin, s: AgentSettings) -> AgentStep:
    moved = enter(agent, AgentState.AVAILABLE, event.at, position_id=event.position_id)
    return moved.then(topics_event(agent, event.at), mirror(moved.agent, event.position_id, s))


def _logout(
    agent: AgentRecord, event: ev.AgentLogout | ev.PositionClose, s: AgentSettings
) -> AgentStep:
    return _log_out(agent, event.at, s)


def _logout_later(
    agent: AgentRecord, event: ev.AgentLogout | ev.PositionClose, s: AgentSettings
) -> AgentStep:
    if agent.pending_logout:
        raise Rejected(f"agent {agent.agent_id} already logs out when the current call ends")
    return AgentStep(replace(agent, pending_logout=True))


def _chosen_reason(agent: AgentRecord, event: ev.AgentPause) -> PauseReason:
    if event.reason is PauseReason.NOT_ANSWERING:
        raise Rejected("pause reason not_answering is set by the ACD, not chosen by an agent")
    return event.reason


def _pause(agent: AgentRecord, event: ev.AgentPause, s: AgentSettings) -> AgentStep:
    return _pause_now(agent, _chosen_reason(agent, event), event.at, s)


def _repause(agent: AgentRecord, event: ev.AgentPause, s: AgentSettings) -> AgentStep:
    reason = _chosen_reason(agent, event)
    if reason is agent.pause_reason:
        raise Rejected(f"agent {agent.agent_id} is already paused for {reason.value}")
    return enter(agent, AgentState.PAUSED, event.at, pause_reason=reason)


def _pause_later(agent: AgentRecord, event: ev.AgentPause, s: AgentSettings) -> AgentStep:
    return AgentStep(replace(agent, pending_pause=_chosen_reason(agent, event)))


def _unpause(agent: AgentRecord, event: ev.AgentUnpause, s: AgentSettings) -> AgentStep:
    moved = enter(agent, AgentState.AVAILABLE, event.at, pause_reason=None)
    return moved.then(mirror(moved.agent, agent.position_id, s))


def _unpause_pending(agent: AgentRecord, event: ev.AgentUnpause, s: AgentSettings) -> AgentStep:
    if agent.pending_pause is None:
        raise Rejected(f"agent {agent.agent_id} is {agent.state.value}, not paused")
    return AgentStep(replace(agent, pending_pause=None))


def _set_topics(agent: AgentRecord, event: ev.AgentSetTopics, s: AgentSettings) -> AgentStep:
    new = replace(agent, topics=event.topics)
    effects: tuple[Effect, ...] = (topics_event(new, event.at),)
    if agent.state is not AgentState.LOGGED_OUT:
        effects += (mirror(new, agent.position_id, s),)
    return AgentStep(new, effects)


def _end_acw(agent: AgentRecord, event: ev.AgentEndAcw, s: AgentSettings) -> AgentStep:
    done = _finish_acw(agent, event.at, s)
    return done.after(CancelTimer(key=acw_timer_key(agent.agent_id)))


def _extend_acw(agent: AgentRecord, event: ev.AgentExtendAcw, s: AgentSettings) -> AgentStep:
    until = (agent.acw_until or event.at) + timedelta(seconds=event.seconds)
    key = acw_timer_key(agent.agent_id)
    return AgentStep(
        replace(agent, acw_until=until), (CancelTimer(key=key), StartTimer(key=key, due=until))
    )


def _acw_due(agent: AgentRecord, event: ev.TimerFired, s: AgentSettings) -> AgentStep:
    if agent.acw_until is not None and event.at < agent.acw_until - _STALE_TIMER_SLACK:
        raise Rejected(
            f"timer {event.key} fired at {event.at.isoformat()} but after-call work of agent "
            f"{agent.agent_id} lasts until {agent.acw_until.isoformat()} (an old timer)"
        )
    return _finish_acw(agent, event.at, s)


# ---------------------------------------------------------------- the call's inputs


def _ring(agent: AgentRecord, event: ev.Offer, s: AgentSettings) -> AgentStep:
    work = CallWork(call_id=event.call_id, topic=event.topic, offered_at=event.at)
    return enter(agent, AgentState.RINGING, event.at, work=work)


def _answered(agent: AgentRecord, event: ev.OfferAnswered, s: AgentSettings) -> AgentStep:
    assert agent.work is not None  # ringing always carries its call
    work = replace(agent.work, answered_at=event.at)
    return enter(agent, AgentState.TALKING, event.at, work=work)


def _ring_failed(agent: AgentRecord, event: ev.OfferFailed, s: AgentSettings) -> AgentStep:
    if event.reason == "error" or agent.pending_logout or agent.pending_pause is not None:
        # A technical failure is not the agent's doing; a pending request is their choice.
        return _settle(agent, event.at, s)
    free = replace(agent, work=None)
    return _pause_now(free, PauseReason.NOT_ANSWERING, event.at, s)


def _ring_cancelled(agent: AgentRecord, event: ev.CallerLeft, s: AgentSettings) -> AgentStep:
    return _settle(agent, event.at, s)


def _talk_ended(agent: AgentRecord, event: Any, s: AgentSettings) -> AgentStep:
    """CallCompleted, CallTransferred or CallerLeft while talking: after-call work."""
    assert agent.work is not None  # talking always carries its call
    at: datetime = event.at
    until = at + timedelta(seconds=s.after_call_work_s)
    work = replace(agent.work, talk_ended_at=at)
    moved = enter(agent, AgentState.AFTER_CALL_WORK, at, work=work, acw_until=until)
    if s.after_call_work_s <= 0:
        # No after-call work on this site: the interval is empty, the agent free at once.
        finished = _finish_acw(moved.agent, at, s)
        return finished.after(*moved.effects)
    return moved.then(StartTimer(key=acw_timer_key(agent.agent_id), due=until))


_A = AgentState
_TABLE: dict[tuple[AgentState, type], Handler] = {
    (_A.LOGGED_OUT, ev.AgentLogin): _login,
    **{(state, ev.AgentLogout): _logout for state in (_A.AVAILABLE, _A.PAUSED)},
    **{(state, ev.AgentLogout): _logout_later for state in BUSY_STATES},
    **{(state, ev.PositionClose): _logout for state in (_A.AVAILABLE, _A.PAUSED)},
    **{(state, ev.PositionClose): _logout_later for state in BUSY_STATES},
    (_A.AVAILABLE, ev.AgentPause): _pause,
    (_A.PAUSED, ev.AgentPause): _repause,
    **{(state, ev.AgentPause): _pause_later for state in BUSY_STATES},
    (_A.PAUSED, ev.AgentUnpause): _unpause,
    **{(state, ev.AgentUnpause): _unpause_pending for state in BUSY_STATES},
    **{(state, ev.AgentSetTopics): _set_topics for state in AgentState},
    (_A.AFTER_CALL_WORK, ev.AgentEndAcw): _end_acw,
    (_A.AFTER_CALL_WORK, ev.AgentExtendAcw): _extend_acw,
    (_A.AFTER_CALL_WORK, ev.TimerFired): _acw_due,
    (_A.AVAILABLE, ev.Offer): _ring,
    (_A.RINGING, ev.OfferAnswered): _answered,
    (_A.RINGING, ev.OfferFailed): _ring_failed,
    (_A.RINGING, ev.CallerLeft): _ring_cancelled,
    (_A.TALKING, ev.CallCompleted): _talk_ended,
    (_A.TALKING, ev.CallTransferred): _talk_ended,
    (_A.TALKING, ev.CallerLeft): _talk_ended,
}
"""Every allowed agent transition; a (state, input type) pair not listed is rejected."""


def allowed(state: AgentState, kind: type) -> bool:
    """Whether an input of type ``kind`` is allowed for an agent in ``state``."""
    return (state, kind) in _TABLE
