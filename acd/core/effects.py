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

COMMON_FIELDS = frozenset({"v", "type", "at", "call_id", "agent_id"})
"""Fields every stream entry has (docs/events.md); a type's own fields may not reuse them."""


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


@dataclass(frozen=True, slots=True, kw_only=True)
class Publish:
    """One event for the stream of docs/events.md (``call.*`` and ``agent.*`` types).

    ``call_id`` and ``agent_id`` are the common fields; ``fields`` holds the type's own,
    every value a string. For ``agent.state`` the call the agent works on is the common
    ``call_id`` (a flat stream entry cannot hold it twice).
    """

    type: str
    at: datetime
    call_id: str
    agent_id: str
    fields: Mapping[str, str]

    def __post_init__(self) -> None:
        clash = sorted(COMMON_FIELDS & set(self.fields))
        if clash:
            raise ValueError(f"Publish {self.type}: fields may not hold common fields {clash}")
        bad = sorted(k for k, v in self.fields.items() if not isinstance(v, str))
        if bad:
            raise ValueError(f"Publish {self.type}: fields {bad} must be strings")
        object.__setattr__(self, "fields", MappingProxyType(dict(self.fields)))


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
