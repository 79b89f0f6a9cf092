"""Sans-I/O FastAGI protocol: bytes in, typed events out; commands in, bytes out.

Theory of operation
-------------------
Asterisk (res/res_agi.c) opens a FastAGI call by writing ``agi_<name>: <value>``
lines and a blank line. After that, every line is one of:

* a reply to the command we sent, ``200 result=N [(data)] [endpos=N]``
  (``data`` may hold spaces and parentheses: GET VARIABLE echoes any value);
* ``510 Invalid or unknown command``;
* ``511 Command Not Permitted on a dead channel or intercept routine``;
* ``520 Invalid command syntax.  Proper usage not available.``, or the
  multi-line ``520-Invalid command syntax.  Proper usage follows:``, the usage
  text, and ``520 End of proper usage.``;
* ``HANGUP``, written between commands when the channel hangs up (and once more
  when AGI() returns). It is not a reply: the reply to a command still comes.

``AgiParser.receive_data`` buffers bytes split anywhere (inside a line or a
UTF-8 character); ``next_event`` returns one event at a time: the
``AgiEnvironment`` once, then ``AgiReply``, ``HangupNotice`` and finally
``ConnectionClosed`` after ``receive_eof``; ``NEED_DATA`` when a line is
incomplete. A line is decoded only once complete, so a split character is
never damaged; undecodable bytes become U+FFFD (``decode_errors`` counts them).

Memory is bounded: a line may not exceed ``max_line`` bytes (Asterisk's own
command buffer, AGI_BUF_LEN, is 8192), the environment may not exceed
``max_headers`` lines and a multi-line reply ``max_usage_lines``. Anything
that breaks the grammar raises AgiProtocolError naming what was wrong, and the
parser stays FAILED: an AGI stream cannot be resynchronised, because a lost
line cannot be told apart from a reply still to come. Events before the bad
line have been returned already, so nothing valid is lost.

The command encoders live in ``commands.py`` and are re-exported here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from typing import Final

from acd.agi.commands import (
    MAX_COMMAND_BYTES,
    encode_command,
    encode_line,
    format_command,
    quote_argument,
)
from acd.agi.environment import AgiEnvironment
from acd.agi.errors import AgiProtocolError

__all__ = [
    "MAX_COMMAND_BYTES",
    "NEED_DATA",
    "AgiEnvironment",
    "AgiEvent",
    "AgiParser",
    "AgiReply",
    "ConnectionClosed",
    "HangupNotice",
    "NeedData",
    "ParserState",
    "encode_command",
    "encode_line",
    "format_command",
    "parse_reply",
    "quote_argument",
]

DEFAULT_MAX_LINE = 8192
# 22 fixed agi_* lines plus up to 127 agi_arg_N (res_agi.c MAX_ARGS is 128).
DEFAULT_MAX_HEADERS = 160
DEFAULT_MAX_USAGE_LINES = 200

_HEADER = re.compile(r"(agi_[A-Za-z0-9_]+): ?(.*)")
_REPLY = re.compile(r"([1-9][0-9]{2})([ -])(.*)")
_RESULT = re.compile(r"result=(\S*)(.*)")
_ENDPOS = re.compile(r"(?:^| )endpos=(-?[0-9]+)(?= |$)")
_INTEGER = re.compile(r"-?[0-9]+")
_SHOWN = 80  # characters of a bad line quoted in an error


@dataclass(frozen=True, slots=True)
class AgiReply:
    """One reply. ``text`` is the whole reply as sent (all lines of a multi-line one).

    ``result`` is None when ``result=`` is not an integer (GET DATA answers with
    the digit string, e.g. ``result=12*``, or nothing); ``result_text`` keeps it.
    For a multi-line reply ``data`` holds the lines between the first and last.
    """

    code: int
    result: int | None
    data: str | None
    endpos: int | None
    text: str
    result_text: str | None = None


@dataclass(frozen=True, slots=True)
class HangupNotice:
    """Asterisk's ``HANGUP`` line: the channel hung up. Not a reply to any command."""


@dataclass(frozen=True, slots=True)
class ConnectionClosed:
    """The peer closed the connection after the environment (``receive_eof``)."""


class NeedData(Enum):
    """No complete event yet: feed more bytes."""

    NEED_DATA = "need data"


NEED_DATA: Final = NeedData.NEED_DATA

AgiEvent = AgiEnvironment | AgiReply | HangupNotice | ConnectionClosed


