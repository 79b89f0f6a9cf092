"""Typed app_queue events: callers joining and leaving, agents rung, members.

Field names come from apps/app_queue.c in Asterisk 22 (the ast_json_pack
blobs and queue_member_blob_create()). Durations are whole seconds; the
caller is the plain channel snapshot, the agent the "Dest" one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Self

from acd.ami._frozen import fast_frozen
from acd.ami._snapshots import (
    ChannelSnapshot,
    DeviceState,
    channel_snapshot,
    device_state,
    optional_channel_snapshot,
)
from acd.ami.frames import Event


@fast_frozen
@dataclass(frozen=True)
class QueueCallerJoin:
    """``count`` is the number of callers in the queue after this one joined."""

    channel: ChannelSnapshot
    queue: str
    position: int
    count: int

    @classmethod
    def from_frame(cls, frame: Event) -> QueueCallerJoin:
        h = frame.headers
        return cls(channel_snapshot(frame), h["Queue"], int(h["Position"]), int(h["Count"]))


@fast_frozen
@dataclass(frozen=True)
class QueueCallerLeave:
    channel: ChannelSnapshot
    queue: str
    position: int
    count: int

    @classmethod
    def from_frame(cls, frame: Event) -> QueueCallerLeave:
        h = frame.headers
        return cls(channel_snapshot(frame), h["Queue"], int(h["Position"]), int(h["Count"]))


@fast_frozen
@dataclass(frozen=True)
class QueueCallerAbandon:
    channel: ChannelSnapshot
    queue: str
    position: int
    original_position: int
    hold_time: int

    @classmethod
    def from_frame(cls, frame: Event) -> QueueCallerAbandon:
        h = frame.headers
        return cls(
            channel_snapshot(frame),
            h["Queue"],
            int(h["Position"]),
            int(h["OriginalPosition"]),
            int(h["HoldTime"]),
        )


@fast_frozen
@dataclass(frozen=True)
class AgentCalled:
    """A member's phone is rung for ``caller``; ``agent`` is the ringing channel."""

    caller: ChannelSnapshot
    agent: ChannelSnapshot
    queue: str
    member_name: str
    interface: str

    @classmethod
    def from_frame(cls, frame: Event) -> AgentCalled:
        h = frame.headers
        return cls(
            channel_snapshot(frame),
            channel_snapshot(frame, "Dest"),
            h["Queue"],
            h["MemberName"],
            h["Interface"],
        )


@fast_frozen
@dataclass(frozen=True)
class AgentRingNoAnswer:
    """``ring_time`` is how long the member was rung, in seconds."""

    caller: ChannelSnapshot
    agent: ChannelSnapshot
    queue: str
    member_name: str
    interface: str
    ring_time: int

    @classmethod
    def from_frame(cls, frame: Event) -> AgentRingNoAnswer:
        h = frame.headers
        return cls(
            channel_snapshot(frame),
            channel_snapshot(frame, "Dest"),
            h["Queue"],
            h["MemberName"],
            h["Interface"],
            int(h["RingTime"]),
        )


@fast_frozen
@dataclass(frozen=True)
class AgentConnect:
    caller: ChannelSnapshot
    agent: ChannelSnapshot
    queue: str
    member_name: str
    interface: str
    ring_time: int
    hold_time: int

    @classmethod
    def from_frame(cls, frame: Event) -> AgentConnect:
        h = frame.headers
        return cls(
            channel_snapshot(frame),
            channel_snapshot(frame, "Dest"),
            h["Queue"],
            h["MemberName"],
            h["Interface"],
            int(h["RingTime"]),
            int(h["HoldTime"]),
        )


