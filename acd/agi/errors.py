"""Exceptions raised by the FastAGI layer; each message names what failed and why."""

from __future__ import annotations


class AgiError(Exception):
    """Base of every FastAGI error."""


class AgiHangup(AgiError):
    """The channel is gone: HANGUP notice, ``result=-1``, ``511``, or the connection closed."""


class AgiProtocolError(AgiError):
    """The peer sent bytes that are not FastAGI (garbage, an oversize line, a cut-off stream)."""


class AgiCommandError(AgiError):
    """Asterisk refused or could not carry out a command (510, 520, unknown application, ...)."""

    def __init__(self, command: str, detail: str, *, code: int | None = None) -> None:
        super().__init__(f"AGI command {_shorten(command)!r} failed: {detail}")
        self.command = command
        self.detail = detail
        self.code = code


def _shorten(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."
