"""A caller who dialled a back-office colleague's own number, until answered or fallen back.

The caller hears Dutch ringback from their FastAGI session while the controller rings
the extension (``BackOffice.ring_direct``). Answered, the colleague's ``Bridge`` takes
the caller out of this session. Not answered within the department's
``fallback_after_s`` (busy and unreachable at once), the call **falls back to the
TIC**: it joins the general queue at the back, like any new caller, with
``fell_back_from`` naming the department - no priority, no hunt group.

``KCC_TOPIC`` is set before ringing, so should the controller die meanwhile, the
dialplan still queues the caller for the TIC.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from acd.agi import AgiHangup, AgiSession
from acd.backoffice import ANSWERED, CALLER_LEFT, BackOffice, Ring
from acd.caller_session import CallerSession

log = logging.getLogger(__name__)

# How long to wait for the Originate answer once the colleague's leg is seen up: AMI
# reports it within milliseconds of the Bridge that took the caller.
SETTLE_S = 5.0


class DirectCallSession:
    """Rings the dialled colleague, then falls back to the TIC's general queue."""

    def __init__(
        self,
        agi: AgiSession,
        backoffice: BackOffice,
        tic_queue: Callable[[AgiSession], CallerSession],
        *,
        general_topic: str,
    ) -> None:
        self._agi, self._backoffice = agi, backoffice
        self._tic_queue, self._general = tic_queue, general_topic

    async def run(self) -> None:
        agi = self._agi
        call_id = await agi.get_variable("CHANNEL(linkedid)") or agi.env.uniqueid
        extension, caller = agi.env.extension, agi.env.callerid or ""
        department = self._backoffice.department_of(extension)
        if department is None:
            # The dialplan sends only department extensions here: a site/dialplan mismatch.
            log.error("direct call %s to %s, which is no back-office extension", call_id, extension)
            await self._fall_back(call_id, caller, None)
            return
        await agi.set_variable("KCC_TOPIC", self._general)
        ring = self._backoffice.open_direct(call_id, extension, caller)
        try:
            await agi.exec("Playtones", "ring")
        except AgiHangup:
            await self._backoffice.abandon(ring)
            return
        outcome = await self._ring(ring, caller)
        if outcome == ANSWERED:
            # The Originate answer can come before the colleague's Bridge takes the
            # caller: ending the session now would run the dialplan on, into the
            # fallback queue. Stay until Asterisk says the caller left FastAGI.
            await agi.wait_hangup()
            return
        if outcome == CALLER_LEFT:
            return
        log.info("direct call %s to %s not answered (%s): to the TIC", call_id, extension, outcome)
        await self._fall_back(call_id, caller, department)

    async def _ring(self, ring: Ring, caller: str) -> str:
        env = self._agi.env
        ringing = asyncio.ensure_future(
            self._backoffice.ring_direct(ring, env.channel, env.uniqueid, caller)
        )
        left = asyncio.ensure_future(self._agi.wait_hangup())
        try:
            await asyncio.wait({ringing, left}, return_when=asyncio.FIRST_COMPLETED)
            # The caller left FastAGI: hung up, or taken by the colleague's Bridge a
            # moment before the Originate answer arrives. The leg's state tells which.
            if not ringing.done() and await self._backoffice.leg_answered(ring):
                await asyncio.wait({ringing}, timeout=SETTLE_S)
            if ringing.done():
                return ringing.result()
            ringing.cancel()
            await asyncio.gather(ringing, return_exceptions=True)
            return await self._backoffice.abandon(ring)
        finally:
            left.cancel()
            await asyncio.gather(left, return_exceptions=True)

    async def _fall_back(self, call_id: str, caller: str, department: str | None) -> None:
        try:
            await self._agi.exec("StopPlaytones")
            await self._tic_queue(self._agi).wait_in_queue(
                call_id, caller, self._general, None, fell_back_from=department
            )
        except AgiHangup:
            log.info("direct call %s: the caller left before joining the TIC queue", call_id)
