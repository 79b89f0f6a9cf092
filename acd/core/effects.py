"""What the ACD core decides: frozen effects for the asyncio adapter to carry out.

``Acd.feed`` returns a list of these in the order they should happen. The core never
waits for them; the adapter reports the outcome as a later input (a ``RingAgent``
comes back as ``OfferAnswered`` or ``OfferFailed``, a ``StartTimer`` as ``TimerFired``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType

from contract.codec import ENVELOPE, encode
from contract.events import StreamEvent


@dataclass(frozen=True, slots=True, kw_only=True)
class RingAgent:
    """Ring the agent's position for the call; answer or failure comes back as an input."""

    call_id: str
    agent_id: str
    position_id: str
    extension: str
    ring_timeout_s: float


@dataclass(frozen=True, slots=True, kw_only=True)
class CancelRing:
    """The caller left while the agent's phone rang: hang up the agent's ringing leg."""

    call_id: str
    agent_id: str
    extension: str


@dataclass(frozen=True, slots=True)
class Publish:
    """One event for the stream of docs/events.md (``call.*`` and ``agent.*`` types).

    The event is one of the contract's frozen classes, checked when it was made; the
    properties read it the way the stream spells it.
    """

    event: StreamEvent

    @property
    def type(self) -> str:
        return self.event.TYPE

    @property
    def at(self) -> datetime:
        return self.event.at

    @property
    def call_id(self) -> str:
        return self.event.call_id

    @property
    def agent_id(self) -> str:
        return self.event.agent_id

    @property
    def fields(self) -> Mapping[str, str]:
        """The type's own fields as the stream entry carries them (all strings)."""
        entry = encode(self.event)
        return MappingProxyType({k: v for k, v in entry.items() if k not in ENVELOPE})


@dataclass(frozen=True, slots=True, kw_only=True)
class StartTimer:
    """Feed ``TimerFired(key)`` at ``due``; starting a key again replaces its timer."""

    key: str
    due: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class CancelTimer:
    """Forget the timer ``key`` (nothing happens if it is not running)."""

    key: str


@dataclass(frozen=True, slots=True, kw_only=True)
class MirrorMember:
    """Keep the agent's fallback app_queue membership in step with the core.

    ``paused`` is true only for a real pause: app_queue sees ringing and talking by
    itself, and after-call work is the controller's business.
    """

    agent_id: str
    extension: str
    topics: frozenset[str]
    logged_in: bool
    paused: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class Reject:
    """The input was not allowed now; nothing changed. ``why`` says what is wrong."""

    input_name: str
    why: str


Effect = RingAgent | CancelRing | Publish | StartTimer | CancelTimer | MirrorMember | Reject
"""Everything ``Acd.feed`` can return."""