class ParserState(Enum):
    ENVIRONMENT = "reading the environment"
    REPLIES = "reading replies"
    USAGE = "inside a multi-line reply"
    CLOSED = "closed"
    FAILED = "failed"


class _Input(Enum):
    HEADER = "agi_* line"
    BLANK = "blank line"
    REPLY = "reply line"
    HANGUP = "HANGUP line"
    MULTI_START = "first line of a multi-line reply"
    MULTI_LINE = "line of a multi-line reply"
    MULTI_END = "last line of a multi-line reply"
    EOF = "end of stream"


_TRANSITIONS: dict[tuple[ParserState, _Input], ParserState] = {
    (ParserState.ENVIRONMENT, _Input.HEADER): ParserState.ENVIRONMENT,
    (ParserState.ENVIRONMENT, _Input.BLANK): ParserState.REPLIES,
    (ParserState.REPLIES, _Input.REPLY): ParserState.REPLIES,
    # Tolerated: a stray empty line (e.g. a bare "\r\n") carries no information.
    (ParserState.REPLIES, _Input.BLANK): ParserState.REPLIES,
    (ParserState.REPLIES, _Input.HANGUP): ParserState.REPLIES,
    (ParserState.REPLIES, _Input.MULTI_START): ParserState.USAGE,
    (ParserState.REPLIES, _Input.EOF): ParserState.CLOSED,
    (ParserState.USAGE, _Input.MULTI_LINE): ParserState.USAGE,
    (ParserState.USAGE, _Input.MULTI_END): ParserState.REPLIES,
}


class AgiParser:
    """Incremental FastAGI stream parser (Asterisk to us). Not thread-safe; no I/O."""

    def __init__(
        self,
        *,
        max_line: int = DEFAULT_MAX_LINE,
        max_headers: int = DEFAULT_MAX_HEADERS,
        max_usage_lines: int = DEFAULT_MAX_USAGE_LINES,
    ) -> None:
        self.max_line = max_line
        self.max_headers = max_headers
        self.max_usage_lines = max_usage_lines
        self.state = ParserState.ENVIRONMENT
        self.decode_errors = 0
        self.bytes_received = 0
        self._buffer = bytearray()
        self._scanned = 0  # bytes at the buffer's start known to hold no b"\n"
        self._eof = False
        self._error: AgiProtocolError | None = None
        self._headers: dict[str, str] = {}
        self._multi: list[str] = []

    def receive_data(self, data: bytes) -> None:
        """Buffer bytes from the peer; they may end anywhere."""
        if self._eof:
            raise RuntimeError("AgiParser.receive_data called after receive_eof")
        self._buffer += data
        self.bytes_received += len(data)

    def receive_eof(self) -> None:
        """The peer closed its side; ``next_event`` reports what that means."""
        self._eof = True

    def next_event(self) -> AgiEvent | NeedData:
        """The next event, or NEED_DATA. Raises AgiProtocolError (and stays failed)."""
        if self._error is not None:
            raise self._error
        try:
            return self._next_event()
        except AgiProtocolError as error:
            self._error = error
            self.state = ParserState.FAILED
            raise

    def _next_event(self) -> AgiEvent | NeedData:
        while self.state is not ParserState.CLOSED:
            line = self._take_line()
            if line is None:
                return self._at_end_of_buffer()
            event = self._on_line(line)
            if event is not None:
                return event
        return NEED_DATA

    def _at_end_of_buffer(self) -> ConnectionClosed | NeedData:
        if not self._eof:
            return NEED_DATA
        if self._buffer:
            raise AgiProtocolError(
                f"connection closed in the middle of a line: {_show(bytes(self._buffer))}"
            )
        if self.state is ParserState.ENVIRONMENT:
            raise AgiProtocolError(
                "connection closed before the end of the AGI environment "
                f"({len(self._headers)} lines, {self.bytes_received} bytes received)"
            )
        self._advance(_Input.EOF)
        return ConnectionClosed()

    def _take_line(self) -> str | None:
        end = self._buffer.find(b"\n", self._scanned)
        if end < 0:
            self._scanned = len(self._buffer)
            if self._scanned > self.max_line:
                raise AgiProtocolError(
                    f"line longer than {self.max_line} bytes without a newline: "
                    f"{_show(bytes(self._buffer))}"
                )
            return None
        if end > self.max_line:
            raise AgiProtocolError(
                f"line of {end} bytes exceeds the {self.max_line}-byte limit: "
                f"{_show(bytes(self._buffer[:end]))}"
            )
        raw = bytes(self._buffer[:end])
        del self._buffer[: end + 1]
        self._scanned = 0
        return self._decode(raw[:-1] if raw.endswith(b"\r") else raw)

    def _decode(self, raw: bytes) -> str:
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            # A Latin-1 caller name must not cost the call; keep the line, mark the loss.
            self.decode_errors += 1
            return raw.decode("utf-8", errors="replace")

    def _advance(self, event: _Input) -> None:
        new_state = _TRANSITIONS.get((self.state, event))
        if new_state is None:
            raise AgiProtocolError(f"unexpected {event.value} while {self.state.value}")
        self.state = new_state

    def _on_line(self, line: str) -> AgiEvent | None:
        if self.state is ParserState.ENVIRONMENT:
            return self._on_environment_line(line)
        if self.state is ParserState.USAGE:
            return self._on_multi_line(line)
        return self._on_reply_line(line)

    def _on_environment_line(self, line: str) -> AgiEnvironment | None:
        if not line:
            self._advance(_Input.BLANK)
            return AgiEnvironment.from_headers(self._headers)
        match = _HEADER.fullmatch(line)
        if match is None:
            where = (
                "garbage before the AGI environment"
                if not self._headers
                else f"environment line {len(self._headers) + 1} is not 'agi_<name>: <value>'"
            )
            raise AgiProtocolError(f"{where}: {_show(line)}")
        key, value = match.groups()
        if key in self._headers:
            raise AgiProtocolError(f"AGI environment repeats {key}: {_show(line)}")
        if len(self._headers) >= self.max_headers:
            raise AgiProtocolError(f"AGI environment has more than {self.max_headers} lines")
        self._advance(_Input.HEADER)
        self._headers[key] = value
        return None

    def _on_reply_line(self, line: str) -> AgiReply | HangupNotice | None:
        if not line:
            self._advance(_Input.BLANK)
            return None
        if line == "HANGUP":
            self._advance(_Input.HANGUP)
            return HangupNotice()
        match = _REPLY.fullmatch(line)
        if match is None:
            raise AgiProtocolError(f"not an AGI reply: {_show(line)}")
        if match.group(2) == "-":
            self._advance(_Input.MULTI_START)
            self._multi = [line]
            return None
        self._advance(_Input.REPLY)
        return parse_reply(line)

    def _on_multi_line(self, line: str) -> AgiReply | None:
        self._multi.append(line)
        code = self._multi[0][:3]
        if not line.startswith(code + " "):
            if len(self._multi) > self.max_usage_lines:
                raise AgiProtocolError(
                    f"multi-line {code} reply longer than {self.max_usage_lines} lines"
                )
            self._advance(_Input.MULTI_LINE)
            return None
        self._advance(_Input.MULTI_END)
        lines, self._multi = self._multi, []
        return AgiReply(int(code), None, "\n".join(lines[1:-1]), None, "\n".join(lines))


