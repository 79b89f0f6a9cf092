"""FakeAsterisk: the Asterisk side of a FastAGI connection, scripted, for tests.

In FastAGI Asterisk is the TCP *client*: it connects, writes the ``agi_*``
environment and a blank line, then reads one command per line and writes the
reply. ``FakeAsterisk`` does the same. ``answer(command_line)`` returns the
reply text (one or more lines; newlines are added) or None to send nothing,
which is what Asterisk does for a STREAM FILE interrupted by the next command
line. Tests can also push a ``HANGUP`` line, raw bytes or garbage at any time,
stop half-way through the environment, close early or reset the connection.

It splits command words with its own few lines of code on purpose: the fake
must not share bugs with the encoder under test. Reply texts are Asterisk
22's exact wording (res/res_agi.c).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from contextlib import suppress
from types import TracebackType

Answer = Callable[[str], str | None]

INVALID_COMMAND = "510 Invalid or unknown command"
DEAD_CHANNEL = "511 Command Not Permitted on a dead channel or intercept routine"
USAGE_NOT_AVAILABLE = "520 Invalid command syntax.  Proper usage not available."


def result(value: int | str, data: str | None = None, endpos: int | None = None) -> str:
    """A ``200 result=...`` reply as res_agi.c formats it."""
    text = f"200 result={value}"
    if data is not None:
        text += f" ({data})"
    if endpos is not None:
        text += f" endpos={endpos}"
    return text


def usage_error(usage: str) -> str:
    """The multi-line 520 reply for a command with documented usage."""
    return f"520-Invalid command syntax.  Proper usage follows:\n{usage}\n520 End of proper usage."


def asterisk_env(script: str = "ivr", *args: str, **overrides: str) -> dict[str, str]:
    """An environment in the order setup_env() writes it, for a PJSIP call to 14023."""
    env = {
        "agi_network": "yes",
        "agi_network_script": script,
        "agi_request": f"agi://127.0.0.1/{script}",
        "agi_channel": "PJSIP/trunk-00000001",
        "agi_language": "nl",
        "agi_type": "PJSIP",
        "agi_uniqueid": "1718000000.1",
        "agi_version": "22.0.0",
        "agi_callerid": "0612345678",
        "agi_calleridname": "J. de Vries",
        "agi_callingpres": "0",
        "agi_callingani2": "0",
        "agi_callington": "0",
        "agi_callingtns": "0",
        "agi_dnid": "14023",
        "agi_rdnis": "unknown",
        "agi_context": "kcc-trunk",
        "agi_extension": "14023",
        "agi_priority": "5",
        "agi_enhanced": "0.0",
        "agi_accountcode": "",
        "agi_threadid": "140245134468800",
    }
    env.update({f"agi_arg_{n}": value for n, value in enumerate(args, start=1)})
    env.update(overrides)
    return env


def encode_env(env: Mapping[str, str]) -> bytes:
    return "".join(f"{key}: {value}\n" for key, value in env.items()).encode() + b"\n"


def split_words(line: str) -> list[str]:
    """Command words, honouring double quotes and backslash escapes (parse_args rules)."""
    words: list[str] = []
    current: list[str] | None = None
    quoted = escaped = False
    for char in line:
        if escaped or (char not in ' \t"\\'):
            current = (current or []) + [char]
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == '"':
            quoted = not quoted
            current = current or []
        elif quoted:
            current = (current or []) + [char]
        elif current is not None:
            words.append("".join(current))
            current = None
    if current is not None:
        words.append("".join(current))
    return words


def standard_answer(line: str) -> str | None:
    """A live channel's answers to the simple commands; 510 for anything else."""
    words = split_words(line)
    verb = " ".join(words[:3]).upper()
    if verb.startswith("GET FULL VARIABLE") and len(words) == 4:
        return result(1, words[3])  # no variables in the fake: the text comes back as is
    simple = {"ANSWER": 0, "NOOP": 0, "VERBOSE": 1, "HANGUP": 1, "SET VARIABLE": 1}
    for name, value in simple.items():
        if verb.startswith(name):
            return result(value)
    if verb.startswith("CHANNEL STATUS"):
        return result(6)  # AST_STATE_UP
    return INVALID_COMMAND


class FakeAsterisk:
    """``async with FakeAsterisk(port) as asterisk: await asterisk.send_env()``."""

    def __init__(
        self,
        port: int,
        *,
        host: str = "127.0.0.1",
        answer: Answer = standard_answer,
        source: str | None = None,  # the address to connect from (default: the OS picks)
    ) -> None:
        self.host = host
        self.source = source
        self.port = port
        self.answer = answer
        self.commands: list[str] = []
        self.closed_by_server = asyncio.Event()
        self._received = asyncio.Condition()
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._serving: asyncio.Task[None] | None = None

    async def __aenter__(self) -> FakeAsterisk:
        await self.connect()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def connect(self) -> None:
        """Connect and start answering; ``closed_by_server`` is set when the server closes."""
        local = None if self.source is None else (self.source, 0)
        self._reader, self._writer = await asyncio.open_connection(
            self.host, self.port, local_addr=local
        )
        self._serving = asyncio.create_task(self._serve(), name="fake-asterisk")

    async def send(self, data: bytes | str) -> None:
        """Raw bytes (or text, UTF-8 encoded), exactly as given."""
        writer = self._connected()
        writer.write(data.encode() if isinstance(data, str) else data)
        await writer.drain()

    async def send_env(self, env: Mapping[str, str] | None = None) -> None:
        """Write the environment (``asterisk_env()`` unless given)."""
        await self.send(encode_env(asterisk_env() if env is None else env))

    async def send_hangup(self) -> None:
        await self.send(b"HANGUP\n")

    async def wait_for_command(self, prefix: str, within_s: float = 2.0) -> str:
        """The first command received that starts with ``prefix``, waiting for it."""

        def found() -> str | None:
            return next((c for c in self.commands if c.startswith(prefix)), None)

        async with asyncio.timeout(within_s), self._received:
            await self._received.wait_for(lambda: found() is not None)
        command = found()
        assert command is not None
        return command

    async def close(self) -> None:
        """Close our side (what Asterisk does when AGI() returns)."""
        await self._stop_serving()
        if self._writer is not None:
            writer, self._writer = self._writer, None
            writer.close()
            with suppress(OSError):
                await writer.wait_closed()

    async def abort(self) -> None:
        """Reset the connection without a FIN, like a crashed peer."""
        await self._stop_serving()
        if self._writer is not None:
            writer, self._writer = self._writer, None
            writer.transport.abort()

    def _connected(self) -> asyncio.StreamWriter:
        if self._writer is None:
            raise RuntimeError("FakeAsterisk is not connected")
        return self._writer

    async def _stop_serving(self) -> None:
        if self._serving is not None:
            self._serving.cancel()
            await asyncio.wait([self._serving])
            self._serving = None

    async def _serve(self) -> None:
        with suppress(OSError):  # reset by the server: the same as a close for the tests
            await self._answer_commands()
        self.closed_by_server.set()

    async def _answer_commands(self) -> None:
        assert self._reader is not None
        while line := await self._reader.readline():
            command = line.decode().rstrip("\n")
            async with self._received:
                self.commands.append(command)
                self._received.notify_all()
            reply = self.answer(command)
            if reply is not None and self._writer is not None:
                self._writer.write(reply.encode() + (b"" if reply.endswith("\n") else b"\n"))
                await self._writer.drain()
