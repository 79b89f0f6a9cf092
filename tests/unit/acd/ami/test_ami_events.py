"""Typed events built from frames laid out as Asterisk 22 writes them."""

from __future__ import annotations

from types import MappingProxyType

import pytest

from acd.ami import events as ev
from acd.ami.events import ChannelState, DeviceState, EventFactory
from tests.unit.acd.ami.ami_frames import TWO, bridge, build, chan


def test_channel_snapshot_fields_and_types() -> None:
    event = build("Newchannel", chan())
    assert isinstance(event, ev.Newchannel)
    snap = event.channel
    assert snap == ev.ChannelSnapshot(
        name="PJSIP/trunk-00000001",
        uniqueid="1.1",
        linkedid="1.1",
        state=ChannelState.UP,
        caller_id_num="0612345678",
        caller_id_name=None,
        connected_line_num=None,
        connected_line_name="TIC 1001",
        language="nl",
        account_code="",
        context="from-trunk",
        exten="14023",
        priority=3,
    )
    assert snap.variables == {}


def test_chan_variables_become_a_read_only_mapping() -> None:
    event = build(
        "Newstate", [*chan(), ("ChanVariable", "KCC_CALLID=abc"), ("ChanVariable", "X=a=b")]
    )
    assert isinstance(event, ev.Newstate)
    assert event.channel.variables == {"KCC_CALLID": "abc", "X": "a=b"}
    assert isinstance(event.channel.variables, MappingProxyType)


def test_muted_channel_state_bit_is_masked() -> None:
    pairs = [(k, "65542" if k == "ChannelState" else v) for k, v in chan()]
    event = build("Newstate", pairs)
    assert isinstance(event, ev.Newstate)
    assert event.channel.state is ChannelState.UP


def test_hangup_with_and_without_tech_cause() -> None:
    plain = build("Hangup", [*chan(), ("Cause", "16"), ("Cause-txt", "Normal Clearing")])
    assert isinstance(plain, ev.Hangup)
    assert (plain.cause, plain.cause_txt, plain.tech_cause) == (16, "Normal Clearing", None)
    sip = build(
        "Hangup", [*chan(), ("Cause", "17"), ("Cause-txt", "User busy"), ("TechCause", "486")]
    )
    assert isinstance(sip, ev.Hangup)
    assert sip.tech_cause == 486


def test_dial_begin_without_caller_is_an_originate() -> None:
    event = build("DialBegin", [*chan("Dest", uid="1.2"), ("DialString", "1001")])
    assert isinstance(event, ev.DialBegin)
    assert event.caller is None
    assert event.dest.uniqueid == "1.2"
    end = build("DialEnd", [*TWO, ("DialStatus", "ANSWER")])
    assert isinstance(end, ev.DialEnd)
    assert (end.caller is not None, end.dial_status, end.forward) == (True, "ANSWER", None)


def test_bridge_enter_and_leave() -> None:
    enter = build("BridgeEnter", [*bridge(), *chan(), ("SwapUniqueid", "1.9")])
    assert isinstance(enter, ev.BridgeEnter)
    assert enter.bridge.num_channels == 2
    assert enter.bridge.creator is None
    assert enter.swap_uniqueid == "1.9"
    leave = build("BridgeLeave", [*bridge(), *chan()])
    assert isinstance(leave, ev.BridgeLeave)
    assert leave.channel.uniqueid == "1.1"


def test_core_show_channel_duration_in_seconds() -> None:
    item = build(
        "CoreShowChannel",
        [
            *chan(),
            ("Application", "Queue"),
            ("ApplicationData", "tic,t"),
            ("Duration", "01:02:03"),
            ("BridgeId", ""),
        ],
    )
    assert isinstance(item, ev.CoreShowChannel)
    assert (item.duration, item.bridge_id, item.application) == (3723, None, "Queue")


def test_transfers() -> None:
    blind = build(
        "BlindTransfer",
        [
            ("Result", "Success"),
            *chan("Transferer"),
            *chan("Transferee", uid="1.2"),
            *bridge(),
            ("IsExternal", "No"),
            ("Context", "kcc"),
            ("Extension", "2001"),
        ],
    )
    assert isinstance(blind, ev.BlindTransfer)
    assert (blind.is_external, blind.extension) == (False, "2001")
    assert blind.transferee is not None and blind.bridge is not None
    attended = build(
        "AttendedTransfer",
        [
            ("Result", "Success"),
            *chan("OrigTransferer"),
            *bridge("Orig"),
            *chan("SecondTransferer", uid="1.3"),
            ("IsExternal", "No"),
            ("DestType", "Bridge"),
            ("DestBridgeUniqueid", "b-1"),
        ],
    )
    assert isinstance(attended, ev.AttendedTransfer)
    assert attended.orig_bridge is not None and attended.second_bridge is None
    assert (attended.dest_type, attended.dest_bridge_uniqueid) == ("Bridge", "b-1")
    assert attended.second_transferer.uniqueid == "1.3"


