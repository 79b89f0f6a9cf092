"""A blocking AMI session: records every event, waits on them with deadlines.

Tests and the demo drive real calls and wait for the events Asterisk really sends;
nothing here sleeps for a fixed time.
"""

from __future__ import annotations

import contextlib
import itertools
import socket
import threading
import time
from collections.abc import Callable, Mapping
from types import TracebackType

Frame = dict[str, str]


class AmiWatch:
    def __init__(self, host: str, port: int, username: str, secret: str) -> None:
        self._sock = socket.create_connection((host, port), timeout=5)
        self._sock.settimeout(None)
        self._cond = threading.Condition()
        self.events: list[Frame] = []
        self._responses: dict[str, list[Frame]] = {}
        self._ids = itertools.count(1)
        self._closed = False
        self._reader = threading.Thread(target=self._read_loop, name="ami-watch", daemon=True)
        self._reader.start()
        try:
            reply = self.action({"Action": "Login", "Username": username, "Secret": secret})
            if not reply or reply[0].get("Response") != "Success":
                raise RuntimeError(f"AMI login failed: {reply[:1]}")
        except BaseException:
            self.close()
            raise

    def _read_loop(self) -> None:
        buf = b""
        while True:
            try:
                chunk = self._sock.recv(65536)
            except OSError:
                chunk = b""
            if not chunk:
                with self._cond:
                    self._closed = True
                    self._cond.notify_all()
                return
            buf += chunk
            while b"\r\n\r\n" in buf:
                raw, buf = buf.split(b"\r\n\r\n", 1)
                self._dispatch(raw.decode("utf-8", "replace"))

    def _dispatch(self, raw: str) -> None:
        frame: Frame = {}
        for line in raw.split("\r\n"):
            key, sep, value = line.partition(": ")
            if sep:
                # Repeated keys (ChanVariable, Output) are joined, one per line.
                frame[key] = f"{frame[key]}\n{value}" if key in frame else value
        with self._cond:
            if "Event" in frame:
                frame["_received"] = repr(time.monotonic())
                self.events.append(frame)
            action_id = frame.get("ActionID")
            if action_id is not None and action_id in self._responses:
                self._responses[action_id].append(frame)
            self._cond.notify_all()

    def action(
        self, fields: Mapping[str, str], *, until_event: str | None = None, timeout_s: float = 10
    ) -> list[Frame]:
        """Send an action; return its response (and list events up to `until_event`)."""
        action_id = f"t{next(self._ids)}"
        with self._cond:
            self._responses[action_id] = []
        lines = [f"{k}: {v}" for k, v in fields.items()] + [f"ActionID: {action_id}"]
        self._sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())

        def done() -> bool:
            got = self._responses[action_id]
            if until_event is None:
                return any("Response" in f for f in got)
            return any(f.get("Event") == until_event for f in got)

        with self._cond:
            if not self._cond.wait_for(lambda: done() or self._closed, timeout=timeout_s):
                raise TimeoutError(f"no answer to {fields.get('Action')} within {timeout_s} s")
            return self._responses.pop(action_id)

    def command(self, cli: str) -> str:
        reply = self.action({"Action": "Command", "Command": cli})
        return reply[0].get("Output", "")

    def wait_for(
        self,
        name: str,
        timeout_s: float = 30,
        *,
        since: int = 0,
        where: Callable[[Frame], bool] = lambda f: True,
    ) -> Frame:
        """The first event `name` at index >= `since` that matches `where`."""

        def find() -> Frame | None:
            for frame in self.events[since:]:
                if frame.get("Event") == name and where(frame):
                    return frame
            return None

        with self._cond:
            found = self._cond.wait_for(lambda: find() or self._closed, timeout=timeout_s)
            hit = find()
            if hit is None:
                seen = sorted({f.get("Event", "?") for f in self.events[since:]})
                raise AssertionError(
                    f"no {name} event within {timeout_s} s "
                    f"(closed={self._closed}, saw: {', '.join(seen)}) {found}"
                )
            return hit

    def mark(self) -> int:
        with self._cond:
            return len(self.events)

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self._sock.sendall(b"Action: Logoff\r\n\r\n")
        with contextlib.suppress(OSError):
            self._sock.shutdown(socket.SHUT_RDWR)
        self._sock.close()
        self._reader.join(timeout=5)

    def __enter__(self) -> AmiWatch:
        return self

    def __exit__(self, *exc: object | TracebackType) -> None:
        self.close()
