"""Exceptions raised by the AMI client; each message names the peer and what failed."""

from __future__ import annotations


class AmiError(Exception):
    """Base of every AMI client error."""


class AmiConnectionError(AmiError):
    """No usable connection: refused, closed by Asterisk, dead (no Pong) or client closed."""


class AmiLoginError(AmiError):
    """Asterisk refused the Login (wrong user or secret, or not allowed from this host)."""


class AmiActionError(AmiError):
    """Asterisk answered an action with ``Response: Error``."""

    def __init__(self, action_name: str, action_id: str, message: str | None) -> None:
        super().__init__(f"{action_name} (ActionID {action_id}) failed: {message or 'no message'}")
        self.action_name = action_name
        self.action_id = action_id
        self.message = message


class AmiTimeoutError(AmiError, TimeoutError):
    """An action got no complete answer in time (or no connection came up in time)."""
