"""One caller on 14023, from the first prompt until an agent answers or they hang up.

The caller's channel stays in one FastAGI session the whole time the controller
serves it: the IVR runs there, and so does the wait in the topic queue - Dutch
ringback from Asterisk's tone generator, and every 4 rings the waiting message,
timed by the controller to the millisecond rather than by app_queue's
once-a-second polling. The interval is the site's: ``norms.waiting_message_every_rings``
rings of ``norms.ring_cycle_s`` (4 Dutch rings of 5 s by default). When an agent
answers, their channel bridges to the caller (``Bridge``), which takes the caller out
of this session; Asterisk then sends ``HANGUP`` and the session ends.

If the controller dies, Asterisk sees the FastAGI socket close, ``AGI()``
returns and the dialplan puts the caller in the app_queue queue of the topic
set here with ``KCC_TOPIC`` - they keep being answered.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from acd.agi import AgiHangup, AgiSession
from acd.waiting import CallerWaitAnnouncer, QueueSnapshot, waiting_message
from ivr_flows.engine import EnterQueue, RecordStep
from ivr_flows.model import Flow
from ivr_flows.runner import IvrContext, run_ivr

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Joined:
    """What the controller needs to know when a caller joins a queue."""

    call_id: str
    channel: str
    caller: str
    topic: str
    municipality: str | None
    fell_back_from: str | None = None  # the department whose direct call was not answered


class QueueHost(Protocol):
    """What a caller session asks of the controller (implemented by ``Controller``)."""

    def publish(self, type_: str, call_id: str, fields: dict[str, str]) -> None: ...

    def join(self, joined: Joined) -> None: ...

    def snapshot(self, call_id: str) -> QueueSnapshot | None:
        """The caller's queue now; None once they are no longer waiting."""
        ...

    async def left(self, call_id: str) -> bool:
        """The caller's session ended while queued; True when an agent had answered."""
        ...


class CallerSession:
    """Runs one caller: IVR, then the queue wait with its waiting messages."""

    def __init__(
        self,
        agi: AgiSession,
        host: QueueHost,
        *,
        flow: Flow,
        ivr_context: IvrContext,
        prompt_name: Callable[[str], str],
        message_interval_s: float,
    ) -> None:
        self._agi, self._host, self._flow = agi, host, flow
        self._ivr_context, self._prompt_name = ivr_context, prompt_name
        self._interval = message_interval_s
        self._announcer = CallerWaitAnnouncer()

    async def run(self) -> None:
        call_id = await self._agi.get_variable("CHANNEL(linkedid)") or self._agi.env.uniqueid
        caller = self._agi.env.callerid or ""
        self._host.publish(
            "call.started", call_id, {"caller": caller, "dialled": self._agi.env.extension}
        )
        try:
            outcome = await run_ivr(
                self._flow,
                self._agi,
                self._ivr_context,
                self._prompt_name,
                lambda step: self._step(call_id, step),
            )
        except AgiHangup:
            self._host.publish("call.ended", call_id, {"phase": "ivr", "by": "caller"})
            return
        if not isinstance(outcome, EnterQueue):
            await self._agi.set_variable("KCC_HANDLED", "1")
            self._host.publish("call.ended", call_id, {"phase": "closed", "by": "system"})
            return
        await self.wait_in_queue(call_id, caller, outcome.topic, outcome.municipality)

    def _step(self, call_id: str, step: RecordStep) -> None:
        fields = {"node": step.node, "digit": step.digit or "", "outcome": step.outcome}
        self._host.publish("call.ivr_step", call_id, fields)

    async def wait_in_queue(
        self,
        call_id: str,
        caller: str,
        topic: str,
        municipality: str | None,
        fell_back_from: str | None = None,
    ) -> None:
        """Join ``topic``'s queue at the back and wait there until answered or gone."""
        # Set first: should the controller die from here on, the dialplan's fallback
        # queues the caller for the same topic.
        await self._agi.set_variable("KCC_TOPIC", topic)
        joined = Joined(call_id, self._agi.env.channel, caller, topic, municipality, fell_back_from)
        self._host.join(joined)
        try:
            await self._wait(call_id, municipality)
        except AgiHangup:
            pass
        finally:
            answered = await self._host.left(call_id)
            log.info("call %s left the queue (%s)", call_id, "answered" if answered else "gone")

    async def _wait(self, call_id: str, municipality: str | None) -> None:
        loop = asyncio.get_running_loop()
        await self._agi.exec("Playtones", "ring")
        next_message = loop.time() + self._interval
        while True:
            await self._hangup_or_timeout(max(0.0, next_message - loop.time()))
            await self._say_wait(call_id, municipality)
            await self._agi.exec("Playtones", "ring")
            # Four full rings between two messages, however long the message took.
            next_message = loop.time() + self._interval

    async def _hangup_or_timeout(self, seconds: float) -> None:
        """Wait ``seconds`` of ringback; raise AgiHangup if the caller goes meanwhile."""
        try:
            await asyncio.wait_for(self._agi.wait_hangup(), timeout=seconds)
        except TimeoutError:
            return
        raise AgiHangup(f"{self._agi.env.channel} hung up while waiting")

    async def _say_wait(self, call_id: str, municipality: str | None) -> None:
        snapshot = self._host.snapshot(call_id)
        if snapshot is None:
            return
        position = snapshot.position
        message = waiting_message(position, self._announcer.tell(snapshot), municipality)
        await self._agi.exec("StopPlaytones")
        for fragment in message.fragments:
            await self._agi.stream_file(self._prompt_name(fragment))
        self._host.publish(
            "call.announced",
            call_id,
            {"position": str(position), "wait_text": message.display_text},
        )
