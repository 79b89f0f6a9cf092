"""Channel and bridge snapshots: the header blocks many AMI events embed.

Asterisk writes a channel as 14 headers (main/manager_channels.c,
``ast_manager_build_channel_state_string_prefix``), optionally prefixed
("Dest", "Transferee", ...), and a bridge as 7 headers
(main/manager_bridges.c). Both become one frozen value object here, so every
typed event carries the same shape. Missing or non-numeric required headers
raise KeyError/ValueError; events.EventFactory turns those into InvalidEvent.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import IntEnum
from types import MappingProxyType

from acd.ami._frozen import fast_frozen
from acd.ami.frames import Event

EMPTY: Mapping[str, str] = MappingProxyType({})
# Asterisk writes "<unknown>" for absent caller id and bridge names.
_NONE_IF_UNKNOWN: dict[str, None] = {"<unknown>": None}


class ChannelState(IntEnum):
    """AST_STATE_* from include/asterisk/channelstate.h."""

    DOWN = 0
    RESERVED = 1
    OFFHOOK = 2
    DIALING = 3
    RING = 4
    RINGING = 5
    UP = 6
    BUSY = 7
    DIALING_OFFHOOK = 8
    PRERING = 9


class DeviceState(IntEnum):
    """AST_DEVICE_* from include/asterisk/devicestate.h (QueueMember ``Status``)."""

    UNKNOWN = 0
    NOT_INUSE = 1
    INUSE = 2
    BUSY = 3
    INVALID = 4
    UNAVAILABLE = 5
    RINGING = 6
    RINGINUSE = 7
    ONHOLD = 8


_CHANNEL_STATES = {str(s.value): s for s in ChannelState}
_DEVICE_STATES = {str(s.value): s for s in DeviceState}
_STATE_MUTE_BIT = 1 << 16  # AST_STATE_MUTE may be or-ed into the state


def unknown_to_none(value: str) -> str | None:
    return _NONE_IF_UNKNOWN.get(value, value)


def channel_state(raw: str) -> ChannelState:
    state = _CHANNEL_STATES.get(raw)
    if state is None:
        state = ChannelState(int(raw) & ~_STATE_MUTE_BIT)
    return state


def device_state(raw: str) -> DeviceState:
    """Numeric state as in a QueueMember list item's ``Status: 2``."""
    state = _DEVICE_STATES.get(raw)
    return DeviceState(int(raw)) if state is None else state


@fast_frozen
@dataclass(frozen=True)
class ChannelSnapshot:
    """One channel as an event saw it. ``name`` is the AMI ``Channel`` header.

    Caller and connected-line fields are None where Asterisk wrote ``<unknown>``.
    ``variables`` holds the ChanVariable headers (manager.conf ``channelvars``).
    """

    name: str
    uniqueid: str
    linkedid: str
    state: ChannelState
    caller_id_num: str | None
    caller_id_name: str | None
    connected_line_num: str | None
    connected_line_name: str | None
    language: str
    account_code: str
    context: str
    exten: str
    priority: int
    variables: Mapping[str, str] = field(default_factory=lambda: EMPTY, hash=False)


_CHANNEL_FIELDS = (
    "Channel",
    "Uniqueid",
    "Linkedid",
    "ChannelState",
    "CallerIDNum",
    "CallerIDName",
    "ConnectedLineNum",
    "ConnectedLineName",
    "Language",
    "AccountCode",
    "Context",
    "Exten",
    "Priority",
    "ChanVariable",
)
# Prefixes of the channel blocks in the typed events; another prefix is computed on use.
_PREFIXES = ("", "Dest", "Transferee", "OrigTransferer", "SecondTransferer", "TransferTarget")
_CHANNEL_KEYS = {p: tuple(p + f for f in _CHANNEL_FIELDS) for p in _PREFIXES}
_UNKNOWN = "<unknown>"


def channel_snapshot(frame: Event, prefix: str = "") -> ChannelSnapshot:
    """The channel whose headers start with ``prefix`` ("" for the main channel)."""
    h = frame.headers
    keys = _CHANNEL_KEYS.get(prefix) or tuple(prefix + f for f in _CHANNEL_FIELDS)
    (name, uid, lid, st, cnum, cname, lnum, lname, lang, acct, ctx, ext, prio, var) = keys
    # This is the hottest function of the AMI reader, hence inlined look-ups and
    # comparisons instead of helper calls, and a positional constructor call.
    state = _CHANNEL_STATES.get(h[st])
    if state is None:
        state = channel_state(h[st])
    cid_num, cid_name, line_num, line_name = h[cnum], h[cname], h[lnum], h[lname]
    return ChannelSnapshot(
        h[name],
        h[uid],
        h[lid],
        state,
        None if cid_num == _UNKNOWN else cid_num,
        None if cid_name == _UNKNOWN else cid_name,
        None if line_num == _UNKNOWN else line_num,
        None if line_name == _UNKNOWN else line_name,
        h[lang],
        h[acct],
        h[ctx],
        h[ext],
        int(h[prio]),
        _variables(frame, var) if var in h else EMPTY,
    )


def optional_channel_snapshot(frame: Event, prefix: str = "") -> ChannelSnapshot | None:
    """Like channel_snapshot, but None when the event carries no such channel."""
    uniqueid = frame.headers.get(prefix + "Uniqueid")
    if uniqueid is None or uniqueid == "none":  # VarSet on a global variable says "none"
        return None
    return channel_snapshot(frame, prefix)


def _variables(frame: Event, key: str) -> Mapping[str, str]:
    values: dict[str, str] = {}
    for item in frame.get_all(key):
        var, _, value = item.partition("=")
        values[var] = value
    return MappingProxyType(values)


@fast_frozen
@dataclass(frozen=True)
class BridgeSnapshot:
    """A bridge (main/manager_bridges.c); creator and name None where ``<unknown>``."""

    uniqueid: str
    type: str
    technology: str
    creator: str | None
    name: str | None
    num_channels: int
    video_source_mode: str


def bridge_snapshot(frame: Event, prefix: str = "") -> BridgeSnapshot:
    h = frame.headers
    return BridgeSnapshot(
        h[prefix + "BridgeUniqueid"],
        h[prefix + "BridgeType"],
        h[prefix + "BridgeTechnology"],
        unknown_to_none(h[prefix + "BridgeCreator"]),
        unknown_to_none(h[prefix + "BridgeName"]),
        int(h[prefix + "BridgeNumChannels"]),
        h[prefix + "BridgeVideoSourceMode"],
    )


def optional_bridge_snapshot(frame: Event, prefix: str = "") -> BridgeSnapshot | None:
    if prefix + "BridgeUniqueid" not in frame.headers:
        return None
    return bridge_snapshot(frame, prefix)
