"""Typed AMI events, built at the edge from generic Event frames.

``EventFactory.build`` maps an ``Event`` frame to the frozen dataclass named
after the AMI event (``Hangup``, ``QueueCallerJoin``, ...). Events the
controller has no type for become ``GenericEvent``; a known event whose
headers are missing or not numeric becomes ``InvalidEvent`` naming what is
wrong, with every header kept, so one odd frame never stops the reader.

VarSet is typed only when asked: it is among the busiest events, so the
factory builds a ``VarSet`` only for variable names in ``watched_variables``
and returns None (counted in ``filtered``) for the others.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from acd.ami._channel_events import (
    BUILDERS as _CHANNEL_BUILDERS,
)
from acd.ami._channel_events import (
    AttendedTransfer,
    BlindTransfer,
    BridgeEnter,
    BridgeLeave,
    ChannelEvent,
    CoreShowChannel,
    CoreShowChannelsComplete,
    DialBegin,
    DialEnd,
    Hangup,
    HangupRequest,
    MixMonitorStart,
    MixMonitorStop,
    Newchannel,
    Newstate,
    OriginateResponse,
    VarSet,
)
from acd.ami._frozen import fast_frozen
from acd.ami._queue_events import (
    BUILDERS as _QUEUE_BUILDERS,
)
from acd.ami._queue_events import (
    AgentCalled,
    AgentComplete,
    AgentConnect,
    AgentDump,
    AgentRingNoAnswer,
    QueueCallerAbandon,
    QueueCallerJoin,
    QueueCallerLeave,
    QueueEvent,
    QueueMemberAdded,
    QueueMemberPause,
    QueueMemberRemoved,
    QueueMemberStatus,
)
from acd.ami._queue_status_events import (
    BUILDERS as _QUEUE_STATUS_BUILDERS,
)
from acd.ami._queue_status_events import (
    QueueEntry,
    QueueMember,
    QueueParams,
    QueueStatusComplete,
    QueueStatusEvent,
    QueueSummary,
    QueueSummaryComplete,
)
from acd.ami._snapshots import BridgeSnapshot, ChannelSnapshot, ChannelState, DeviceState
from acd.ami._system_events import (
    BUILDERS as _SYSTEM_BUILDERS,
)
from acd.ami._system_events import (
    ContactStatus,
    DeviceStateChange,
    FullyBooted,
    PeerStatus,
    SystemEvent,
)
from acd.ami.frames import Event, Pairs

__all__ = [
    "AgentCalled",
    "AgentComplete",
    "AgentConnect",
    "AgentDump",
    "AgentRingNoAnswer",
    "AmiEvent",
    "AttendedTransfer",
    "BlindTransfer",
    "BridgeEnter",
    "BridgeLeave",
    "BridgeSnapshot",
    "ChannelSnapshot",
    "ChannelState",
    "ContactStatus",
    "CoreShowChannel",
    "CoreShowChannelsComplete",
    "DeviceState",
    "DeviceStateChange",
    "DialBegin",
    "DialEnd",
    "EventFactory",
    "FullyBooted",
    "GenericEvent",
    "Hangup",
    "HangupRequest",
    "InvalidEvent",
    "MixMonitorStart",
    "MixMonitorStop",
    "Newchannel",
    "Newstate",
    "OriginateResponse",
    "PeerStatus",
    "QueueCallerAbandon",
    "QueueCallerJoin",
    "QueueCallerLeave",
    "QueueEntry",
    "QueueMember",
    "QueueMemberAdded",
    "QueueMemberPause",
    "QueueMemberRemoved",
    "QueueMemberStatus",
    "QueueParams",
    "QueueStatusComplete",
    "QueueSummary",
    "QueueSummaryComplete",
    "VarSet",
]


@fast_frozen
@dataclass(frozen=True)
class GenericEvent:
    """An event the controller has no type for, kept whole."""

    name: str
    headers: Mapping[str, str] = field(hash=False)
    repeated: Pairs = ()


@dataclass(frozen=True)
class InvalidEvent:
    """A known event whose headers did not fit its type; ``reason`` says which."""

    name: str
    reason: str
    headers: Mapping[str, str] = field(hash=False)
    repeated: Pairs = ()


AmiEvent = ChannelEvent | QueueEvent | QueueStatusEvent | SystemEvent | GenericEvent | InvalidEvent
_Builder = Callable[[Event], AmiEvent | None]


class EventFactory:
    """Builds typed events; one per connection or shared, it keeps only counters."""

    def __init__(self, *, watched_variables: frozenset[str] = frozenset()) -> None:
        self._watched = watched_variables
        self._builders: dict[str, _Builder] = {
            **_CHANNEL_BUILDERS,
            **_QUEUE_BUILDERS,
            **_QUEUE_STATUS_BUILDERS,
            **_SYSTEM_BUILDERS,
            "VarSet": self._varset,
        }
        self.filtered = 0
        self.invalid = 0

    @property
    def known_events(self) -> frozenset[str]:
        return frozenset(self._builders)

    def build(self, frame: Event) -> AmiEvent | None:
        """The typed event for ``frame``; None if filtered out (an unwatched VarSet)."""
        builder = self._builders.get(frame.name)
        if builder is None:
            return GenericEvent(frame.name, frame.headers, frame.repeated)
        try:
            return builder(frame)
        except KeyError as exc:
            return self._invalid(frame, f"missing header {exc.args[0]!r}")
        except ValueError as exc:
            return self._invalid(frame, f"bad header value: {exc}")

    def _invalid(self, frame: Event, reason: str) -> InvalidEvent:
        self.invalid += 1
        return InvalidEvent(frame.name, f"{frame.name}: {reason}", frame.headers, frame.repeated)

    def _varset(self, frame: Event) -> VarSet | None:
        if frame.headers.get("Variable") not in self._watched:
            self.filtered += 1
            return None
        return VarSet.from_frame(frame)
