"""The call state machine: one explicit table from (state, input type) to a handler.

Theory of operation
-------------------
A call the TIC has is ``queued`` (waiting, not offered), ``ringing`` (offered to one
agent), ``talking``, ``transferred`` (a warm transfer completed; the caller is with the
back office) or ``ended``. ``step`` looks (state, input type) up in ``_TABLE``; a pair
that is not there raises ``Rejected``. Handlers are pure and return a ``CallStep``: the
new record (``ended`` ones are dropped by the caller), the events to publish, and whether
the agent involved moves too, so the ACD can run the agent machine on the same input.

A ring that fails puts the call back to ``queued`` with its original ``queued_at``: it
keeps its place. A ring that failed with an error remembers the agent in ``skip``, so
the dispatcher does not offer the call to that phone again and again.

After a warm transfer the agent's leg ends (``CallCompleted``) or, if the adapter sees
it first, the caller's (``CallerLeft``): either ends the call for the TIC. A transferred
call that is not picked up comes back as ``CallQueued`` with ``fell_back_from`` and
joins the normal queue at the back, without priority.

``CallState`` is defined in ``acd.core.states`` and exported from here with its machine.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from acd.core import inputs as ev
from acd.core.effects import CancelRing, CancelTimer, Effect, Publish, StartTimer
from acd.core.records import CallRecord
from acd.core.rejection import Rejected
from acd.core.states import CallState
from contract import events as stream
from contract.vocabulary import CallPhase, EndedBy, OfferFailure

__all__ = ["CallContext", "CallState", "CallStep", "allowed", "queue", "step"]


@dataclass(frozen=True, slots=True, kw_only=True)
class CallContext:
    """What a call transition needs from around it."""

    position_id: str = ""
    """The involved agent's position ("" when no agent is involved)."""
    extension: str = ""
    next_seq: int = 0
    """Arrival number for a call that (re)joins the queue."""
    department_extensions: Mapping[str, str]
    """Department id -> its first extension, named in ``call.transferred``."""
    overflow_after: timedelta | None = None
    """For a call joining the queue: when its topic lets any agent take it."""


@dataclass(frozen=True, slots=True)
class CallStep:
    """The outcome of one transition; ``moves_agent`` says the agent machine runs too."""

    call: CallRecord
    effects: tuple[Effect, ...]
    moves_agent: bool


Handler = Callable[[CallRecord, Any, CallContext], CallStep]


def step(call: CallRecord, event: object, ctx: CallContext) -> CallStep:
    """Apply ``event`` to ``call``; ``Rejected`` if the table has no such transition."""
    handler = _TABLE.get((call.state, type(event)))
    if handler is None:
        raise Rejected(_not_now(call, type(event)))
    agent_id = getattr(event, "agent_id", None)
    if agent_id is not None and not isinstance(event, ev.Offer) and agent_id != call.agent_id:
        raise Rejected(
            f"call {call.call_id} is {call.state.value} with agent {call.agent_id or 'none'}, "
            f"not with agent {agent_id}"
        )
    return handler(call, event, ctx)


def _not_now(call: CallRecord, kind: type) -> str:
    allowed = sorted(state.value for state, k in _TABLE if k is kind)
    where = f" (allowed when {', '.join(allowed)})" if allowed else ""
    return f"call {call.call_id} is {call.state.value}: {kind.__name__} not allowed{where}"


def queue(event: ev.CallQueued, ctx: CallContext) -> CallStep:
    """A new caller joins the queue of their topic."""
    call = CallRecord(
        call_id=event.call_id,
        topic=event.topic,
        municipality=event.municipality,
        fell_back_from=event.fell_back_from,
        seq=ctx.next_seq,
        queued_at=event.at,
    )
    queued = stream.CallQueued(
        at=event.at,
        call_id=call.call_id,
        topic=call.topic,
        municipality=call.municipality,
        fell_back_from=call.fell_back_from,
    )
    effects: tuple[Effect, ...] = (Publish(queued),)
    if ctx.overflow_after is not None:
        due = event.at + ctx.overflow_after
        effects += (StartTimer(key=overflow_timer_key(call.call_id), due=due),)
    return CallStep(call, effects, False)


def overflow_timer_key(call_id: str) -> str:
    """The timer of a caller's overflow moment (``acd.core.dispatch``)."""
    return f"overflow:{call_id}"


def _ids(call: CallRecord) -> dict[str, str]:
    """The common fields of a call's events: the call and the agent it is with."""
    return {"call_id": call.call_id, "agent_id": call.agent_id or ""}


def _ended(
    call: CallRecord, at: datetime, phase: CallPhase, by: EndedBy, moves_agent: bool
) -> CallStep:
    done = replace(call, state=CallState.ENDED, ended_at=at)
    published = Publish(stream.CallEnded(at=at, **_ids(done), phase=phase, by=by))
    return CallStep(
        done, (published, CancelTimer(key=overflow_timer_key(call.call_id))), moves_agent
    )


