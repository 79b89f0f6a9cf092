"""AgiSession: one FastAGI call, commands to Asterisk over asyncio streams.

Theory of operation
-------------------
``open_session(reader, writer)`` reads the AGI environment (at most
``env_timeout`` seconds), then starts one reader task, owned by the context
manager and cancelled and awaited when it exits. The reader feeds the
sans-I/O ``AgiParser``: replies go to a queue, a ``HANGUP`` line marks the
channel as hung up, and the end of the stream or a protocol error is stored
and wakes whoever waits. It reads only when the parser needs data and stops at
end of stream, so a closed peer costs one read, never a busy loop.

Commands run one at a time under a lock: write the line, take the next reply.
A ``HANGUP`` line is never taken for a reply. Asterisk writes it between
commands, so it can come just before the reply to a command we sent at the
same moment (that reply, typically ``511``, still follows) or just after a
reply (``200 result=-1``). After it, new commands raise AgiHangup at once.

Cancelling a command (theory of the owed reply)
-----------------------------------------------
The controller may cancel a task waiting in ``stream_file`` or
``wait_for_digit``: a queue member became free, say. Asterisk is still running
the command, so a reply is *owed*; ``owed_replies`` counts them. What Asterisk
does once our next command line arrives depends on the command (res_agi.c):
STREAM FILE stops playing and sends *no* reply, WAIT FOR DIGIT stops and sends
``200 result=1``, and most others finish first and then reply. Counting alone
cannot tell which reply belongs to whom, so before the next command the
session sends a marker, ``GET FULL VARIABLE agi-sync-<n>-<random>``, which
Asterisk echoes as ``200 result=1 (agi-sync-...)``, and discards every reply
before the echo. That also stops a cancelled playback at once. A cancelled
command that Asterisk cannot interrupt (EXEC of a long application) delays
the next command until it finishes.

The queue can never grow without bound: a reply that arrives when no command
can still be owed one is an AgiProtocolError.
"""

from __future__ import annotations

import asyncio
import logging
import math
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from typing import Protocol

from acd.agi.commands import encode_line, format_command
from acd.agi.environment import AgiEnvironment
from acd.agi.errors import AgiCommandError, AgiError, AgiHangup, AgiProtocolError
from acd.agi.peers import peer_host
from acd.agi.protocol import AgiParser, AgiReply, ConnectionClosed, HangupNotice, NeedData

log = logging.getLogger(__name__)

DEFAULT_ENV_TIMEOUT = 5.0
_READ_SIZE = 64 * 1024
_CLOSE_TIMEOUT = 1.0
KEYPAD = frozenset("0123456789*#ABCD")


class ByteSource(Protocol):
    """What the session reads from; asyncio.StreamReader fits."""

    async def read(self, n: int = ...) -> bytes: ...


class _Ended:
    """Queue marker: no more replies will come."""


_ENDED = _Ended()


class _Wire:
    """Reads from the peer into the parser, counting reads (a spin shows up as many)."""

    def __init__(self, reader: ByteSource, parser: AgiParser) -> None:
        self.reader = reader
        self.parser = parser
        self.read_calls = 0

    async def pull(self) -> None:
        try:
            data = await self.reader.read(_READ_SIZE)
        except OSError as error:
            raise AgiHangup(f"connection to Asterisk lost: {error!r}") from error
        self.read_calls += 1
        if data:
            self.parser.receive_data(data)
        else:
            self.parser.receive_eof()


async def _read_environment(wire: _Wire, *, within_s: float) -> AgiEnvironment:
    """Read up to the blank line ending the environment, within ``within_s`` seconds."""
    try:
        async with asyncio.timeout(within_s):
            while True:
                event = wire.parser.next_event()
                if isinstance(event, AgiEnvironment):
                    return event
                await wire.pull()
    except TimeoutError:
        raise AgiProtocolError(
            f"no complete AGI environment within {within_s:g} s "
            f"({wire.parser.bytes_received} bytes received)"
        ) from None
    except AgiHangup as error:
        raise AgiProtocolError(f"before the end of the AGI environment: {error}") from error


