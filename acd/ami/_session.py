"""One live AMI connection: feeds bytes to the protocol and routes the frames.

The session glues the sans-I/O parts together for a single socket: frames
answering our actions go to the Correlator and resolve the waiting futures;
every other event is typed and put on the shared EventStream. It owns no
tasks; AmiClient runs the reader and keep-alive that call into it.
"""

from __future__ import annotations

import asyncio
import logging

from acd.ami.actions import Action
from acd.ami.correlate import ActionResult, Correlator
from acd.ami.errors import AmiConnectionError, AmiTimeoutError
from acd.ami.event_stream import EventStream
from acd.ami.events import EventFactory
from acd.ami.frames import Banner, Event, MalformedFrame, Response
from acd.ami.protocol import AmiProtocol

log = logging.getLogger(__name__)
_LOGGED_RAW = 200  # bytes of a malformed frame shown in the warning; debug has all


class Session:
    """Routing for one socket; ``close`` fails whatever is still waiting on it."""

    def __init__(
        self,
        *,
        peer: str,
        protocol: AmiProtocol,
        factory: EventFactory,
        writer: asyncio.StreamWriter,
        stream: EventStream,
    ) -> None:
        self.peer = peer
        self._protocol = protocol
        self._factory = factory
        self._correlator = Correlator(factory)
        self._writer = writer
        self._stream = stream
        self._futures: dict[str, asyncio.Future[ActionResult]] = {}
        self._closed: AmiConnectionError | None = None
        self.banner: Banner | None = None
        self.malformed = 0

    def feed(self, data: bytes) -> None:
        """Process bytes from the socket (``b""`` at end of stream)."""
        protocol = self._protocol
        protocol.receive_data(data)
        if not data and self._closed is None:  # refuse new requests from here on
            self._closed = AmiConnectionError(f"{self.peer} closed the connection")
        while (frame := protocol.next_event()) is not None:
            if isinstance(frame, Event):
                self._on_event(frame)
            elif isinstance(frame, Response):
                self._on_response(frame)
            elif isinstance(frame, MalformedFrame):
                self._on_malformed(frame)
            elif isinstance(frame, Banner):
                self.banner = frame
                log.info("AMI %s: %s/%s", self.peer, frame.product, frame.version)

    def _on_event(self, frame: Event) -> None:
        claim = self._correlator.feed(frame)
        if claim.claimed:
            if claim.completed is not None:
                self._resolve(claim.completed)
            return
        self._stream.put(self._factory.build(frame))

    def _on_response(self, frame: Response) -> None:
        claim = self._correlator.feed(frame)
        if claim.completed is not None:
            self._resolve(claim.completed)
        elif not claim.claimed:
            log.debug("AMI %s: response for no pending action: %s", self.peer, frame)

    def _on_malformed(self, frame: MalformedFrame) -> None:
        self.malformed += 1
        log.warning("AMI %s: %s; raw: %r", self.peer, frame.reason, frame.raw[:_LOGGED_RAW])
        log.debug("AMI %s: malformed frame in full: %r", self.peer, frame.raw)

    def _resolve(self, result: ActionResult) -> None:
        future = self._futures.get(result.action_id)
        if future is not None and not future.done():
            future.set_result(result)

    async def request(
        self, action: Action, *, limit: float, timeout_s: float | None = None
    ) -> ActionResult:
        """Send ``action`` and wait up to ``limit`` seconds for its whole answer.

        On expiry the ActionID is abandoned, so a late answer is swallowed. The error
        names ``timeout_s``, the timeout the caller set (``limit`` is what is left of
        it after waiting for a connection), or ``limit`` when none is given.
        """
        if self._closed is not None:
            raise self._closed
        outgoing = self._protocol.send(action)
        action_id = outgoing.action_id
        future: asyncio.Future[ActionResult] = asyncio.get_running_loop().create_future()
        self._correlator.expect(action_id, action)
        self._futures[action_id] = future
        try:
            async with asyncio.timeout(limit):
                self._writer.write(outgoing.data)
                await self._writer.drain()
                return await future
        except TimeoutError:
            self._correlator.abandon(action_id)
            raise AmiTimeoutError(
                f"{action.name} (ActionID {action_id}) got no complete answer from "
                f"{self.peer} within {limit if timeout_s is None else timeout_s:g} s"
            ) from None
        except ConnectionError as exc:
            raise AmiConnectionError(
                f"lost {self.peer} while sending {action.name}: {exc}"
            ) from exc
        finally:
            self._futures.pop(action_id, None)

    def close(self, reason: AmiConnectionError) -> None:
        """Fail every action in flight with ``reason`` and drop the socket."""
        self._closed = self._closed or reason
        self._correlator.drain()
        for future in self._futures.values():
            if not future.done():
                future.set_exception(self._closed)
        self._writer.transport.abort()
