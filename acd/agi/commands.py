"""Encoding AGI command lines the way res_agi.c's parse_args() splits them.

Asterisk reads one command per line (up to a newline, in a buffer of
AGI_BUF_LEN = 8192 bytes) and splits it into at most 127 words: spaces and
tabs separate words, a double quote starts or ends a quoted stretch in which
spaces are kept, and a backslash makes the next character literal. So an
argument that is empty or holds a space, tab, quote or backslash is sent as
``"..."`` with ``\\"`` and ``\\\\`` inside; any other argument goes as is.

There is no escape for a newline, carriage return or NUL (the line would be
cut short or the argument truncated), so arguments holding one are refused
with ValueError rather than silently changed.
"""

from __future__ import annotations

import re

# fgets() into the 8192-byte buffer keeps 8191 bytes, the newline included.
MAX_COMMAND_BYTES = 8190
MAX_WORDS = 127  # parse_args() stops at MAX_ARGS - 1
_COMMAND_NAME = re.compile(r"[A-Za-z]+(?: [A-Za-z]+)*")
_NEEDS_QUOTES = frozenset(' \t"\\')
_FORBIDDEN = {"\n": "newline", "\r": "carriage return", "\0": "NUL"}


def quote_argument(argument: str) -> str:
    """One argument as parse_args() will read it back unchanged."""
    _check_characters(argument, "argument")
    if argument and not _NEEDS_QUOTES.intersection(argument):
        return argument
    escaped = argument.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def encode_command(command: str, *arguments: str) -> bytes:
    """``encode_command("STREAM FILE", "welkom", "")`` -> ``b'STREAM FILE welkom ""\\n'``."""
    return encode_line(format_command(command, *arguments))


def format_command(command: str, *arguments: str) -> str:
    """The command line as text, without its newline (for ``AgiSession.command``)."""
    if not _COMMAND_NAME.fullmatch(command):
        raise ValueError(f"AGI command name must be words of letters, got {command!r}")
    words = len(command.split()) + len(arguments)
    if words > MAX_WORDS:
        raise ValueError(f"AGI command {command} has {words} words; Asterisk reads {MAX_WORDS}")
    return " ".join([command, *(quote_argument(a) for a in arguments)])


def encode_line(line: str) -> bytes:
    """A complete, already quoted command line as bytes with its newline."""
    _check_characters(line, "command line")
    if not line.strip():
        raise ValueError("AGI command line is empty")
    data = line.encode("utf-8") + b"\n"
    if len(data) - 1 > MAX_COMMAND_BYTES:
        raise ValueError(
            f"AGI command line is {len(data) - 1} bytes; Asterisk reads at most "
            f"{MAX_COMMAND_BYTES}: {line[:60]!r} ..."
        )
    return data


def _check_characters(text: str, what: str) -> None:
    for char, name in _FORBIDDEN.items():
        if char in text:
            raise ValueError(f"AGI {what} contains a {name}, which cannot be sent: {text[:60]!r}")
