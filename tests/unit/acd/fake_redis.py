"""Two fake Redis servers for the publisher's tests: one in-process, one on a socket.

``MemoryRedis`` stands in for the ``redis.asyncio.Redis`` client the publisher is given:
``pipeline(transaction=False)`` buffers ``xadd`` calls and ``execute`` appends them to
``streams`` in order. A test steers it: ``down`` (every ``execute`` fails with
redis-py's ``ConnectionError``, nothing written: Redis restarting), ``up``, ``hold``
(the next ``execute`` waits until ``release``: a batch in flight), and ``break_after``
(the next ``execute`` writes that many entries, then fails: the connection dropped
part-way through a pipeline).

``RedisServer`` speaks enough RESP2 on 127.0.0.1 (a free port) for the real redis-py
client: the connection handshake (``CLIENT SETINFO``, ``SELECT``), ``PING`` and ``XADD``,
whose arguments it keeps exactly as sent. ``wait_for`` waits, event-driven and bounded,
until it holds a number of entries.
"""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import dataclass, field
from types import TracebackType

from redis.exceptions import ConnectionError as RedisConnectionError


@dataclass(frozen=True)
class Xadd:
    stream: str
    fields: dict[str, str]
    maxlen: int | None
    approximate: bool


class _Pipeline:
    def __init__(self, redis: MemoryRedis) -> None:
        self._redis = redis
        self._buffered: list[Xadd] = []

    async def __aenter__(self) -> _Pipeline:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._buffered.clear()

    def xadd(
        self,
        name: str,
        fields: dict[str, str],
        maxlen: int | None = None,
        approximate: bool = True,
    ) -> _Pipeline:
        self._buffered.append(Xadd(name, dict(fields), maxlen, approximate))
        return self

    async def execute(self) -> list[str]:
        return await self._redis._execute(list(self._buffered))


@dataclass
class MemoryRedis:
    """See the module docstring."""

    streams: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    sent: list[Xadd] = field(default_factory=list)  # every XADD Redis accepted
    batches: list[int] = field(default_factory=list)  # the size of each pipeline accepted
    attempts: int = 0
    closed: bool = False
    _down: bool = False
    _gate: asyncio.Event | None = None
    _break_after: int | None = None
    _in_flight: asyncio.Event = field(default_factory=asyncio.Event)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def pipeline(self, *, transaction: bool = True) -> _Pipeline:
        assert transaction is False, "the publisher needs no MULTI/EXEC"
        return _Pipeline(self)

    async def aclose(self) -> None:
        self.closed = True

    def down(self) -> None:
        self._down = True

    def up(self) -> None:
        self._down = False

    def break_after(self, written: int) -> None:
        self._break_after = written

    def hold(self) -> None:
        self._gate = asyncio.Event()
        self._in_flight.clear()

    async def in_flight(self) -> None:
        """Returns once the held ``execute`` has been called."""
        await self._in_flight.wait()

    def release(self) -> None:
        assert self._gate is not None, "nothing is held"
        self._gate.set()
        self._gate = None

    def entries(self, stream: str = "kcc:events") -> list[dict[str, str]]:
        return self.streams.get(stream, [])

    async def _execute(self, commands: list[Xadd]) -> list[str]:
        self.attempts += 1
        gate = self._gate
        if gate is not None and not self._in_flight.is_set():  # the held one
            self._in_flight.set()
            await gate.wait()
        if self._down:
            raise RedisConnectionError(
                "Error 111 connecting to 127.0.0.1:6390. Connection refused."
            )
        if self._break_after is not None:
            written, self._break_after = commands[: self._break_after], None
            for command in written:
                self.streams.setdefault(command.stream, []).append(command.fields)
            self.sent += written
            raise RedisConnectionError("Connection closed by server.")
        for command in commands:
            self.streams.setdefault(command.stream, []).append(command.fields)
        self.sent += commands
        self.batches.append(len(commands))
        return [f"1781500000000-{next(self._ids)}" for _ in commands]


class RedisServer:
    """See the module docstring. ``async with RedisServer() as redis: redis.url``."""

    def __init__(self) -> None:
        self.commands: list[list[str]] = []
        self.entries: list[tuple[str, dict[str, str]]] = []
        self._changed = asyncio.Event()
        self._ids = itertools.count(1)
        self._server: asyncio.Server | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        port = self._server.sockets[0].getsockname()[1]
        return f"redis://127.0.0.1:{port}/0"

    async def __aenter__(self) -> RedisServer:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._server is not None
        self._server.close()
        await self._server.wait_closed()

    async def wait_for(self, count: int, limit: float = 5.0) -> None:
        """Wait (at most ``limit`` s) until ``count`` entries were added."""
        async with asyncio.timeout(limit):
            while len(self.entries) < count:
                self._changed.clear()
                await self._changed.wait()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while command := await _read_command(reader):
                self.commands.append(command)
                writer.write(self._answer(command))
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    def _answer(self, command: list[str]) -> bytes:
        verb = command[0].upper()
        if verb == "PING":
            return b"+PONG\r\n"
        if verb == "XADD":
            self.entries.append((command[1], _fields(command)))
            self._changed.set()
            entry_id = f"1781500000000-{next(self._ids)}".encode()
            return b"$%d\r\n%s\r\n" % (len(entry_id), entry_id)
        return b"+OK\r\n"  # CLIENT SETINFO, SELECT


def _fields(xadd: list[str]) -> dict[str, str]:
    """The field/value pairs after the ``*`` id (``XADD key [MAXLEN [~] n] * f v ...``)."""
    pairs = xadd[xadd.index("*") + 1 :]
    return dict(zip(pairs[::2], pairs[1::2], strict=True))


async def _read_command(reader: asyncio.StreamReader) -> list[str] | None:
    header = await reader.readline()
    if not header:
        return None
    assert header.startswith(b"*"), header
    words = []
    for _ in range(int(header[1:])):
        size = int((await reader.readline())[1:])
        words.append((await reader.readexactly(size + 2))[:-2].decode())
    return words
