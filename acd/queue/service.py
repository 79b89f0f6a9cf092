"""The ACD core at work: callers join and leave, the core decides, the effects are done.

``acd.core.Acd`` decides (sans-I/O); ``QueueService`` is its adapter. It feeds the core
what happened (a caller joining from their FastAGI session, commands from feature codes
and the HTTP API, its own timers; the agents' legs feed answers and hang-ups through
``feed``) and carries out the effects the core returns: events go to the sink, timers
to the clock, ringing and cancelling an agent's phone to the ``Ringer`` (the agents'
room), the fallback app_queue membership to the ``MemberMirror``.

All feeding happens on the event loop's one thread, so the core needs no locks.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from acd.ami.channels import LiveChannels
from acd.clock import Clock, Timer
from acd.core import AgentState, AgentView, PositionView, WaitingCall
from acd.core import effects as fx
from acd.core import inputs as ev
from acd.core.acd import Acd
from acd.waiting import QueueSnapshot
from contract import EventSink
from contract.vocabulary import OfferFailure

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class QueuedCaller:
    """A caller in a topic queue, as the agents' phones need to know them."""

    call_id: str
    channel: str  # the caller's channel, which an agent's leg bridges to
    caller: str  # the caller-id number ("" when withheld)
    topic: str
    municipality: str | None
    fell_back_from: str | None = None  # the department whose direct call was not answered


class Ringer(Protocol):
    """Rings agents' phones for callers (``acd.agents.service.AgentLegs``)."""

    def ring(self, effect: fx.RingAgent, caller: QueuedCaller) -> None:
        """Start ringing; the answer or failure comes back through ``QueueService.feed``."""
        ...

    def cancel(self, effect: fx.CancelRing) -> None: ...

    async def settle(self, call_id: str) -> bool:
        """The caller's session ended: True when an agent has the call (wait for a ring
        answered at this very moment), False when the caller hung up."""
        ...


class MemberMirror(Protocol):
    """Keeps the fallback app_queue queues staffed like the core's agents."""

    def apply(self, effect: fx.MirrorMember) -> None: ...


