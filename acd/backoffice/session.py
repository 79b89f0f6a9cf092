"""A caller who dialled a back-office colleague's own number, until answered or fallen back.

The caller hears Dutch ringback from their FastAGI session while the colleague's phone
rings (``DirectRinger.ring``). Answered, the colleague's ``Bridge`` takes the caller out
of this session. Not answered within the department's ``fallback_after_s`` (busy and
unreachable at once), the call **falls back to the TIC**: it joins the general queue at
the back, like any new caller, with ``fell_back_from`` naming the department - no
priority, no hunt group.

A colleague already **in a call** is not rung at once: the caller is offered to camp
on (``BusyLine``, ``acd.campon``: "toets 1 om te wachten"). Camped on, that room has the
caller from then on; declining (no key, another key) falls back to the TIC at once, as
an unanswered ring would, without ringing a phone whose owner is talking.

``KCC_TOPIC`` is set before ringing, so should the controller die meanwhile, the
dialplan still queues the caller for the TIC.
"""

from __future__ import annotations

import asyncio
import logging
from enum import Enum
from typing import Protocol

from acd.agi import AgiHangup
from acd.agi.port import AgiChannel
from acd.backoffice.machine import Ring
from acd.backoffice.service import Answer, DirectRinger
from acd.clock import Clock, within
from acd.queue.service import QueuedCaller
from acd.queue.session import QueueWait
from contract.dialplan import Var

log = logging.getLogger(__name__)

SETTLE_S = 5.0
"""How long to wait for the Originate's answer once the colleague's leg is seen up: AMI
reports it within milliseconds of the Bridge that took the caller."""
PICKUP_S = 1.0
"""How long to wait for it when our leg is gone: a colleague's pickup (``*8``) takes the
call over, Asterisk hangs our leg up and answers the Originate with the picking phone's
channel, at about the moment the caller leaves FastAGI (before or after it)."""


class Offered(Enum):
    """What came of offering a direct caller to camp on a colleague in a call."""

    LINE_NOT_BUSY = "line_not_busy"  # not in a call: ring the colleague as usual
    CAMPED_ON = "camped_on"  # the camp-on had the caller, and is over
    DECLINED = "declined"  # no key for it: to the TIC now


class BusyLine(Protocol):
    """Offers a caller of a colleague in a call to wait for them (``acd.campon``)."""

    async def offer(
        self, agi: AgiChannel, call_id: str, extension: str, caller: str
    ) -> Offered: ...


class DirectCalls:
    """Runs direct calls; one ``run`` per FastAGI session."""

    def __init__(
        self,
        ringer: DirectRinger,
        queue_wait: QueueWait,
        clock: Clock,
        *,
        general_topic: str,
        busy_line: BusyLine | None = None,
    ) -> None:
        self._ringer, self._queue_wait, self._clock = ringer, queue_wait, clock
        self._general, self._busy_line = general_topic, busy_line

    async def run(self, agi: AgiChannel) -> None:
        call_id = await agi.get_variable("CHANNEL(linkedid)") or agi.env.uniqueid
        extension, caller = agi.env.extension, agi.env.callerid or ""
        department = self._ringer.departments.department_of(extension)
        if department is None:
            # The dialplan sends only department extensions here: a site/dialplan mismatch.
            log.error("direct call %s to %s, which is no back-office extension", call_id, extension)
            await self._fall_back(agi, call_id, caller, None)
            return
        await agi.set_variable(Var.TOPIC, self._general)
        if self._busy_line is not None:
            try:
                offered = await self._busy_line.offer(agi, call_id, extension, caller)
            except AgiHangup:
                return
            if offered is Offered.CAMPED_ON:
                return
            if offered is Offered.DECLINED:
                log.info("direct call %s to %s, in a call: to the TIC", call_id, extension)
                await self._fall_back(agi, call_id, caller, department)
                return
        ring = self._ringer.open(call_id, extension, caller)
        try:
            await agi.exec("Playtones", "ring")
        except AgiHangup:
            await self._ringer.abandon(ring)
            return
        answer = await ring_caller(self._ringer, self._clock, agi, ring)
        if answer is Answer.ANSWERED:
            # The Originate's answer can come before the colleague's Bridge takes the
            # caller: ending the session now would run the dialplan on, into the
            # fallback queue. Stay until Asterisk says the caller left FastAGI.
            await agi.wait_hangup()
            return
        if answer is Answer.CALLER_LEFT:
            return
        log.info("direct call %s to %s not answered: to the TIC", call_id, extension)
        await self._fall_back(agi, call_id, caller, department)

    async def _fall_back(
        self, agi: AgiChannel, call_id: str, caller: str, department: str | None
    ) -> None:
        try:
            await agi.exec("StopPlaytones")
            queued = QueuedCaller(
                call_id, agi.env.channel, caller, self._general, None, fell_back_from=department
            )
            await self._queue_wait.wait(agi, queued)
        except AgiHangup:
            log.info("direct call %s: the caller left before joining the TIC queue", call_id)
            self._ringer.caller_gone(call_id)


async def ring_caller(ringer: DirectRinger, clock: Clock, agi: AgiChannel, ring: Ring) -> Answer:
    """Ring ``ring``'s colleague for the caller in ``agi`` until answered, not answered,
    or the caller left (the ring is then abandoned). A camp-on rings this way too."""
    env = agi.env
    caller = env.callerid or ""
    ringing = asyncio.ensure_future(ringer.ring(ring, env.channel, env.uniqueid, caller))
    left = asyncio.ensure_future(agi.wait_hangup())
    try:
        await asyncio.wait({ringing, left}, return_when=asyncio.FIRST_COMPLETED)
        # The caller left FastAGI: hung up, or taken by the colleague's Bridge (or a
        # pickup's) a moment before the Originate's answer arrives. The leg's state
        # tells which: still ringing means the caller hung up, so it stops at once.
        if not ringing.done():
            state = await ringer.leg_state(ring)
            if state == "Up":
                await within(clock, SETTLE_S, asyncio.shield(ringing))
            elif state is None:
                await within(clock, PICKUP_S, asyncio.shield(ringing))
        if ringing.done():
            return ringing.result()
        ringing.cancel()
        await asyncio.gather(ringing, return_exceptions=True)
        return await ringer.abandon(ring)
    finally:
        left.cancel()
        await asyncio.gather(left, return_exceptions=True)
