"""How many calls Asterisk has up, asked over AMI (``CoreShowChannels``), for benchmarks.

A blocking session on the project's one AMI protocol core (acd/ami/protocol.py),
logged in with events off, so Asterisk sends only the answers to what it is asked.
A call counts once both of its channels are up in the same bridge: then audio flows
both ways, which is what a benchmark of media work waits for.
"""

from __future__ import annotations

import contextlib
import socket
import time
from collections import Counter
from collections.abc import Iterable
from types import TracebackType

from acd.ami.actions import Action, CoreShowChannels, Login, Logoff
from acd.ami.frames import ConnectionClosed, Event, Response, ResponseKind
from acd.ami.protocol import AmiProtocol

UP = "6"  # ChannelState of an answered channel (AST_STATE_UP)


def bridged_calls(channels: Iterable[Event]) -> int:
    """Bridges holding two answered channels, among ``CoreShowChannel`` events."""
    per_bridge = Counter(
        event.get("BridgeId")
        for event in channels
        if event.name == "CoreShowChannel" and event.get("ChannelState") == UP
    )
    return sum(1 for bridge, count in per_bridge.items() if bridge and count == 2)


class AmiChannels:
    """One AMI login that can list channels; use it as a context manager."""

    def __init__(self, host: str, port: int, username: str, secret: str) -> None:
        self._address = (host, port)
        self._login = Login(username=username, secret=secret, events="off")
        self._protocol = AmiProtocol(action_id_prefix="bench-")
        self._sock: socket.socket | None = None

    def __enter__(self) -> AmiChannels:
        self._sock = socket.create_connection(self._address, timeout=5)
        response = self._ask(self._login)[0]
        if not isinstance(response, Response) or response.kind is not ResponseKind.SUCCESS:
            self.close()
            raise RuntimeError(f"AMI login refused on {self._address}")
        return self

    def channels(self) -> list[Event]:
        answer = self._ask(CoreShowChannels())
        return [f for f in answer if isinstance(f, Event) and f.name == "CoreShowChannel"]

    def bridged_calls(self) -> int:
        return bridged_calls(self.channels())

    def _ask(self, action: Action, timeout_s: float = 5.0) -> list[Response | Event]:
        """The frames answering ``action``: its Response, and a list's events after it."""
        assert self._sock is not None
        outgoing = self._protocol.send(action)
        self._sock.sendall(outgoing.data)
        answer: list[Response | Event] = []
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            while (frame := self._protocol.next_event()) is not None:
                if isinstance(frame, ConnectionClosed):
                    raise RuntimeError(f"AMI closed the connection during {action.name}")
                if isinstance(frame, Response | Event) and frame.action_id == outgoing.action_id:
                    answer.append(frame)
                    if _complete(answer):
                        return answer
            self._protocol.receive_data(self._sock.recv(65536))
        raise TimeoutError(f"no complete answer to {action.name} within {timeout_s:g} s")

    def close(self) -> None:
        if self._sock is not None:
            with contextlib.suppress(OSError):  # Asterisk may be gone already
                self._sock.sendall(self._protocol.send(Logoff()).data)
            self._sock.close()
            self._sock = None

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _complete(answer: list[Response | Event]) -> bool:
    first = answer[0]
    if not isinstance(first, Response):
        return False
    if not first.starts_list:
        return True
    last = answer[-1]
    return isinstance(last, Event) and last.completes_list