def test_mixmonitor_events_exist_with_channel_snapshot() -> None:
    start, stop = build("MixMonitorStart", chan()), build("MixMonitorStop", chan())
    assert isinstance(start, ev.MixMonitorStart) and isinstance(stop, ev.MixMonitorStop)
    assert start.channel == stop.channel


def test_system_events() -> None:
    booted = build(
        "FullyBooted", [("Uptime", "5"), ("LastReload", "5"), ("Status", "Fully Booted")]
    )
    assert isinstance(booted, ev.FullyBooted) and booted.uptime == 5
    device = build("DeviceStateChange", [("Device", "PJSIP/1001"), ("State", "RINGINUSE")])
    assert isinstance(device, ev.DeviceStateChange)
    assert device.state is DeviceState.RINGINUSE
    contact = build(
        "ContactStatus",
        [
            ("URI", "sip:1001@10.0.0.5:5060"),
            ("ContactStatus", "Reachable"),
            ("AOR", "1001"),
            ("EndpointName", "1001"),
            ("RoundtripUsec", "1234"),
        ],
    )
    assert isinstance(contact, ev.ContactStatus) and contact.roundtrip_usec == 1234
    peer = build(
        "PeerStatus",
        [("ChannelType", "PJSIP"), ("Peer", "PJSIP/1001"), ("PeerStatus", "Reachable")],
    )
    assert isinstance(peer, ev.PeerStatus)
    assert (peer.peer_status, peer.cause) == ("Reachable", None)


def test_originate_response() -> None:
    event = build(
        "OriginateResponse",
        [
            ("ActionID", "kcc-1-4"),
            ("Response", "Failure"),
            ("Channel", "PJSIP/1001"),
            ("Context", "kcc"),
            ("Exten", "s"),
            ("Reason", "5"),
            ("Uniqueid", "<unknown>"),
            ("CallerIDNum", "<unknown>"),
            ("CallerIDName", "<unknown>"),
        ],
    )
    assert isinstance(event, ev.OriginateResponse)
    assert (event.success, event.reason, event.uniqueid) == (False, 5, None)


def test_unknown_event_is_kept_whole() -> None:
    event = build("MusicOnHoldStart", [*chan(), ("Class", "default")])
    assert isinstance(event, ev.GenericEvent)
    assert event.name == "MusicOnHoldStart"
    assert event.headers["Class"] == "default"


def test_missing_or_bad_header_gives_invalid_event_naming_it() -> None:
    factory = EventFactory()
    missing = build("Hangup", [*chan(), ("Cause-txt", "Normal Clearing")], factory)
    assert isinstance(missing, ev.InvalidEvent)
    assert missing.reason == "Hangup: missing header 'Cause'"
    assert missing.headers["Cause-txt"] == "Normal Clearing"
    bad = build(
        "QueueCallerJoin", [*chan(), ("Queue", "tic"), ("Position", "x"), ("Count", "1")], factory
    )
    assert isinstance(bad, ev.InvalidEvent)
    assert "'x'" in bad.reason
    assert factory.invalid == 2


def test_varset_only_for_watched_variables() -> None:
    factory = EventFactory(watched_variables=frozenset({"KCC_TOPIC"}))
    watched = build("VarSet", [*chan(), ("Variable", "KCC_TOPIC"), ("Value", "2")], factory)
    assert isinstance(watched, ev.VarSet)
    assert (watched.variable, watched.value) == ("KCC_TOPIC", "2")
    assert build("VarSet", [*chan(), ("Variable", "BRIDGEPEER"), ("Value", "x")], factory) is None
    assert factory.filtered == 1
    glob = build(
        "VarSet",
        [("Channel", "none"), ("Uniqueid", "none"), ("Variable", "KCC_TOPIC"), ("Value", "1")],
        factory,
    )
    assert isinstance(glob, ev.VarSet) and glob.channel is None


def test_typed_events_are_frozen() -> None:
    event = build("Newchannel", chan())
    with pytest.raises(AttributeError):
        event.channel = None  # type: ignore[attr-defined]


def test_factory_knows_every_event_the_controller_needs() -> None:
    needed = {
        "FullyBooted",
        "Newchannel",
        "Newstate",
        "Hangup",
        "DialBegin",
        "DialEnd",
        "BridgeEnter",
        "BridgeLeave",
        "VarSet",
        "QueueCallerJoin",
        "QueueCallerLeave",
        "QueueCallerAbandon",
        "AgentCalled",
        "AgentConnect",
        "AgentComplete",
        "AgentRingNoAnswer",
        "AgentDump",
        "QueueMemberAdded",
        "QueueMemberRemoved",
        "QueueMemberPause",
        "QueueMemberStatus",
        "QueueParams",
        "QueueMember",
        "QueueEntry",
        "QueueStatusComplete",
        "CoreShowChannel",
        "CoreShowChannelsComplete",
        "AttendedTransfer",
        "BlindTransfer",
        "MixMonitorStart",
        "MixMonitorStop",
        "DeviceStateChange",
        "ContactStatus",
        "PeerStatus",
    }
    assert needed <= EventFactory().known_events