@fast_frozen
@dataclass(frozen=True)
class AgentComplete:
    """``reason`` is caller, agent or transfer (who ended the call).

    ``agent`` is None when the agent's channel was already gone when app_queue
    reported the end: Asterisk then sends no ``Dest*`` headers (seen in a real run).
    """

    caller: ChannelSnapshot
    agent: ChannelSnapshot | None
    queue: str
    member_name: str
    interface: str
    hold_time: int
    talk_time: int
    reason: str

    @classmethod
    def from_frame(cls, frame: Event) -> AgentComplete:
        h = frame.headers
        return cls(
            channel_snapshot(frame),
            optional_channel_snapshot(frame, "Dest"),
            h["Queue"],
            h["MemberName"],
            h["Interface"],
            int(h["HoldTime"]),
            int(h["TalkTime"]),
            h["Reason"],
        )


@fast_frozen
@dataclass(frozen=True)
class AgentDump:
    """The member hung up on the caller before the call was bridged."""

    caller: ChannelSnapshot
    agent: ChannelSnapshot
    queue: str
    member_name: str
    interface: str

    @classmethod
    def from_frame(cls, frame: Event) -> AgentDump:
        h = frame.headers
        return cls(
            channel_snapshot(frame),
            channel_snapshot(frame, "Dest"),
            h["Queue"],
            h["MemberName"],
            h["Interface"],
        )


@dataclass(frozen=True)
class _QueueMemberEvent:
    """The member blob app_queue.c's queue_member_blob_create() writes for every
    QueueMember* event. Times are Unix seconds (0 = never)."""

    queue: str
    member_name: str
    interface: str
    state_interface: str
    membership: str  # dynamic, realtime or static
    penalty: int
    calls_taken: int
    last_call: int
    last_pause: int
    login_time: int
    in_call: bool
    status: DeviceState
    paused: bool
    paused_reason: str
    ringinuse: bool
    wrapuptime: int

    @classmethod
    def from_frame(cls, frame: Event) -> Self:
        h = frame.headers
        return cls(
            h["Queue"],
            h["MemberName"],
            h["Interface"],
            h["StateInterface"],
            h["Membership"],
            int(h["Penalty"]),
            int(h["CallsTaken"]),
            int(h["LastCall"]),
            int(h["LastPause"]),
            int(h["LoginTime"]),
            h["InCall"] == "1",
            device_state(h["Status"]),
            h["Paused"] == "1",
            h["PausedReason"],
            h["Ringinuse"] == "1",
            int(h["Wrapuptime"]),
        )


@fast_frozen
@dataclass(frozen=True)
class QueueMemberAdded(_QueueMemberEvent):
    pass


@fast_frozen
@dataclass(frozen=True)
class QueueMemberRemoved(_QueueMemberEvent):
    pass


@fast_frozen
@dataclass(frozen=True)
class QueueMemberPause(_QueueMemberEvent):
    pass


@fast_frozen
@dataclass(frozen=True)
class QueueMemberStatus(_QueueMemberEvent):
    pass


QueueEvent = (
    QueueCallerJoin
    | QueueCallerLeave
    | QueueCallerAbandon
    | AgentCalled
    | AgentRingNoAnswer
    | AgentConnect
    | AgentComplete
    | AgentDump
    | QueueMemberAdded
    | QueueMemberRemoved
    | QueueMemberPause
    | QueueMemberStatus
)

BUILDERS: Mapping[str, Callable[[Event], QueueEvent]] = {
    "QueueCallerJoin": QueueCallerJoin.from_frame,
    "QueueCallerLeave": QueueCallerLeave.from_frame,
    "QueueCallerAbandon": QueueCallerAbandon.from_frame,
    "AgentCalled": AgentCalled.from_frame,
    "AgentRingNoAnswer": AgentRingNoAnswer.from_frame,
    "AgentConnect": AgentConnect.from_frame,
    "AgentComplete": AgentComplete.from_frame,
    "AgentDump": AgentDump.from_frame,
    "QueueMemberAdded": QueueMemberAdded.from_frame,
    "QueueMemberRemoved": QueueMemberRemoved.from_frame,
    "QueueMemberPause": QueueMemberPause.from_frame,
    "QueueMemberStatus": QueueMemberStatus.from_frame,
}
