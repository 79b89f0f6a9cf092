"""DirectRinger: a direct call rings the dialled colleague over AMI, as a TIC agent is rung.

``Originate`` of ``PJSIP/<ext>`` with ``Bridge`` to the caller under our own
``ChannelId``, for the department's ``fallback_after_s``. The answer says whether the
colleague answered; after a colleague's pickup (``*8``) the channel that answered is the
picking phone's, which takes the call over while ours is hung up. Each step of the ring
follows ``acd.backoffice.machine`` and its events go to the sink. The caller side (the
ringback, the fallback to the TIC) is ``acd.backoffice.session``.
"""

from __future__ import annotations

import logging
from enum import Enum

from acd.ami import AmiError
from acd.ami.actions import Hangup
from acd.ami.channels import LiveChannels
from acd.ami.originate import (
    ORIGINATE_SLACK_S,
    bridge_originate,
    channel_state,
    outcome,
)
from acd.ami.port import AmiPort
from acd.backoffice.directory import Departments
from acd.backoffice.machine import (
    Answered,
    HangupAsked,
    HungUp,
    NotAnswered,
    Ring,
    RingInput,
    RingNumbers,
    open_ring,
    step,
)
from acd.clock import Clock
from contract import EventSink, StreamEvent
from contract.dialplan import Var
from contract.vocabulary import RingFailure, RingKind

log = logging.getLogger(__name__)


class Answer(Enum):
    """How a direct ring ended for the caller's session."""

    ANSWERED = "answered"  # the colleague has the caller
    CALLER_LEFT = "caller_left"  # the caller hung up while it rang
    NOT_ANSWERED = "not_answered"  # to the TIC


_LABELS = {RingKind.DIRECT: "Rechtstreeks", RingKind.CAMP_ON: "Erachter gezet"}
"""What the colleague's display says of a ring, before the caller's number."""