class AgiSession:
    """One FastAGI call. Created by ``open_session``; commands run one at a time."""

    def __init__(self, env: AgiEnvironment, wire: _Wire, writer: asyncio.StreamWriter) -> None:
        self._env = env
        self._wire = wire
        self._writer = writer
        self._lock = asyncio.Lock()
        self._replies: asyncio.Queue[AgiReply | _Ended] = asyncio.Queue()
        self._owed = 0
        self._hangup_seen = False
        self._ended: AgiError | None = None
        self._gone = asyncio.Event()
        self._syncs = 0
        self.discarded_replies = 0

    @property
    def peer(self) -> str:
        """The address the call came from (Asterisk's), for the log."""
        return peer_host(self._writer.get_extra_info("peername"))

    def __repr__(self) -> str:
        return f"<AgiSession {self._env.channel} {self._env.network_script!r}>"

    @property
    def env(self) -> AgiEnvironment:
        return self._env

    @property
    def hung_up(self) -> bool:
        """True after a HANGUP line, a 511 reply or the connection closing."""
        return self._hangup_seen

    @property
    def owed_replies(self) -> int:
        """Replies Asterisk may still send for commands whose waiters were cancelled."""
        return self._owed

    @property
    def read_calls(self) -> int:
        """Socket reads so far, the environment included (a busy loop would show here)."""
        return self._wire.read_calls

    async def wait_hangup(self) -> None:
        """Return once the channel hung up or the connection ended (closed or broken)."""
        await self._gone.wait()

    async def command(self, line: str) -> AgiReply:
        """Send one command line and return its ``200`` reply.

        Raises AgiHangup (hung up, 511, connection closed), AgiCommandError (510,
        520, other codes) or AgiProtocolError. Safe to cancel; see the module doc.
        """
        return await self._run(line)

    # -- convenience commands -------------------------------------------------

    async def stream_file(self, name: str, escape_digits: str = "") -> str | None:
        """Play ``name``; the escape digit that stopped it, or None if it played out."""
        _check_keys(escape_digits)
        line = format_command("STREAM FILE", name, escape_digits)
        reply = await self._run(line)
        if reply.result == -1:
            await self._explain_failed_playback(line, name)
        return _digit(line, reply)

    async def wait_for_digit(self, timeout_s: float) -> str | None:
        """One keypad digit, or None when ``timeout_s`` passed without one."""
        if not math.isfinite(timeout_s) or timeout_s < 0:
            raise ValueError(f"wait_for_digit timeout must be finite and >= 0, got {timeout_s}")
        line = format_command("WAIT FOR DIGIT", str(round(timeout_s * 1000)))
        return _digit(line, await self._run(line))

    async def set_variable(self, name: str, value: str) -> None:
        await self._run(format_command("SET VARIABLE", _name(name), value))

    async def get_variable(self, name: str) -> str | None:
        """The value (``200 result=1 (value)``), or None if not set (``result=0``)."""
        reply = await self._run(format_command("GET VARIABLE", _name(name)))
        return (reply.data or "") if reply.result == 1 else None

    async def exec(self, app: str, args: str = "") -> int:
        """Run a dialplan application; its return value (-1 usually means hangup).

        res_agi.c answers an application returning 1 with ``200 result=1`` and then
        a ``520`` usage reply; that second reply is counted as owed and discarded.
        """
        words = (_name(app), args) if args else (_name(app),)
        line = format_command("EXEC", *words)
        reply = await self._run(line, extra_owed=1)
        if reply.result != 1:
            self._owed -= 1  # no trailing 520 will come
        if reply.result == -2:
            raise AgiCommandError(line, f"Asterisk has no application {app!r}", code=200)
        if reply.result is None:
            raise AgiProtocolError(f"EXEC {app}: reply without a numeric result: {reply.text!r}")
        return reply.result

    async def answer(self) -> None:
        line = "ANSWER"
        if (await self._run(line)).result == -1:
            raise AgiHangup(f"{line}: Asterisk could not answer the channel (result=-1)")

    async def hangup(self) -> None:
        """Hang up the channel; nothing to do if it has hung up already."""
        if self._hangup_seen:
            return
        with suppress(AgiHangup):
            await self._run("HANGUP")

    async def verbose(self, text: str) -> None:
        await self._run(format_command("VERBOSE", text, "1"))

    # -- the command cycle ----------------------------------------------------

    async def _run(self, line: str, *, extra_owed: int = 0) -> AgiReply:
        payload = encode_line(line)
        async with self._lock:
            self._check_usable(line)
            if self._owed:
                await self._settle_owed()
                self._check_usable(line)
            await self._send(payload, owed=1 + extra_owed)
            reply = await self._next_reply()
        return self._checked(line, reply)

    def _check_usable(self, line: str) -> None:
        if self._ended is not None:
            raise type(self._ended)(f"{line!r} not sent: {self._ended}")
        if self._hangup_seen:
            raise AgiHangup(f"{line!r} not sent: the channel has hung up")

    async def _send(self, payload: bytes, *, owed: int) -> None:
        self._owed += owed
        self._writer.write(payload)
        try:
            await self._writer.drain()
        except OSError as error:
            self._end(AgiHangup(f"connection to Asterisk lost while sending: {error!r}"))
            raise AgiHangup(f"connection to Asterisk lost while sending: {error!r}") from error

    async def _next_reply(self) -> AgiReply:
        item = await self._replies.get()
        if isinstance(item, _Ended):
            self._replies.put_nowait(item)  # for the next waiter too
            assert self._ended is not None
            raise type(self._ended)(str(self._ended))
        self._owed -= 1
        return item

    async def _settle_owed(self) -> None:
        self._syncs += 1
        token = f"agi-sync-{self._syncs}-{secrets.token_hex(4)}"
        await self._send(encode_line(format_command("GET FULL VARIABLE", token)), owed=1)
        while (reply := await self._next_reply()).data != token or reply.code != 200:
            self.discarded_replies += 1
            log.debug("%s: discarded reply owed to a cancelled command: %s", self, reply.text)
        # Every reply still owed came before the marker's echo; any not seen never will.
        self._owed = 0

    async def _explain_failed_playback(self, line: str, name: str) -> None:
        # res_agi.c answers "200 result=-1 endpos=0" both when it cannot open the
        # file and when the channel hangs up. A command the dead channel refuses
        # (511) tells the two apart; on a live channel it only reads the state.
        if not self._hangup_seen:
            await self._run("CHANNEL STATUS")
            raise AgiCommandError(
                line,
                f"Asterisk could not play sound file {name!r} (missing or unreadable: "
                "result=-1 while the channel is still up)",
                code=200,
            )
        raise AgiHangup(f"{line!r}: the channel hung up (result=-1)")

    def _checked(self, line: str, reply: AgiReply) -> AgiReply:
        if reply.code == 200:
            return reply
        if reply.code == 511:
            self._mark_hung_up()
            raise AgiHangup(f"{line!r}: {reply.text}")
        if reply.code == 510:
            detail = "Asterisk does not know this command (510 Invalid or unknown command)"
        elif reply.code == 520:
            detail = "invalid command syntax (520)" + (
                f"; proper usage:\n{reply.data}" if reply.data else ""
            )
        else:
            detail = f"unexpected reply {reply.text!r}"
        raise AgiCommandError(line, detail, code=reply.code)

    # -- the reader task ------------------------------------------------------

    async def _read_loop(self) -> None:
        try:
            while self._dispatch_events():
                await self._wire.pull()
        except AgiError as error:
            self._end(error)

    def _dispatch_events(self) -> bool:
        """Route every complete event; False once the stream has ended."""
        while True:
            event = self._wire.parser.next_event()
            if isinstance(event, NeedData):
                return True
            if isinstance(event, AgiReply):
                if self._replies.qsize() >= self._owed:
                    raise AgiProtocolError(f"reply with no command waiting for it: {event.text!r}")
                self._replies.put_nowait(event)
            elif isinstance(event, HangupNotice):
                log.debug("%s: HANGUP from Asterisk", self)
                self._mark_hung_up()
            elif isinstance(event, ConnectionClosed):
                self._end(AgiHangup("Asterisk closed the AGI connection"))
                return False

    def _mark_hung_up(self) -> None:
        self._hangup_seen = True
        self._gone.set()

    def _end(self, error: AgiError) -> None:
        if self._ended is not None:
            return
        self._ended = error
        if isinstance(error, AgiHangup):
            self._hangup_seen = True
        self._gone.set()
        self._replies.put_nowait(_ENDED)