class QueueService:
    """Owns the ACD core and performs its effects; see the module docstring."""

    def __init__(
        self, acd: Acd, sink: EventSink, clock: Clock, *, ringer: Ringer, mirror: MemberMirror
    ) -> None:
        self._acd, self._sink, self._clock = acd, sink, clock
        self._ringer, self._mirror = ringer, mirror
        self._callers: dict[str, QueuedCaller] = {}
        self._timers: dict[str, Timer] = {}
        self._next: deque[object] = deque()  # inputs that follow the effects now performed

    @property
    def clock(self) -> Clock:
        return self._clock

    # ------------------------------------------------------------ callers

    def join(self, caller: QueuedCaller) -> None:
        self._callers[caller.call_id] = caller
        self.feed(
            ev.CallQueued(
                call_id=caller.call_id,
                topic=caller.topic,
                municipality=caller.municipality,
                fell_back_from=caller.fell_back_from,
                at=self._clock.now(),
            )
        )

    def snapshot(self, call_id: str) -> QueueSnapshot | None:
        """The caller's queue now, for the waiting message; None once not waiting."""
        return self._acd.snapshot_for(call_id, self._clock.now())

    async def left(self, call_id: str) -> bool:
        """The caller's FastAGI session ended while queued; True when an agent has them."""
        answered = await self._ringer.settle(call_id)
        still_here = self._callers.pop(call_id, None) is not None
        if not answered and still_here:
            self.feed(ev.CallerLeft(call_id=call_id, at=self._clock.now()))
        return answered

    def reconcile(self, live: LiveChannels) -> None:
        """Callers whose channel Asterisk no longer has (hung up while AMI was away)
        leave the queue now, as abandoned, rather than be offered to an agent later.
        Their FastAGI session, should it still run, then ends without a second end."""
        for waiting in self._acd.waiting():
            caller = self._callers.get(waiting.call_id)
            if caller is None or waiting.queued_at >= live.asked_at:
                continue  # not in a session of ours, or joined after Asterisk was asked
            if live.has_named(caller.channel):
                continue
            log.info("resync: caller %s on %s is gone", caller.call_id, caller.channel)
            del self._callers[caller.call_id]
            self.feed(ev.CallerLeft(call_id=caller.call_id, at=self._clock.now()))

    @property
    def callers(self) -> int:
        """Callers whose FastAGI session is in the queue now."""
        return len(self._callers)

    def call_entries(self) -> dict[str, int]:
        """What the queue holds per call: its callers and their overflow timers (the
        agents' timers are per agent, not per call; ``acd.call_tables``)."""
        overflow = sum(1 for key in self._timers if key.startswith("overflow:"))
        return {"callers": len(self._callers), "call_timers": overflow}

    # ------------------------------------------------------------ commands and views

    def command(self, event: object) -> str | None:
        """Feed a command (feature code, HTTP); the reason it was refused, or None."""
        refusals = [e.why for e in self.feed(event) if isinstance(e, fx.Reject)]
        return "; ".join(refusals) if refusals else None

    def agents(self) -> list[AgentView]:
        return self._acd.agents()

    def positions(self) -> list[PositionView]:
        return self._acd.positions()

    def waiting(self) -> list[WaitingCall]:
        return self._acd.waiting()

    def topic_ids(self) -> frozenset[str]:
        return self._acd.topics()

    def agent_at(self, position_id: str) -> str | None:
        """The agent logged in at ``position_id``, if any."""
        seated = (
            a.agent_id
            for a in self._acd.agents()
            if a.position_id == position_id and a.state is not AgentState.LOGGED_OUT
        )
        return next(seated, None)

    # ------------------------------------------------------------ the core

    def feed(self, event: object) -> Sequence[fx.Effect]:
        """Give the core one input and perform what it decides; returns the effects.

        An input an effect gives rise to at once (a ring that cannot even start) is fed
        after all of this input's effects, so the stream tells them in their order.
        """
        effects = self._acd.feed(event)
        for effect in effects:
            self._perform(effect)
        while self._next:
            self.feed(self._next.popleft())
        return effects

    def _perform(self, effect: fx.Effect) -> None:
        match effect:
            case fx.Publish():
                self._sink.publish(effect.event)
            case fx.RingAgent():
                self._ring(effect)
            case fx.CancelRing():
                self._ringer.cancel(effect)
            case fx.StartTimer():
                self._start_timer(effect.key, effect)
            case fx.CancelTimer():
                timer = self._timers.pop(effect.key, None)
                if timer is not None:
                    timer.cancel()
            case fx.MirrorMember():
                self._mirror.apply(effect)
            case fx.Reject():
                log.warning("%s refused: %s", effect.input_name, effect.why)

    def _ring(self, effect: fx.RingAgent) -> None:
        caller = self._callers.get(effect.call_id)
        if caller is None:
            # Not in a FastAGI session of ours (the session ended in between).
            failed = ev.OfferFailed(
                call_id=effect.call_id,
                agent_id=effect.agent_id,
                reason=OfferFailure.ERROR,
                at=self._clock.now(),
            )
            self._next.append(failed)
            return
        self._ringer.ring(effect, caller)

    def _start_timer(self, key: str, effect: fx.StartTimer) -> None:
        old = self._timers.pop(key, None)
        if old is not None:
            old.cancel()
        delay = max(0.0, (effect.due - self._clock.now()).total_seconds())

        def fire() -> None:
            self._timers.pop(key, None)
            self.feed(ev.TimerFired(key=key, at=self._clock.now()))

        self._timers[key] = self._clock.call_later(delay, fire)

    def close(self) -> None:
        for timer in self._timers.values():
            timer.cancel()
        self._timers.clear()
