"""Typed channel, dial, hang-up, transfer and Originate events.

Only the events some part of the controller reads have a type here; every other
event stays a ``GenericEvent`` (events.py). Field names come from Asterisk 22's
own sources: main/manager_channels.c (Hangup, HangupRequest, DialBegin/DialEnd),
main/stasis_bridges.c (AttendedTransfer), main/manager.c (CoreShowChannel list
items, OriginateResponse).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from acd.ami._frozen import fast_frozen
from acd.ami._snapshots import (
    BridgeSnapshot,
    ChannelSnapshot,
    channel_snapshot,
    optional_bridge_snapshot,
    optional_channel_snapshot,
    unknown_to_none,
)
from acd.ami.frames import Event


@fast_frozen
@dataclass(frozen=True)
class Hangup:
    """``cause`` is the Q.850 cause code; ``tech_cause`` e.g. the SIP status, if any."""

    channel: ChannelSnapshot
    cause: int
    cause_txt: str
    tech_cause: int | None

    @classmethod
    def from_frame(cls, frame: Event) -> Hangup:
        h = frame.headers
        tech = h.get("TechCause")
        return cls(
            channel_snapshot(frame),
            int(h["Cause"]),
            h["Cause-txt"],
            None if tech is None else int(tech),
        )


@fast_frozen
@dataclass(frozen=True)
class HangupRequest:
    """The channel's own side asked to hang up (a BYE, the Hangup app or action).

    Unlike the order of ``Hangup`` events, which follows channel destruction, this
    tells who ended a bridged call: the partner gets only a ``SoftHangupRequest``.
    """

    channel: ChannelSnapshot

    @classmethod
    def from_frame(cls, frame: Event) -> HangupRequest:
        return cls(channel_snapshot(frame))


@fast_frozen
@dataclass(frozen=True)
class DialBegin:
    """``caller`` is None when nobody dials (an Originate)."""

    caller: ChannelSnapshot | None
    dest: ChannelSnapshot
    dial_string: str

    @classmethod
    def from_frame(cls, frame: Event) -> DialBegin:
        return cls(
            optional_channel_snapshot(frame),
            channel_snapshot(frame, "Dest"),
            frame.headers.get("DialString", ""),
        )


@fast_frozen
@dataclass(frozen=True)
class DialEnd:
    """``dial_status`` is ANSWER, BUSY, NOANSWER, CANCEL, CHANUNAVAIL, CONGESTION, ..."""

    caller: ChannelSnapshot | None
    dest: ChannelSnapshot
    dial_status: str
    forward: str | None

    @classmethod
    def from_frame(cls, frame: Event) -> DialEnd:
        h = frame.headers
        return cls(
            optional_channel_snapshot(frame),
            channel_snapshot(frame, "Dest"),
            h["DialStatus"],
            h.get("Forward"),
        )


@fast_frozen
@dataclass(frozen=True)
class AttendedTransfer:
    """A completed attended transfer. ``dest_type``: Bridge, App, Link, Threeway or Fail.

    The "orig" side is the transferer's call with the transferee, the "second"
    side its call with the transfer target.
    """

    result: str
    orig_transferer: ChannelSnapshot
    orig_bridge: BridgeSnapshot | None
    second_transferer: ChannelSnapshot
    second_bridge: BridgeSnapshot | None
    transferee: ChannelSnapshot | None
    transfer_target: ChannelSnapshot | None
    is_external: bool
    dest_type: str
    dest_bridge_uniqueid: str | None
    dest_app: str | None

    @classmethod
    def from_frame(cls, frame: Event) -> AttendedTransfer:
        h = frame.headers
        return cls(
            h["Result"],
            channel_snapshot(frame, "OrigTransferer"),
            optional_bridge_snapshot(frame, "Orig"),
            channel_snapshot(frame, "SecondTransferer"),
            optional_bridge_snapshot(frame, "Second"),
            optional_channel_snapshot(frame, "Transferee"),
            optional_channel_snapshot(frame, "TransferTarget"),
            h["IsExternal"] == "Yes",
            h["DestType"],
            h.get("DestBridgeUniqueid"),
            h.get("DestApp"),
        )


def _duration_seconds(raw: str) -> int | None:
    """CoreShowChannel writes HH:MM:SS, or "" when the creation time is unknown."""
    if not raw:
        return None
    hours, minutes, seconds = raw.split(":")
    return int(hours) * 3600 + int(minutes) * 60 + int(seconds)


@fast_frozen
@dataclass(frozen=True)
class CoreShowChannel:
    """One item of the CoreShowChannels list answer."""

    channel: ChannelSnapshot
    bridge_id: str | None
    application: str
    application_data: str
    duration: int | None  # seconds

    @classmethod
    def from_frame(cls, frame: Event) -> CoreShowChannel:
        h = frame.headers
        return cls(
            channel_snapshot(frame),
            h.get("BridgeId") or None,
            h["Application"],
            h["ApplicationData"],
            _duration_seconds(h["Duration"]),
        )


@fast_frozen
@dataclass(frozen=True)
class OriginateResponse:
    """Outcome of an asynchronous Originate; ``reason`` is Asterisk's AST_CONTROL code."""

    success: bool
    channel: str
    uniqueid: str | None
    reason: int
    context: str | None
    exten: str | None
    application: str | None
    data: str | None
    caller_id_num: str | None
    caller_id_name: str | None

    @classmethod
    def from_frame(cls, frame: Event) -> OriginateResponse:
        h = frame.headers
        return cls(
            h["Response"] == "Success",
            h["Channel"],
            unknown_to_none(h["Uniqueid"]),
            int(h["Reason"]),
            h.get("Context"),
            h.get("Exten"),
            h.get("Application"),
            h.get("Data"),
            unknown_to_none(h["CallerIDNum"]),
            unknown_to_none(h["CallerIDName"]),
        )


ChannelEvent = (
    Hangup
    | HangupRequest
    | DialBegin
    | DialEnd
    | AttendedTransfer
    | CoreShowChannel
    | OriginateResponse
)

BUILDERS: Mapping[str, Callable[[Event], ChannelEvent]] = {
    "Hangup": Hangup.from_frame,
    "HangupRequest": HangupRequest.from_frame,
    "DialBegin": DialBegin.from_frame,
    "DialEnd": DialEnd.from_frame,
    "AttendedTransfer": AttendedTransfer.from_frame,
    "CoreShowChannel": CoreShowChannel.from_frame,
    "OriginateResponse": OriginateResponse.from_frame,
}
