"""Typed system events: boot, device state and SIP endpoint reachability.

Sources in Asterisk 22: main/asterisk.c and main/manager.c (FullyBooted),
main/devicestate.c (DeviceStateChange), main/stasis_endpoints.c (PeerStatus,
ContactStatus). With chan_pjsip, PeerStatus carries "Reachable"/"Unreachable"
(res/res_pjsip/pjsip_configuration.c), not the values its XML docs list.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from acd.ami._frozen import fast_frozen
from acd.ami._snapshots import DeviceState, device_state_name
from acd.ami.frames import Event


@fast_frozen
@dataclass(frozen=True)
class FullyBooted:
    """Sent after login when Asterisk has finished starting; seconds since start/reload."""

    status: str
    uptime: int
    last_reload: int

    @classmethod
    def from_frame(cls, frame: Event) -> FullyBooted:
        h = frame.headers
        return cls(h["Status"], int(h["Uptime"]), int(h["LastReload"]))


@fast_frozen
@dataclass(frozen=True)
class DeviceStateChange:
    """``device`` such as "PJSIP/1001" or "Queue:tic"; ``state`` from NOT_INUSE etc."""

    device: str
    state: DeviceState

    @classmethod
    def from_frame(cls, frame: Event) -> DeviceStateChange:
        h = frame.headers
        return cls(h["Device"], device_state_name(h["State"]))


@fast_frozen
@dataclass(frozen=True)
class ContactStatus:
    """A PJSIP contact changed: Reachable, Unreachable, Unknown, Removed, ..."""

    uri: str
    contact_status: str
    aor: str
    endpoint_name: str
    roundtrip_usec: int | None

    @classmethod
    def from_frame(cls, frame: Event) -> ContactStatus:
        h = frame.headers
        rtt = h.get("RoundtripUsec")
        return cls(
            h["URI"],
            h["ContactStatus"],
            h["AOR"],
            h["EndpointName"],
            None if rtt is None else int(rtt),
        )


@fast_frozen
@dataclass(frozen=True)
class PeerStatus:
    """An endpoint's status changed; ``peer`` is "PJSIP/1001"."""

    channel_type: str
    peer: str
    peer_status: str
    cause: str | None
    address: str | None

    @classmethod
    def from_frame(cls, frame: Event) -> PeerStatus:
        h = frame.headers
        return cls(h["ChannelType"], h["Peer"], h["PeerStatus"], h.get("Cause"), h.get("Address"))


SystemEvent = FullyBooted | DeviceStateChange | ContactStatus | PeerStatus

BUILDERS: Mapping[str, Callable[[Event], SystemEvent]] = {
    "FullyBooted": FullyBooted.from_frame,
    "DeviceStateChange": DeviceStateChange.from_frame,
    "ContactStatus": ContactStatus.from_frame,
    "PeerStatus": PeerStatus.from_frame,
}
