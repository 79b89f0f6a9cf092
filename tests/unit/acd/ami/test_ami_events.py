"""Typed events built from frames laid out as Asterisk 22 writes them."""

from __future__ import annotations

from types import MappingProxyType

import pytest

from acd.ami import events as ev
from acd.ami.events import ChannelState, DeviceState, EventFactory
from tests.unit.acd.ami.ami_frames import TWO, bridge, build, chan, queue_member


def test_channel_snapshot_fields_and_types() -> None:
    event = build("HangupRequest", chan())
    assert isinstance(event, ev.HangupRequest)
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
        "HangupRequest", [*chan(), ("ChanVariable", "KCC_CALLID=abc"), ("ChanVariable", "X=a=b")]
    )
    assert isinstance(event, ev.HangupRequest)
    assert event.channel.variables == {"KCC_CALLID": "abc", "X": "a=b"}
    assert isinstance(event.channel.variables, MappingProxyType)


def test_muted_channel_state_bit_is_masked() -> None:
    pairs = [(k, "65542" if k == "ChannelState" else v) for k, v in chan()]
    event = build("HangupRequest", pairs)
    assert isinstance(event, ev.HangupRequest)
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


def test_attended_transfer_with_its_bridge_snapshots() -> None:
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
    assert (attended.orig_bridge.uniqueid, attended.orig_bridge.num_channels) == ("b-1", 2)
    assert attended.orig_bridge.creator is None and attended.orig_bridge.name is None
    assert attended.transferee is None and attended.transfer_target is None
    assert (attended.dest_type, attended.dest_bridge_uniqueid) == ("Bridge", "b-1")
    assert attended.second_transferer.uniqueid == "1.3"


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
    bad = build("HangupRequest", [(k, "x" if k == "Priority" else v) for k, v in chan()], factory)
    assert isinstance(bad, ev.InvalidEvent)
    assert "'x'" in bad.reason
    assert factory.invalid == 2


def test_typed_events_are_frozen() -> None:
    event = build("HangupRequest", chan())
    with pytest.raises(AttributeError):
        event.channel = None  # type: ignore[attr-defined]


def test_queue_member_list_item_follows_the_code_not_the_docs() -> None:
    item = build("QueueMember", queue_member(Paused="1", PausedReason="lunch"))
    assert isinstance(item, ev.QueueMember)
    assert (item.name, item.location, item.status) == ("TIC 1001", "PJSIP/1001", DeviceState.INUSE)
    assert (item.in_call, item.paused, item.paused_reason) == (True, True, "lunch")
    assert (item.calls_taken, item.wrapuptime) == (7, 60)


def test_events_nothing_reads_stay_generic() -> None:
    for name in ("Newchannel", "QueueCallerJoin", "VarSet", "FullyBooted"):
        assert isinstance(build(name, chan()), ev.GenericEvent), name


def test_factory_types_exactly_the_events_the_product_reads() -> None:
    # A type nobody reads is dead weight; one the controller starts to read goes here.
    read = {
        "Hangup",
        "HangupRequest",
        "DialBegin",
        "DialEnd",
        "AttendedTransfer",
        "CoreShowChannel",
        "OriginateResponse",
        "QueueMember",
        "ExtensionStatus",
    }
    assert EventFactory().known_events == read


def test_extension_status_of_a_hint_and_of_a_removed_one() -> None:
    ringing = build("ExtensionStatus", [("Exten", "301"), ("Context", "kcc-internal"),
                                        ("Hint", "PJSIP/301"), ("Status", "9"),
                                        ("StatusText", "InUse&Ringing")])  # fmt: skip
    assert isinstance(ringing, ev.ExtensionStatus)
    assert (ringing.exten, ringing.context, ringing.hint) == ("301", "kcc-internal", "PJSIP/301")
    assert ringing.state == ev.HintState.INUSE | ev.HintState.RINGING
    assert not ringing.removed
    gone = build("ExtensionStatus", [("Exten", "301"), ("Context", "kcc-internal"),
                                     ("Status", "-2")])  # fmt: skip
    assert isinstance(gone, ev.ExtensionStatus)
    assert gone.removed and gone.state is ev.HintState.UNAVAILABLE
    bad = build("ExtensionStatus", [("Exten", "301"), ("Context", "c"), ("Status", "up")])
    assert isinstance(bad, ev.InvalidEvent) and "'up'" in bad.reason
