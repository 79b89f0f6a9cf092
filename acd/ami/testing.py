"""An in-process fake Asterisk manager interface for tests.

``FakeAmiServer`` listens on 127.0.0.1 (a free port), greets with the
Asterisk 22 banner, checks the Login like Asterisk does (an Error and a
closed socket on a wrong secret), answers Ping and Logoff, and answers other
actions from a script: ``server.handlers["QueueStatus"] = handler``, where a
handler returns the frames (bytes) to send back. Tests steer it with
``emit`` (push events), ``stall`` (keep the socket open but never answer:
a hung or half-open peer) and ``drop`` (abort every connection).

It parses actions with its own few lines of code on purpose: the fake must
not share bugs with the parser under test. Replies use Asterisk 22's exact
wording (main/manager.c) so clients see what the real server sends.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import TracebackType

HeaderInput = Mapping[str, str] | Iterable[tuple[str, str]]


@dataclass(frozen=True)
class ReceivedAction:
    """An action as the fake server read it; ``pairs`` keeps repeated keys."""

    name: str
    action_id: str | None
    headers: Mapping[str, str] = field(hash=False)
    pairs: tuple[tuple[str, str], ...] = ()


Handler = Callable[[ReceivedAction], Sequence[bytes]]


def frame(headers: HeaderInput) -> bytes:
    """Render headers as one AMI frame (``\\r\\n`` line ends, blank line at the end)."""
    items = headers.items() if isinstance(headers, Mapping) else headers
    return "".join(f"{k}: {v}\r\n" for k, v in items).encode() + b"\r\n"


def _with_id(action: ReceivedAction | None, head: list[tuple[str, str]]) -> list[tuple[str, str]]:
    if action is not None and action.action_id is not None:
        head.append(("ActionID", action.action_id))
    return head


def success(action: ReceivedAction, message: str | None = None, extra: HeaderInput = ()) -> bytes:
    head = _with_id(action, [("Response", "Success")])
    if message is not None:
        head.append(("Message", message))
    return frame([*head, *(extra.items() if isinstance(extra, Mapping) else extra)])


def error(action: ReceivedAction, message: str) -> bytes:
    return frame([*_with_id(action, [("Response", "Error")]), ("Message", message)])


def event(name: str, headers: HeaderInput = (), *, action: ReceivedAction | None = None) -> bytes:
    """An event; with ``action`` it carries that action's ActionID (a list item)."""
    items = list(headers.items() if isinstance(headers, Mapping) else headers)
    return frame([("Event", name), *_with_id(action, []), *items])


def list_answer(
    action: ReceivedAction,
    items: Iterable[tuple[str, HeaderInput]],
    complete_event: str,
    message: str = "List will follow",
) -> list[bytes]:
    """A list answer as astman_send_listack() + astman_send_list_complete() write it."""
    frames = [success(action, message, [("EventList", "start")])]
    for name, headers in items:
        frames.append(event(name, headers, action=action))
    count = len(frames) - 1
    frames.append(
        event(complete_event, [("EventList", "Complete"), ("ListItems", str(count))], action=action)
    )
    return frames


def _parse_action(raw: bytes) -> ReceivedAction:
    pairs = []
    for line in raw.decode("utf-8", "replace").splitlines():
        key, sep, value = line.partition(":")
        if sep:
            pairs.append((key.strip(), value.strip()))
    headers = {k.lower(): v for k, v in pairs}  # Asterisk matches header names case-blind
    return ReceivedAction(
        headers.get("action", ""), headers.get("actionid"), dict(pairs), tuple(pairs)
    )


class _Connection:
    def __init__(self, writer: asyncio.StreamWriter) -> None:
        self.writer = writer
        self.logged_in = False
        self.close_after_reply = False


