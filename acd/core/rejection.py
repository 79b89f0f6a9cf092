"""How a core handler says "not allowed now": raise ``Rejected`` with a clear reason.

``Acd.feed`` catches it, throws away everything the input had changed, and returns a
single ``Reject`` effect carrying the reason.
"""

from __future__ import annotations

from collections.abc import Iterable


class Rejected(Exception):
    """The input is not allowed in the current state; ``why`` is for the log and the API."""

    def __init__(self, why: str) -> None:
        super().__init__(why)
        self.why = why


def unknown(kind: str, value: str, known: Iterable[str]) -> Rejected:
    """``Rejected`` naming the unknown ``value`` and every known one."""
    names = ", ".join(sorted(known)) or "none"
    return Rejected(f"unknown {kind} {value!r}; known: {names}")
