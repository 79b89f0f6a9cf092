"""The integration tests' blocking AMI session, on acd/ami's own sans-I/O core.

Tests drive real calls and wait for the events Asterisk really sends; nothing here
sleeps for a fixed time. ``AmiProtocol`` frames the bytes both ways, as it does for
the controller: a reader thread feeds it from the socket and records every event,
and ``action`` sends the typed actions of ``acd.ami.actions``. So the project has
one AMI parser. There is no reconnect or keep-alive here: a session that drops
fails the test that needed it.

Frames reach the tests as plain string dicts, the shape assertions read best in: a
repeated key (ChanVariable, Output) holds its values joined by newlines, and an
event carries ``_received``, its ``time.monotonic()`` arrival as a string.

An answer ends where the controller's correlator (acd/ami/correlate.py) ends it:
with the Response; when the Response announces a list (``EventList: start``), with
the event marked ``EventList: Complete``; for an asynchronous Originate, with its
``final_event``.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from types import TracebackType
from typing import ClassVar

from acd.ami import frames
from acd.ami.actions import Action, Headers, Login, Logoff
from acd.ami.protocol import AmiProtocol

Frame = dict[str, str]
# CLI output (module show, pjsip show ...) comes as one frame; the product's 64 KiB
# bound is for a controller that must stay small, not for a test's own session.
_MAX_FRAME = 4 * 1024 * 1024


@dataclass(frozen=True, kw_only=True)
class Command(Action):
    """A CLI command; Asterisk 22 answers with one ``Output`` header per line.

    Only tests read CLI output, so this action is here, not among the product's.
    """

    name: ClassVar[str] = "Command"
    command: str

    def headers(self) -> Headers:
        return [("Command", self.command)]


@dataclass
class _Answer:
    """The frames answering one action, and whether they are all there."""

    action: Action
    received: list[frames.Response | frames.Event] = field(default_factory=list)
    response: frames.Response | None = None

    def add(self, frame: frames.Response | frames.Event) -> None:
        self.received.append(frame)
        if isinstance(frame, frames.Response):
            self.response = frame

    @property
    def complete(self) -> bool:
        response = self.response
        if response is None:
            return False
        if response.starts_list:
            last = self.received[-1]
            return isinstance(last, frames.Event) and last.completes_list
        final = self.action.final_event
        if final is None or response.kind is not frames.ResponseKind.SUCCESS:
            return True
        return any(isinstance(f, frames.Event) and f.name == final for f in self.received)


def as_dict(frame: frames.Response | frames.Event) -> Frame:
    """The frame's headers; a repeated key's values in arrival order, joined by newlines."""
    fields: Frame = {}
    for key, value in frame.items():
        fields[key] = f"{fields[key]}\n{value}" if key in fields else value
    return fields


class AmiWatch:
    """One logged-in AMI session that records every event; use as a context manager."""

    def __init__(self, host: str, port: int, username: str, secret: str) -> None:
        self._sock = socket.create_connection((host, port), timeout=5)
        self._sock.settimeout(None)
        self._protocol = AmiProtocol(max_frame_size=_MAX_FRAME, action_id_prefix="watch-")
        self._cond = threading.Condition()  # guards the protocol and all state below
        self._answers: dict[str, _Answer] = {}
        self._closed = False
        self.events: list[Frame] = []
        self.malformed: list[frames.MalformedFrame] = []
        self._reader = threading.Thread(target=self._read_loop, name="ami-watch", daemon=True)
        self._reader.start()
        try:
            reply = self.action(Login(username=username, secret=secret))
            if reply[0].get("Response") != "Success":
                raise RuntimeError(f"AMI login failed: {reply[:1]}")
        except BaseException:
            self.close()
            raise

    # ------------------------------------------------------------ reading

    def _read_loop(self) -> None:
        while True:
            try:
                chunk = self._sock.recv(65536)
            except OSError:
                chunk = b""
            with self._cond:
                self._protocol.receive_data(chunk)
                while (frame := self._protocol.next_event()) is not None:
                    self._dispatch(frame)
                self._cond.notify_all()
            if not chunk:
                return

    def _dispatch(self, frame: frames.Frame) -> None:
        if isinstance(frame, frames.Event):
            received = as_dict(frame)
            received["_received"] = repr(time.monotonic())
            self.events.append(received)
        if isinstance(frame, frames.Response | frames.Event):
            answer = self._answers.get(frame.action_id or "")
            if answer is not None:
                answer.add(frame)
        elif isinstance(frame, frames.MalformedFrame):
            self.malformed.append(frame)
        elif isinstance(frame, frames.ConnectionClosed):
            self._closed = True

    # ------------------------------------------------------------ asking

    def action(self, action: Action, *, timeout_s: float = 10) -> list[Frame]:
        """Send ``action``; its Response, then the events of its answer, as dicts."""
        with self._cond:
            outgoing = self._protocol.send(action)
            answer = self._answers[outgoing.action_id] = _Answer(action)
        try:
            self._sock.sendall(outgoing.data)
            with self._cond:
                if not self._cond.wait_for(lambda: answer.complete or self._closed, timeout_s):
                    raise TimeoutError(f"no answer to {action.name} within {timeout_s} s")
                if not answer.complete:
                    raise ConnectionError(f"AMI closed the session before answering {action.name}")
                return [as_dict(f) for f in answer.received]
        finally:
            with self._cond:
                del self._answers[outgoing.action_id]

    def command(self, cli: str) -> str:
        """What the CLI command printed, one line per ``Output`` header."""
        reply = self.action(Command(command=cli))
        return reply[0].get("Output", "")

    # ------------------------------------------------------------ waiting

    def wait_for(
        self,
        name: str,
        timeout_s: float = 30,
        *,
        since: int = 0,
        where: Callable[[Frame], bool] = lambda f: True,
    ) -> Frame:
        """The first event ``name`` at index >= ``since`` (see ``mark``) that matches ``where``."""

        def find() -> Frame | None:
            for frame in self.events[since:]:
                if frame.get("Event") == name and where(frame):
                    return frame
            return None

        with self._cond:
            self._cond.wait_for(lambda: find() is not None or self._closed, timeout=timeout_s)
            hit = find()
            if hit is None:
                seen = sorted({f.get("Event", "?") for f in self.events[since:]})
                raise AssertionError(
                    f"no {name} event within {timeout_s} s "
                    f"(closed={self._closed}, saw: {', '.join(seen)})"
                )
            return hit

    def mark(self) -> int:
        """How many events are recorded so far: ``since`` for a later ``wait_for``."""
        with self._cond:
            return len(self.events)

    # ------------------------------------------------------------ closing

    def close(self) -> None:
        with self._cond:
            logoff = None if self._closed else self._protocol.send(Logoff())
        if logoff is not None:
            with contextlib.suppress(OSError):
                self._sock.sendall(logoff.data)
        with contextlib.suppress(OSError):
            self._sock.shutdown(socket.SHUT_RDWR)
        self._sock.close()
        self._reader.join(timeout=5)

    def __enter__(self) -> AmiWatch:
        return self

    def __exit__(self, *exc: object | TracebackType) -> None:
        self.close()
