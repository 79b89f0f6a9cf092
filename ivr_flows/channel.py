"""What the IVR needs from a live call: play a prompt, read a keypad digit.

The FastAGI session (``acd.agi``) satisfies ``IvrChannel`` structurally; tests use a
scripted fake. A caller hanging up surfaces as an exception from either method, which
the IVR runner lets through to the call controller.
"""

from __future__ import annotations

from typing import Protocol

# Every key a caller can press on a phone keypad: all of them may interrupt a menu.
BARGE_IN_DIGITS = "0123456789*#"


class IvrChannel(Protocol):
    """One caller's audio channel, as the IVR sees it."""

    async def stream_file(self, name: str, escape_digits: str = "") -> str | None:
        """Play ``name``; the digit in ``escape_digits`` that stopped it, or None."""
        ...

    async def wait_for_digit(self, timeout_s: float) -> str | None:
        """One keypad digit, or None when ``timeout_s`` passed without one."""
        ...