@asynccontextmanager
async def open_session(
    reader: ByteSource,
    writer: asyncio.StreamWriter,
    *,
    env_timeout: float = DEFAULT_ENV_TIMEOUT,
    parser: AgiParser | None = None,
) -> AsyncIterator[AgiSession]:
    """Read the environment and yield the session; the writer is closed on exit.

    Raises AgiProtocolError when no valid environment arrives within ``env_timeout``.
    """
    try:
        wire = _Wire(reader, parser or AgiParser())
        env = await _read_environment(wire, within_s=env_timeout)
        session = AgiSession(env, wire, writer)
        reader_task = asyncio.create_task(session._read_loop(), name=f"agi-reader {env.channel}")
        try:
            yield session
        finally:
            reader_task.cancel()
            await asyncio.wait([reader_task])
    finally:
        await _close_writer(writer)


async def _close_writer(writer: asyncio.StreamWriter) -> None:
    """Close, waiting briefly for the peer; a peer that does not read is cut off."""
    writer.close()
    try:
        async with asyncio.timeout(_CLOSE_TIMEOUT):
            await writer.wait_closed()
    except (OSError, TimeoutError):
        writer.transport.abort()


def _digit(line: str, reply: AgiReply) -> str | None:
    if reply.result == -1:
        raise AgiHangup(f"{line!r}: the channel hung up (result=-1)")
    if reply.result == 0:
        return None
    digit = chr(reply.result) if reply.result is not None and 0 < reply.result < 256 else ""
    if digit not in KEYPAD:
        raise AgiProtocolError(f"{line!r}: result is not a keypad digit: {reply.text!r}")
    return digit


def _check_keys(escape_digits: str) -> None:
    unknown = sorted(set(escape_digits) - KEYPAD)
    if unknown:
        raise ValueError(f"escape digits may only be keypad keys 0-9 * # A-D, got {unknown}")


def _name(name: str) -> str:
    if not name or name.isspace():
        raise ValueError("AGI variable or application name is empty")
    return name