# ---------------------------------------------------------------- handlers


def _requeue(call: CallRecord, event: ev.CallQueued, ctx: CallContext) -> CallStep:
    return queue(event, ctx)


def _offer(call: CallRecord, event: ev.Offer, ctx: CallContext) -> CallStep:
    ringing = replace(call, state=CallState.RINGING, agent_id=event.agent_id, offered_at=event.at)
    offered = stream.CallOffered(at=event.at, **_ids(ringing), position_id=ctx.position_id)
    return CallStep(ringing, (Publish(offered),), True)


def _left_queue(call: CallRecord, event: ev.CallerLeft, ctx: CallContext) -> CallStep:
    return _ended(call, event.at, CallPhase.QUEUE, EndedBy.CALLER, moves_agent=False)


def _left_ringing(call: CallRecord, event: ev.CallerLeft, ctx: CallContext) -> CallStep:
    assert call.agent_id is not None  # ringing always names its agent
    cancel = CancelRing(call_id=call.call_id, agent_id=call.agent_id, extension=ctx.extension)
    ended = _ended(call, event.at, CallPhase.RINGING, EndedBy.CALLER, moves_agent=True)
    return replace(ended, effects=(cancel, *ended.effects))


def _answered(call: CallRecord, event: ev.OfferAnswered, ctx: CallContext) -> CallStep:
    talking = replace(call, state=CallState.TALKING, answered_at=event.at)
    answered = stream.CallAnswered(at=event.at, **_ids(talking), position_id=ctx.position_id)
    stop = CancelTimer(key=overflow_timer_key(call.call_id))
    return CallStep(talking, (Publish(answered), stop), True)


def _not_answered(call: CallRecord, event: ev.OfferFailed, ctx: CallContext) -> CallStep:
    published = Publish(
        stream.CallNotAnswered(
            at=event.at, **_ids(call), position_id=ctx.position_id, reason=event.reason
        )
    )
    skip = call.skip | {event.agent_id} if event.reason is OfferFailure.ERROR else call.skip
    # Back to the queue with the original queued_at: the caller keeps their place.
    queued = replace(call, state=CallState.QUEUED, agent_id=None, offered_at=None, skip=skip)
    return CallStep(queued, (published,), True)


def _completed(call: CallRecord, event: ev.CallCompleted, ctx: CallContext) -> CallStep:
    return _ended(call, event.at, CallPhase.TALKING, EndedBy.AGENT, moves_agent=True)


def _hung_up(call: CallRecord, event: ev.CallerLeft, ctx: CallContext) -> CallStep:
    return _ended(call, event.at, CallPhase.TALKING, EndedBy.CALLER, moves_agent=True)


def _transferred(call: CallRecord, event: ev.CallTransferred, ctx: CallContext) -> CallStep:
    moved = replace(call, state=CallState.TRANSFERRED, transferred_at=event.at)
    transferred = stream.CallTransferred(
        at=event.at,
        **_ids(moved),
        department=event.department or None,
        extension=ctx.department_extensions.get(event.department) or None,
    )
    return CallStep(moved, (Publish(transferred),), True)


def _agent_left_transfer(call: CallRecord, event: ev.CallCompleted, ctx: CallContext) -> CallStep:
    return _ended(call, event.at, CallPhase.TALKING, EndedBy.AGENT, moves_agent=False)


def _caller_left_transfer(call: CallRecord, event: ev.CallerLeft, ctx: CallContext) -> CallStep:
    return _ended(call, event.at, CallPhase.TALKING, EndedBy.CALLER, moves_agent=False)


_C = CallState
_TABLE: dict[tuple[CallState, type], Handler] = {
    (_C.QUEUED, ev.Offer): _offer,
    (_C.QUEUED, ev.CallerLeft): _left_queue,
    (_C.RINGING, ev.CallerLeft): _left_ringing,
    (_C.RINGING, ev.OfferAnswered): _answered,
    (_C.RINGING, ev.OfferFailed): _not_answered,
    (_C.TALKING, ev.CallCompleted): _completed,
    (_C.TALKING, ev.CallerLeft): _hung_up,
    (_C.TALKING, ev.CallTransferred): _transferred,
    (_C.TRANSFERRED, ev.CallCompleted): _agent_left_transfer,
    (_C.TRANSFERRED, ev.CallerLeft): _caller_left_transfer,
    (_C.TRANSFERRED, ev.CallQueued): _requeue,
}
"""Every allowed call transition; a (state, input type) pair not listed is rejected."""


def allowed(state: CallState, kind: type) -> bool:
    """Whether an input of type ``kind`` is allowed for a call in ``state``."""
    return (state, kind) in _TABLE