class FakeAmiServer:
    """See the module docstring. Use as ``async with FakeAmiServer() as server``."""

    def __init__(
        self,
        *,
        username: str = "kcc",
        secret: str = "test-secret",
        version: str = "11.0.0",
        fully_booted: bool = True,
    ) -> None:
        self.username = username
        self.secret = secret
        self.version = version
        self.fully_booted = fully_booted
        self.handlers: dict[str, Handler] = {"Ping": self._ping}
        self.received: list[ReceivedAction] = []
        self.connections_seen = 0
        self.disconnects = 0
        self.logins = 0
        self._stalled = False
        self._connections: set[_Connection] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._changed = asyncio.Event()

    @property
    def port(self) -> int:
        sockets = self._server.sockets
        return int(sockets[0].getsockname()[1])

    async def __aenter__(self) -> FakeAmiServer:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._server.close()
        await self.drop()
        if self._tasks:  # aborted sockets end their tasks; cancelling is the last resort
            # (Python 3.11's start_server logs a cancelled handler as an error.)
            _, stuck = await asyncio.wait(set(self._tasks), timeout=1.0)
            for task in stuck:
                task.cancel()
            await asyncio.gather(*stuck, return_exceptions=True)
        await self._server.wait_closed()

    # ------------------------------------------------------------ steering

    def stall(self) -> None:
        """Keep reading but never answer again (a hung Asterisk / half-open link)."""
        self._stalled = True

    def resume(self) -> None:
        self._stalled = False

    async def drop(self) -> None:
        """Abort every open connection, as a crashed Asterisk or a cut cable would."""
        for conn in list(self._connections):
            conn.writer.transport.abort()
        await asyncio.sleep(0)

    async def emit(self, data: bytes) -> None:
        """Send raw bytes (e.g. ``event(...)``) to every logged-in connection."""
        for conn in list(self._connections):
            if conn.logged_in:
                conn.writer.write(data)
                await conn.writer.drain()

    async def wait_until(self, predicate: Callable[[], bool], limit: float = 2.0) -> None:
        """Wait until ``predicate()`` holds; it is re-checked on every server change."""
        async with asyncio.timeout(limit):
            while not predicate():
                self._changed.clear()
                await self._changed.wait()

    def actions_named(self, name: str) -> list[ReceivedAction]:
        return [a for a in self.received if a.name == name]

    # ------------------------------------------------------------ serving

    def _notify(self) -> None:
        self._changed.set()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        conn = _Connection(writer)
        self._connections.add(conn)
        self.connections_seen += 1
        self._notify()
        try:
            writer.write(f"Asterisk Call Manager/{self.version}\r\n".encode())
            await self._converse(conn, reader)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass  # the client went away; that is what several tests provoke
        finally:
            self._connections.discard(conn)
            writer.transport.abort()
            self.disconnects += 1
            self._tasks.discard(task)
            self._notify()

    async def _converse(self, conn: _Connection, reader: asyncio.StreamReader) -> None:
        while not conn.close_after_reply:
            raw = await reader.readuntil(b"\r\n\r\n")
            action = _parse_action(raw)
            self.received.append(action)
            self._notify()
            if self._stalled:
                continue
            for reply in self._answer(conn, action):
                conn.writer.write(reply)
            await conn.writer.drain()

    def _answer(self, conn: _Connection, action: ReceivedAction) -> Sequence[bytes]:
        if action.name.lower() == "login":
            return self._login(conn, action)
        if not conn.logged_in:
            return [error(action, "Permission denied")]
        if action.name.lower() == "logoff":
            conn.close_after_reply = True
            return [
                frame(
                    [
                        *_with_id(action, [("Response", "Goodbye")]),
                        ("Message", "Thanks for all the fish."),
                    ]
                )
            ]
        handler = self.handlers.get(action.name)
        if handler is None:
            return [
                error(
                    action,
                    f"Invalid/unknown command: {action.name}. "
                    "Use Action: ListCommands to show available commands.",
                )
            ]
        return handler(action)

    def _login(self, conn: _Connection, action: ReceivedAction) -> Sequence[bytes]:
        headers = {k.lower(): v for k, v in action.pairs}
        if headers.get("username") != self.username or headers.get("secret") != self.secret:
            conn.close_after_reply = True  # Asterisk ends the session after a failed login
            return [error(action, "Authentication failed")]
        conn.logged_in = True
        self.logins += 1
        self._notify()
        replies = [success(action, "Authentication accepted")]
        if self.fully_booted and headers.get("events", "on").lower() != "off":
            replies.append(
                event(
                    "FullyBooted",
                    [
                        ("Privilege", "system,all"),
                        ("Uptime", "42"),
                        ("LastReload", "42"),
                        ("Status", "Fully Booted"),
                    ],
                )
            )
        return replies

    @staticmethod
    def _ping(action: ReceivedAction) -> Sequence[bytes]:
        return [success(action, None, [("Ping", "Pong"), ("Timestamp", "1722950000.000000")])]
