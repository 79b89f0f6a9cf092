"""AgentLegs: the agents' phones rung over AMI, and what came of it fed to the ACD core.

Each leg follows ``acd.agents.machine``; this module carries out its effects and gives
it the AMI answers as inputs. It is the queue's ``Ringer``:

* ``ring``: one owned task sends the ``Originate`` and waits for its answer (up to the
  ring timeout and 15 s of slack), then steps the leg with what came of it.
* ``cancel``: the caller left while the phone rang: the leg is hung up by our id.
* ``settle``: the caller's FastAGI session ended while a leg rang. The agent may have
  answered this very moment: ``Bridge`` takes the caller out of FastAGI before the
  Originate's answer reaches us. An answered leg (``CHANNEL(state)`` Up) says so; then
  the answer is awaited for a few seconds. Otherwise the caller hung up.

Hang-ups and the resync after an AMI outage arrive through ``acd.agents.consumer``.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections.abc import Callable, Mapping, Sequence

from acd.agents.machine import (
    Answered,
    CallerLeft,
    FeedCore,
    HangUpLeg,
    Leg,
    LegInput,
    LegState,
    NotAnswered,
    RingFailed,
    step,
)
from acd.ami import AmiError
from acd.ami.actions import Hangup, Originate
from acd.ami.originate import ORIGINATE_SLACK_S, bridge_originate, channel_up, outcome
from acd.ami.port import AmiPort
from acd.clock import Clock, within
from acd.core import effects as fx
from acd.core import inputs as core
from acd.queue.service import QueuedCaller
from acd.tasks import TaskSet
from contract.dialplan import Context, Var
from contract.vocabulary import OfferFailure

log = logging.getLogger(__name__)

SETTLE_S = 5.0
"""How long a leg seen answered gets for its Originate answer: AMI reports it within
milliseconds of the Bridge that took the caller."""

Feed = Callable[[core.Input], Sequence[fx.Effect]]


class AgentLegs:
    """Agents' legs by our uniqueid; see the module docstring."""

    def __init__(
        self,
        ami: AmiPort,
        clock: Clock,
        feed: Feed,
        *,
        topic_names: Mapping[str, str],
        prefix: str = "kcc",
    ) -> None:
        self._ami, self._clock, self._feed = ami, clock, feed
        self._topic_names = topic_names
        self._prefix = prefix
        self._serial = itertools.count(1)
        self._legs: dict[str, Leg] = {}  # uniqueid -> leg (ended legs are dropped)
        self._rings: dict[str, asyncio.Task[None]] = {}  # call_id -> the Originate's task
        self._tasks = TaskSet("agent legs")

    # ------------------------------------------------------------ Ringer

    def ring(self, effect: fx.RingAgent, caller: QueuedCaller) -> None:
        uniqueid = f"{self._prefix}-{effect.call_id}-{next(self._serial)}"
        leg = Leg(uniqueid, effect.call_id, effect.agent_id, effect.extension, caller.channel)
        self._legs[uniqueid] = leg
        topic = self._topic_names.get(caller.topic, caller.topic)
        action = bridge_originate(
            extension=effect.extension,
            caller_channel=caller.channel,
            ring_timeout_s=effect.ring_timeout_s,
            label=topic,
            caller=caller.caller,
            leg_id=uniqueid,
            # A warm transfer (#2) dials from kcc-internal: positions and back offices.
            variables={
                Var.CALL_ID: leg.call_id,
                Var.AGENT: leg.agent_id,
                Var.TRANSFER_CONTEXT: Context.INTERNAL,
            },
        )
        task = self._tasks.spawn(
            self._originate(uniqueid, action, effect.ring_timeout_s + ORIGINATE_SLACK_S),
            name=f"ring {effect.agent_id} for {effect.call_id}",
        )
        self._rings[effect.call_id] = task
        task.add_done_callback(lambda done: self._forget_ring(effect.call_id, done))

    def cancel(self, effect: fx.CancelRing) -> None:
        leg = self._ringing(effect.call_id)
        if leg is not None:
            self._step(leg, CallerLeft(at=self._clock.now()))

    async def settle(self, call_id: str) -> bool:
        ring, leg = self._rings.get(call_id), self._ringing(call_id)
        if ring is not None and leg is not None and await channel_up(self._ami, leg.uniqueid):
            await within(self._clock, SETTLE_S, asyncio.shield(ring))
        return self.agent_in_call(call_id) is not None

    # ------------------------------------------------------------ who is in a call

    def agent_in_call(self, call_id: str) -> str | None:
        """The agent whose answered leg of this call is still up, if any."""
        talking = (g for g in self._legs.values() if g.call_id == call_id)
        return next((g.agent_id for g in talking if g.state is LegState.TALKING), None)

    def talking_leg_of(self, agent_id: str) -> Leg | None:
        """The agent's answered leg that is still up, if any."""
        legs = self._legs.values()
        return next(
            (g for g in legs if g.agent_id == agent_id and g.state is LegState.TALKING), None
        )

    def leg(self, uniqueid: str) -> Leg | None:
        return self._legs.get(uniqueid)

    def call_entries(self) -> dict[str, int]:
        """What the legs hold per call: the live legs and the Originates ringing
        (``acd.call_tables``)."""
        return {"legs": len(self._legs), "rings": len(self._rings)}

    def legs(self) -> list[Leg]:
        return list(self._legs.values())

    # ------------------------------------------------------------ stepping

    def step(self, uniqueid: str, event: LegInput) -> None:
        """Step the leg ``uniqueid`` (consumers call this with AMI's news); unknown: none."""
        leg = self._legs.get(uniqueid)
        if leg is not None:
            self._step(leg, event)

    def _step(self, leg: Leg, event: LegInput) -> None:
        moved = step(leg, event)
        if moved.leg.state is LegState.ENDED:
            self._legs.pop(leg.uniqueid, None)
        else:
            self._legs[leg.uniqueid] = moved.leg
        for effect in moved.effects:
            match effect:
                case HangUpLeg():
                    self._tasks.spawn(self._hang_up(effect.uniqueid), name="hang up")
                case FeedCore():
                    self._feed(effect.input)

    def _ringing(self, call_id: str) -> Leg | None:
        legs = self._legs.values()
        return next((g for g in legs if g.call_id == call_id and g.state is LegState.RINGING), None)

    def _forget_ring(self, call_id: str, task: asyncio.Task[None]) -> None:
        if self._rings.get(call_id) is task:
            del self._rings[call_id]

    async def _originate(self, uniqueid: str, action: Originate, limit_s: float) -> None:
        try:
            result = await self._ami.send_action(action, timeout=limit_s)
        except AmiError as exc:
            log.warning("ringing leg %s failed: %s", uniqueid, exc)
            self.step(uniqueid, RingFailed(why=str(exc), at=self._clock.now()))
            return
        answered, why, _ = outcome(result)
        if answered:
            self.step(uniqueid, Answered(at=self._clock.now()))
        else:
            self.step(uniqueid, NotAnswered(reason=OfferFailure(why), at=self._clock.now()))

    async def _hang_up(self, uniqueid: str) -> None:
        try:
            await self._ami.send_action(Hangup(channel=uniqueid, cause=16))
        except AmiError as exc:
            log.info("hang-up of %s: %s", uniqueid, exc)

    async def idle(self) -> None:
        """Wait until every ring and hang-up started so far is done (for tests)."""
        await self._tasks.idle()

    async def close(self) -> None:
        await self._tasks.close()
