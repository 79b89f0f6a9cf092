"""Typed AMI events, built at the edge from generic Event frames.

``EventFactory.build`` maps an ``Event`` frame to the frozen dataclass named
after the AMI event (``Hangup``, ``DialEnd``, ...). Only the events some part
of the product reads have a type; every other event becomes ``GenericEvent``,
kept whole. A known event whose headers are missing or not numeric becomes
``InvalidEvent`` naming what is wrong, with every header kept, so one odd frame
never stops the reader.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from acd.ami._channel_events import (
    BUILDERS as _CHANNEL_BUILDERS,
)
from acd.ami._channel_events import (
    AttendedTransfer,
    ChannelEvent,
    CoreShowChannel,
    DialBegin,
    DialEnd,
    Hangup,
    HangupRequest,
    OriginateResponse,
)
from acd.ami._frozen import fast_frozen
from acd.ami._presence_events import BUILDERS as _PRESENCE_BUILDERS
from acd.ami._presence_events import ExtensionStatus, HintState, PresenceEvent
from acd.ami._queue_status_events import (
    BUILDERS as _QUEUE_STATUS_BUILDERS,
)
from acd.ami._queue_status_events import QueueMember, QueueStatusEvent
from acd.ami._recording_events import RecordingEvent, RecordingKey, is_recording_key
from acd.ami._snapshots import BridgeSnapshot, ChannelSnapshot, ChannelState, DeviceState
from acd.ami.frames import Event, Pairs

__all__ = [
    "AmiEvent",
    "AttendedTransfer",
    "BridgeSnapshot",
    "ChannelSnapshot",
    "ChannelState",
    "CoreShowChannel",
    "DeviceState",
    "DialBegin",
    "DialEnd",
    "EventFactory",
    "ExtensionStatus",
    "GenericEvent",
    "Hangup",
    "HangupRequest",
    "HintState",
    "InvalidEvent",
    "OriginateResponse",
    "QueueMember",
    "RecordingKey",
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


AmiEvent = (
    ChannelEvent | QueueStatusEvent | PresenceEvent | RecordingEvent | GenericEvent | InvalidEvent
)
_Builder = Callable[[Event], AmiEvent]


class EventFactory:
    """Builds typed events; one per connection or shared, it keeps only a counter."""

    def __init__(self) -> None:
        self._builders: dict[str, _Builder] = {
            **_CHANNEL_BUILDERS,
            **_QUEUE_STATUS_BUILDERS,
            **_PRESENCE_BUILDERS,
        }
        self.invalid = 0

    @property
    def known_events(self) -> frozenset[str]:
        return frozenset(self._builders)

    def build(self, frame: Event) -> AmiEvent:
        """The typed event for ``frame``, or GenericEvent when it has no type."""
        builder = self._builders.get(frame.name)
        if builder is None and frame.name == "UserEvent" and is_recording_key(frame):
            builder = RecordingKey.from_frame
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
