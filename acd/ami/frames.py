"""The generic AMI frames that AmiProtocol.next_event() returns.

AMI is a stream of frames: "Key: Value" lines ended by a blank line. A frame is
either a Response to one of our actions or an Event; the stream opens with a
one-line banner. These classes are the untyped layer: events.py turns Event
frames into typed domain events.

Headers: ``headers`` maps each key to its value. AMI may repeat a key
(ChanVariable, Variable, Output); then ``headers`` holds the last value and
``repeated`` holds every (key, value) pair in arrival order. ``repeated`` is
empty when no key repeats, so the common case costs nothing extra.
``get_all()`` hides that distinction.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum

from acd.ami._frozen import fast_frozen

Pairs = tuple[tuple[str, str], ...]


class ResponseKind(Enum):
    """The value of a Response header; Asterisk 22 sends Success, Error, Goodbye."""

    SUCCESS = "Success"
    ERROR = "Error"
    FOLLOWS = "Follows"  # legacy Command output (Asterisk < 14); body lines become Output
    GOODBYE = "Goodbye"  # answer to Logoff; Asterisk closes the socket after it


class _HeaderAccess:
    """Shared look-ups for frames that carry headers."""

    __slots__ = ()
    headers: Mapping[str, str]
    repeated: Pairs

    def get(self, key: str, default: str | None = None) -> str | None:
        """The (last) value of ``key``, exact case as Asterisk sends it."""
        return self.headers.get(key, default)

    def get_all(self, key: str) -> tuple[str, ...]:
        """Every value of ``key`` in arrival order (empty if absent)."""
        if self.repeated:
            return tuple(v for k, v in self.repeated if k == key)
        value = self.headers.get(key)
        return () if value is None else (value,)

    def items(self) -> Pairs:
        """All headers in arrival order, repeated keys included."""
        return self.repeated or tuple(self.headers.items())

    @property
    def action_id(self) -> str | None:
        """The ActionID this frame answers, if any."""
        return self.headers.get("ActionID")


@fast_frozen
@dataclass(frozen=True)
class Banner:
    """The greeting line, e.g. ``Asterisk Call Manager/11.0.0`` (AMI version, not Asterisk's)."""

    product: str
    version: str


@fast_frozen
@dataclass(frozen=True)
class Response(_HeaderAccess):
    """A reply to an action; ``message`` is Asterisk's human-readable Message header."""

    kind: ResponseKind
    headers: Mapping[str, str] = field(hash=False)
    repeated: Pairs = ()

    @property
    def message(self) -> str | None:
        return self.headers.get("Message")

    @property
    def starts_list(self) -> bool:
        """True when Asterisk announces that list events follow (``EventList: start``)."""
        flag = self.headers.get("EventList")
        return flag is not None and flag.lower() == "start"


@fast_frozen
@dataclass(frozen=True)
class Event(_HeaderAccess):
    """An event frame: ``name`` is the Event header, ``headers`` includes it too."""

    name: str
    headers: Mapping[str, str] = field(hash=False)
    repeated: Pairs = ()

    @property
    def completes_list(self) -> bool:
        """True for the final event of a list answer (``EventList: Complete``)."""
        flag = self.headers.get("EventList")
        return flag is not None and flag.lower() == "complete"


@dataclass(frozen=True, slots=True)
class MalformedFrame:
    """Bytes that did not form a valid frame; parsing resumed after them.

    ``reason`` names what is wrong; ``raw`` holds the offending bytes with line
    ends normalised to ``\\n`` (cut to the frame size limit for oversize frames).
    """

    reason: str
    raw: bytes


@dataclass(frozen=True, slots=True)
class ConnectionClosed:
    """The peer closed the stream (``receive_data(b"")``) and every frame was returned."""


Frame = Banner | Response | Event | MalformedFrame | ConnectionClosed
