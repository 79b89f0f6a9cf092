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
from contract.dialplan import Var

log = logging.getLogger(__name__)


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
    ) -> None:
        if message_interval_s <= 0:
            raise ValueError(f"message_interval_s must be > 0, got {message_interval_s}")
        self._queue, self._sink, self._clock = queue, sink, clock
        self._prompt_name, self._interval = prompt_name, message_interval_s

    async def wait(self, agi: AgiChannel, caller: QueuedCaller) -> None:
        """Join the queue at the back and wait there until answered or gone."""
        # Set first: should the controller die from here on, the dialplan's fallback
        # queues the caller for the same topic.
        await agi.set_variable(Var.TOPIC, caller.topic)
        self._queue.join(caller)
        try:
            await self._wait(agi, caller)
        except AgiHangup:
            pass
        finally:
            answered = await self._queue.left(caller.call_id)
            log.info(
                "call %s left the queue (%s)", caller.call_id, "answered" if answered else "gone"
            )

    async def _wait(self, agi: AgiChannel, caller: QueuedCaller) -> None:
        announcer = CallerWaitAnnouncer()
        await agi.exec("Playtones", "ring")
        next_message = self._clock.monotonic() + self._interval
        while True:
            left_early, _ = await within(
                self._clock, max(0.0, next_message - self._clock.monotonic()), agi.wait_hangup()
            )
            if left_early:
                raise AgiHangup(f"{agi.env.channel} hung up while waiting")
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
