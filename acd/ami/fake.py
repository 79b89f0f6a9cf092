"""FakeAmi: an in-process AMI connection for fast tests of the controller.

Where ``acd.ami.testing.FakeAmiServer`` is a socket-level Asterisk for testing the AMI
client itself, ``FakeAmi`` stands in for the client (``AmiPort``), as httpx ships
``MockTransport``: no socket, no login, no timing. A test says how each action type is
answered (``answer``), with a ``Reply`` or a coroutine that waits for the test to let
it finish (an Originate whose phone is still ringing), and pushes events with ``emit``.
Events are built from the header blocks Asterisk 22 writes (``event``, ``channel``) by
the real frame parser and event factory, so what the controller sees is what it would
see from a real connection.

Every action is recorded in ``sent``; an action type nobody answers is refused as
Asterisk refuses an unknown command.
"""

from __future__ import annotations

import asyncio
import inspect
import itertools
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TypeVar

from acd.ami.actions import Action
from acd.ami.correlate import ActionResult
from acd.ami.errors import AmiActionError, AmiConnectionError
from acd.ami.event_stream import ResyncRequired, StreamItem
from acd.ami.events import AmiEvent, EventFactory
from acd.ami.frames import Event, Response, ResponseKind
from acd.ami.port import AmiPort
from acd.ami.protocol import AmiProtocol

A = TypeVar("A", bound=Action)
Headers = Mapping[str, str] | Iterable[tuple[str, str]]


@dataclass(frozen=True)
class Reply:
    """How the fake answers one action: success or error, headers, list events."""

    ok: bool = True
    message: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    events: tuple[AmiEvent, ...] = ()


def success(message: str | None = None, events: Iterable[AmiEvent] = (), **headers: str) -> Reply:
    return Reply(True, message, dict(headers), tuple(events))


def failure(message: str) -> Reply:
    return Reply(False, message)


Handler = Callable[[A], "Reply | Awaitable[Reply]"]


def event(name: str, headers: Headers = ()) -> AmiEvent:
    """The typed event Asterisk's frame ``Event: <name>`` + ``headers`` becomes."""
    items = headers.items() if isinstance(headers, Mapping) else headers
    data = "".join(f"{k}: {v}\r\n" for k, v in [("Event", name), *items]) + "\r\n"
    protocol = AmiProtocol()
    protocol.receive_data(data.encode())
    frame = protocol.next_event()
    if not isinstance(frame, Event):
        raise ValueError(f"not an event frame: {frame!r}")
    typed = EventFactory().build(frame)
    if typed is None:
        raise ValueError(f"{name} is filtered out by the event factory")
    return typed


def channel(
    prefix: str = "",
    *,
    name: str,
    uniqueid: str,
    linkedid: str | None = None,
    state: str = "6",
    caller: str = "0612345678",
    exten: str = "14023",
    context: str = "kcc-trunk",
) -> list[tuple[str, str]]:
    """A channel block in the order of ast_manager_build_channel_state_string_prefix()."""
    descriptions = {"0": "Down", "4": "Ring", "5": "Ringing", "6": "Up"}
    return [
        (f"{prefix}Channel", name),
        (f"{prefix}ChannelState", state),
        (f"{prefix}ChannelStateDesc", descriptions.get(state, "Unknown")),
        (f"{prefix}CallerIDNum", caller),
        (f"{prefix}CallerIDName", "<unknown>"),
        (f"{prefix}ConnectedLineNum", "<unknown>"),
        (f"{prefix}ConnectedLineName", "<unknown>"),
        (f"{prefix}Language", "nl"),
        (f"{prefix}AccountCode", ""),
        (f"{prefix}Context", context),
        (f"{prefix}Exten", exten),
        (f"{prefix}Priority", "1"),
        (f"{prefix}Uniqueid", uniqueid),
        (f"{prefix}Linkedid", linkedid or uniqueid),
    ]


class _Events:
    """The fake's event stream: what ``emit`` pushed, in order, until ``close``."""

    def __init__(self) -> None:
        self._items: deque[StreamItem] = deque()
        self._wake = asyncio.Event()
        self._closed = False

    def put(self, item: StreamItem) -> None:
        self._items.append(item)
        self._wake.set()

    def close(self) -> None:
        self._closed = True
        self._wake.set()

    def __aiter__(self) -> AsyncIterator[StreamItem]:
        return self

    async def __anext__(self) -> StreamItem:
        while not self._items:
            if self._closed:
                raise StopAsyncIteration
            self._wake.clear()
            await self._wake.wait()
        return self._items.popleft()


class FakeAmi:
    """An ``AmiPort`` answered by the test; see the module docstring."""

    def __init__(self) -> None:
        self.sent: list[Action] = []
        self._handlers: dict[type[Action], Callable[[Action], Reply | Awaitable[Reply]]] = {}
        self._events = _Events()
        self._ids = itertools.count(1)
        self._connected = True
        self._changed = asyncio.Event()

    def answer(self, kind: type[A], handler: Callable[[A], Reply | Awaitable[Reply]]) -> None:
        """Answer every later action of type ``kind`` with ``handler(action)``."""
        self._handlers[kind] = handler  # type: ignore[assignment]

    def disconnect(self) -> None:
        """From now on actions fail as on a dropped connection (``reconnect`` undoes it)."""
        self._connected = False

    def reconnect(self) -> None:
        self._connected = True

    async def send_action(
        self,
        action: Action,
        *,
        timeout: float | None = None,  # noqa: ASYNC109 (the real client's signature)
    ) -> ActionResult:
        self.sent.append(action)
        self._changed.set()
        action_id = f"fake-{next(self._ids)}"
        if not self._connected:
            raise AmiConnectionError(f"{action.name}: connection to the fake AMI was lost")
        handler = self._handlers.get(type(action))
        if handler is None:
            raise AmiActionError(
                action.name,
                action_id,
                f"Invalid/unknown command: {action.name}. "
                "Use Action: ListCommands to show available commands.",
            )
        reply = handler(action)
        if inspect.isawaitable(reply):
            reply = await reply
        kind = ResponseKind.SUCCESS if reply.ok else ResponseKind.ERROR
        headers = {"Response": kind.value, "ActionID": action_id, **reply.headers}
        if reply.message is not None:
            headers["Message"] = reply.message
        result = ActionResult(action_id, action.name, Response(kind, headers), reply.events)
        if not result.ok:
            raise AmiActionError(action.name, action_id, result.message)
        return result

    def events(self) -> AsyncIterator[StreamItem]:
        return self._events

    def emit(self, *events: AmiEvent) -> None:
        """Deliver events to the consumer, in order."""
        for item in events:
            self._events.put(item)

    def lose_events(self, dropped: int = 1) -> None:
        """The consumer fell behind and ``dropped`` events were lost: it must resync."""
        self._events.put(ResyncRequired(dropped))

    def close(self) -> None:
        """End the event stream once what was emitted is consumed."""
        self._events.close()

    def sent_of(self, kind: type[A]) -> list[A]:
        """The actions of one type sent so far, in order."""
        return [a for a in self.sent if isinstance(a, kind)]

    async def wait_sent(self, kind: type[A], count: int = 1, limit: float = 2.0) -> list[A]:
        """Wait (in real time, at most ``limit`` s) until ``count`` actions of ``kind``."""
        async with asyncio.timeout(limit):
            while len(self.sent_of(kind)) < count:
                self._changed.clear()
                await self._changed.wait()
        return self.sent_of(kind)


def _is_an_ami_port(fake: FakeAmi) -> AmiPort:
    return fake  # mypy checks that the fake has the interface's shape