def parse_reply(line: str) -> AgiReply:
    """Parse one complete single-line reply such as ``200 result=1 (nl)``."""
    match = _REPLY.fullmatch(line)
    if match is None or match.group(2) != " ":
        raise AgiProtocolError(f"not an AGI reply: {_show(line)}")
    code = int(match.group(1))
    if code != 200:
        return AgiReply(code, None, None, None, line)
    result = _RESULT.fullmatch(match.group(3))
    if result is None:
        raise AgiProtocolError(f"200 reply without result=: {_show(line)}")
    raw_result, rest = result.groups()
    data, endpos = _data_and_endpos(rest)
    number = int(raw_result) if _INTEGER.fullmatch(raw_result) else None
    return AgiReply(200, number, data, endpos, line, raw_result)


def _data_and_endpos(rest: str) -> tuple[str | None, int | None]:
    """Split `` (data) endpos=N ...`` after the result.

    A reply that ends in ')' is taken as ``(data)`` to the end: GET VARIABLE
    echoes values verbatim, and a value may itself contain ") endpos=".
    """
    if not rest:
        return None, None
    if rest.startswith(" (") and rest.endswith(")"):
        return rest[2:-1], None
    data = None
    tail = rest
    if rest.startswith(" ("):
        close = rest.find(") ")
        if close > 0:
            data, tail = rest[2:close], rest[close + 1 :]
    endpos = _ENDPOS.search(tail)
    return data, (int(endpos.group(1)) if endpos else None)


def _show(text: str | bytes) -> str:
    """A bad line, cut short and repr-quoted so control bytes are visible."""
    return repr(text[:_SHOWN]) + (" ..." if len(text) > _SHOWN else "")
