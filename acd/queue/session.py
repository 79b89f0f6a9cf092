"""A caller's wait in a topic queue, in their FastAGI session, until an agent answers.

The caller hears Dutch ringback from Asterisk's tone generator and, every N rings, the
waiting message, timed by the controller's clock to the millisecond rather than by
app_queue's once-a-second polling. N rings is the site's:
``norms.waiting_message_every_rings`` rings of ``norms.ring_cycle_s`` (4 Dutch rings of
5 s by default). When an agent answers, their leg's ``Bridge`` takes the caller out of
this session; Asterisk then sends ``HANGUP`` and the session ends.

``KCC_TOPIC`` is set before the caller joins: should the controller die from then on,
Asterisk sees the FastAGI socket close, ``AGI()`` returns and the dialplan puts the
caller in the app_queue queue of that topic, so they keep being answered.

No caller waits longer than ``norms.max_wait_s``: then they leave the queue, hear
:data:`MAX_WAIT_PROMPT` (it is busy, call again or arrange it online) and the call ends,
kept out of the fallback queues (docs/decisions.md, "Maximum time in the queue").
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from acd.agi import AgiHangup
from acd.agi.port import AgiChannel
from acd.clock import Clock, within
from acd.queue.service import QueuedCaller, QueueService
from acd.waiting import CallerWaitAnnouncer, waiting_message
from contract import EventSink
from contract import events as stream
from contract.dialplan import HANDLED, Var

log = logging.getLogger(__name__)

MAX_WAIT_PROMPT = "queue-max-wait"
MAX_WAIT_TEXTS: dict[str, str] = {
    MAX_WAIT_PROMPT: (
        "Het spijt ons, u heeft lang gewacht en er is nog steeds geen medewerker vrij. "
        "Wilt u het later opnieuw proberen? Veel zaken regelt u ook op de website van uw "
        "gemeente. Dank u wel voor uw geduld."
    ),
}
"""What a caller hears when the longest wait is over, by prompt id (rendered once)."""


class QueueWait:
    """Runs the waits of every queued caller; one ``wait`` per FastAGI session."""

    def __init__(
        self,
        queue: QueueService,
        sink: EventSink,
        clock: Clock,
        *,
        prompt_name: Callable[[str], str],
        message_interval_s: float,
        max_wait_s: float | None = None,
    ) -> None:
        if message_interval_s <= 0:
            raise ValueError(f"message_interval_s must be > 0, got {message_interval_s}")
        if max_wait_s is not None and max_wait_s <= 0:
            raise ValueError(f"max_wait_s must be > 0, got {max_wait_s}")
        self._queue, self._sink, self._clock = queue, sink, clock
        self._prompt_name, self._interval = prompt_name, message_interval_s
        self._max_wait = max_wait_s

    async def wait(self, agi: AgiChannel, caller: QueuedCaller) -> None:
        """Join the queue at the back and wait there until answered, gone or the
        longest wait is over."""
        # Set first: should the controller die from here on, the dialplan's fallback
        # queues the caller for the same topic.
        await agi.set_variable(Var.TOPIC, caller.topic)
        self._queue.join(caller)
        waited_out = False
        try:
            waited_out = await self._wait(agi, caller)
        except AgiHangup:
            pass
        finally:
            answered = await self._queue.left(caller.call_id)
            log.info(
                "call %s left the queue (%s)",
                caller.call_id,
                "answered" if answered else "waited too long" if waited_out else "gone",
            )
        if waited_out and not answered:
            await self._send_away(agi)

    async def _send_away(self, agi: AgiChannel) -> None:
        """The longest wait is over: say so; the dialplan then hangs up (no fallback)."""
        try:
            await agi.set_variable(Var.HANDLED, HANDLED)
            await agi.exec("StopPlaytones")
            await agi.stream_file(self._prompt_name(MAX_WAIT_PROMPT))
        except AgiHangup:
            pass

    async def _wait(self, agi: AgiChannel, caller: QueuedCaller) -> bool:
        """Ringback and waiting messages; True once the longest wait is over."""
        announcer = CallerWaitAnnouncer()
        await agi.exec("Playtones", "ring")
        now = self._clock.monotonic()
        deadline = None if self._max_wait is None else now + self._max_wait
        next_message = now + self._interval
        while True:
            until = next_message if deadline is None else min(next_message, deadline)
            left_early, _ = await within(
                self._clock, max(0.0, until - self._clock.monotonic()), agi.wait_hangup()
            )
            if left_early:
                raise AgiHangup(f"{agi.env.channel} hung up while waiting")
            if deadline is not None and self._clock.monotonic() >= deadline:
                return True
            await self._say_wait(agi, caller, announcer)
            await agi.exec("Playtones", "ring")
            # N full rings between two messages, however long the message took.
            next_message = self._clock.monotonic() + self._interval

    async def _say_wait(
        self, agi: AgiChannel, caller: QueuedCaller, announcer: CallerWaitAnnouncer
    ) -> None:
        snapshot = self._queue.snapshot(caller.call_id)
        if snapshot is None:
            return
        message = waiting_message(snapshot.position, announcer.tell(snapshot), caller.municipality)
        await agi.exec("StopPlaytones")
        for fragment in message.fragments:
            await agi.stream_file(self._prompt_name(fragment))
        self._sink.publish(
            stream.CallAnnounced(
                at=self._clock.now(),
                call_id=caller.call_id,
                position=snapshot.position,
                wait_text=message.display_text,
            )
        )