class DirectRinger:
    """Rings colleagues for direct calls; keeps the answered ones until they end."""

    def __init__(
        self,
        ami: AmiPort,
        sink: EventSink,
        clock: Clock,
        departments: Departments,
        numbers: RingNumbers,
    ) -> None:
        self._ami, self._sink, self._clock = ami, sink, clock
        self._departments, self._numbers = departments, numbers
        self._answered: dict[str, Ring] = {}  # the leg's and the caller's uniqueid -> ring
        self._gave_up: set[tuple[str, int]] = set()  # (call, ring) a camp-on's caller gave up

    @property
    def departments(self) -> Departments:
        return self._departments

    def open(
        self, call_id: str, extension: str, caller: str, kind: RingKind = RingKind.DIRECT
    ) -> Ring:
        """A direct (or camp-on) call starts ringing ``extension`` (a department's)."""
        department = self._departments.department_of(extension)
        if department is None:
            raise ValueError(f"{extension} is no back-office extension")
        opened = open_ring(
            call_id,
            self._numbers.next(call_id),
            kind,
            department,
            extension,
            at=self._clock.now(),
            caller=caller,
        )
        self._publish(opened.events)
        return opened.ring

    async def ring(
        self, ring: Ring, caller_channel: str, caller_uniqueid: str, caller: str
    ) -> Answer:
        """Ring until answered or the fallback time."""
        timeout = self._departments.fallback_after_s(ring.extension)
        action = bridge_originate(
            extension=ring.extension,
            caller_channel=caller_channel,
            ring_timeout_s=timeout,
            label=_LABELS[ring.kind],
            caller=caller,
            leg_id=leg_id(ring),
            variables={Var.CALL_ID: ring.call_id},
        )
        try:
            result = await self._ami.send_action(action, timeout=timeout + ORIGINATE_SLACK_S)
        except AmiError as exc:
            log.warning("ringing %s for %s failed: %s", ring.extension, ring.call_id, exc)
            self._gave_up.discard((ring.call_id, ring.ring))
            await self.hang_up(leg_id(ring))
            self._step(ring, NotAnswered(RingFailure.ERROR, self._clock.now()))
            return Answer.NOT_ANSWERED
        answered, why, answering = outcome(result)
        if not answered:
            reason = RingFailure.CANCELLED if self._given_up(ring) else RingFailure(why)
            self._step(ring, NotAnswered(reason, self._clock.now()))
            return Answer.NOT_ANSWERED
        leg = answering or leg_id(ring)
        moved = self._step(ring, Answered(self._clock.now(), leg=leg, caller_leg=caller_uniqueid))
        self._answered[leg] = self._answered[caller_uniqueid] = moved
        return Answer.ANSWERED

    async def give_up(self, ring: Ring) -> None:
        """The caller of a camp-on gave this ring up (a key): stop the phone ringing. The
        Originate's answer then follows and is published as ``cancelled``; should the
        colleague have answered at this very moment, it is an answer."""
        self._gave_up.add((ring.call_id, ring.ring))
        await self.hang_up(leg_id(ring))

    def _given_up(self, ring: Ring) -> bool:
        given = (ring.call_id, ring.ring) in self._gave_up
        self._gave_up.discard((ring.call_id, ring.ring))
        return given

    async def abandon(self, ring: Ring) -> Answer:
        """The caller hung up while the extension rang: stop ringing it."""
        await self.hang_up(leg_id(ring))
        self._step(ring, NotAnswered(RingFailure.CALLER_LEFT, self._clock.now()))
        self.caller_gone(ring.call_id)
        return Answer.CALLER_LEFT

    def caller_gone(self, call_id: str) -> None:
        """The caller left: the call is over, and so is its ring numbering. The caller's
        AMI ``Hangup`` forgets it too, but it may come before the session opened its
        ring (the caller hung up as it started) or never (an AMI reconnect)."""
        self._numbers.forget(call_id)

    async def leg_state(self, ring: Ring) -> str | None:
        """The colleague's leg's ``CHANNEL(state)``; None once Asterisk has no such leg.

        A leg is answered (``Up``) before it bridges the caller, and gone once a pickup
        took its call over."""
        return await channel_state(self._ami, leg_id(ring))

    async def hang_up(self, uniqueid: str) -> None:
        try:
            await self._ami.send_action(Hangup(channel=uniqueid, cause=16))
        except AmiError as exc:
            log.info("hang-up of %s: %s", uniqueid, exc)

    # ------------------------------------------------------------ answered calls

    def hangup_asked(self, uniqueid: str) -> None:
        ring = self._answered.get(uniqueid)
        if ring is not None:
            self._replace(ring, self._step(ring, HangupAsked(uniqueid, self._clock.now())))

    def hung_up(self, uniqueid: str) -> None:
        ring = self._answered.get(uniqueid)
        if ring is not None:
            self._replace(ring, self._step(ring, HungUp(uniqueid, self._clock.now())))

    def reconcile(self, live: LiveChannels) -> None:
        """End the answered calls that lost a side while AMI was away, as its
        ``Hangup`` would have (the caller's side first when both are gone)."""
        for ring in dict.fromkeys(self._answered.values()):
            gone = [u for u in (ring.caller_leg, ring.leg) if not live.has(u)]
            if gone:
                log.info("resync: direct call %s to %s is over", ring.call_id, ring.extension)
                self.hung_up(gone[0])

    @property
    def answered_calls(self) -> int:
        """Answered direct calls still going on."""
        return len({r.call_id for r in self._answered.values()})

    def call_entries(self) -> dict[str, int]:
        """What the back office holds per call: the answered direct calls' channels and
        the rings a camped-on caller gave up (``acd.call_tables``)."""
        return {"answered": len(self._answered), "gave_up": len(self._gave_up)}

    def _replace(self, old: Ring, new: Ring) -> None:
        for uniqueid in (old.leg, old.caller_leg):
            if new.finished:
                self._answered.pop(uniqueid, None)
            else:
                self._answered[uniqueid] = new

    def _step(self, ring: Ring, event: RingInput) -> Ring:
        moved = step(ring, event)
        self._publish(moved.events)
        return moved.ring

    def _publish(self, events: tuple[StreamEvent, ...]) -> None:
        for event in events:
            self._sink.publish(event)


def leg_id(ring: Ring) -> str:
    """Our uniqueid for the colleague's leg of a direct ring."""
    return f"kcc-{ring.call_id}-d{ring.ring}"
