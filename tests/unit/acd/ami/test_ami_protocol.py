"""AmiProtocol framing: banner, line ends, splits, duplicates, bad input, bounds, send."""

from __future__ import annotations

import pytest

from acd.ami.actions import Atxfer, Getvar, Login, Originate, Ping
from acd.ami.frames import (
    Banner,
    ConnectionClosed,
    Event,
    Frame,
    MalformedFrame,
    Response,
    ResponseKind,
)
from acd.ami.protocol import AmiProtocol, AmiProtocolError, ProtocolState

BANNER = b"Asterisk Call Manager/11.0.0\r\n"
LOGIN_OK = b"Response: Success\r\nActionID: kcc-1\r\nMessage: Authentication accepted\r\n\r\n"
NEWSTATE = (
    b"Event: Newstate\r\nPrivilege: call,all\r\nChannel: PJSIP/1001-00000002\r\n"
    b"ChannelState: 5\r\nChannelStateDesc: Ringing\r\nUniqueid: 1722950000.3\r\n\r\n"
)
STREAM = BANNER + LOGIN_OK + NEWSTATE


def drain(protocol: AmiProtocol) -> list[Frame]:
    frames = []
    while (frame := protocol.next_event()) is not None:
        frames.append(frame)
    return frames


def parse(*chunks: bytes, **kwargs: object) -> list[Frame]:
    protocol = AmiProtocol(**kwargs)  # type: ignore[arg-type]
    frames: list[Frame] = []
    for chunk in chunks:
        protocol.receive_data(chunk)
        frames += drain(protocol)
    return frames


def test_banner_response_and_event_are_typed() -> None:
    banner, response, event = parse(STREAM)
    assert banner == Banner("Asterisk Call Manager", "11.0.0")
    assert isinstance(response, Response)
    assert response.kind is ResponseKind.SUCCESS
    assert response.action_id == "kcc-1"
    assert response.message == "Authentication accepted"
    assert isinstance(event, Event)
    assert event.name == "Newstate"
    assert event.headers["ChannelState"] == "5"
    assert event.get("Uniqueid") == "1722950000.3"


def test_split_at_every_byte_boundary_gives_the_same_frames() -> None:
    whole = parse(STREAM)
    for cut in range(1, len(STREAM)):
        assert parse(STREAM[:cut], STREAM[cut:]) == whole, f"cut at byte {cut}"


def test_one_byte_at_a_time_gives_the_same_frames() -> None:
    assert parse(*(STREAM[i : i + 1] for i in range(len(STREAM)))) == parse(STREAM)


def test_bare_newlines_parse_like_crlf() -> None:
    assert parse(STREAM.replace(b"\r\n", b"\n")) == parse(STREAM)


def test_mixed_line_ends_and_extra_blank_lines_between_frames() -> None:
    mixed = BANNER + LOGIN_OK.replace(b"\r\n", b"\n", 2) + b"\r\n\n" + NEWSTATE
    assert parse(mixed) == parse(STREAM)


def test_values_may_contain_colon_space_and_may_be_empty() -> None:
    (_, event) = parse(BANNER + b"Event: X\r\nAppData: a: b: c\r\nAccountCode: \r\nK:\r\n\r\n")
    assert isinstance(event, Event)
    assert event.headers["AppData"] == "a: b: c"
    assert event.headers["AccountCode"] == ""
    assert event.headers["K"] == ""


def test_duplicate_keys_are_all_kept_in_order() -> None:
    data = BANNER + (
        b"Event: Newchannel\r\nChanVariable: A=1\r\nUniqueid: 1.1\r\nChanVariable: B=2\r\n\r\n"
    )
    (_, event) = parse(data)
    assert isinstance(event, Event)
    assert event.get_all("ChanVariable") == ("A=1", "B=2")
    assert event.get_all("Uniqueid") == ("1.1",)
    assert event.get_all("Absent") == ()
    assert [k for k, _ in event.items()] == ["Event", "ChanVariable", "Uniqueid", "ChanVariable"]


def test_no_repeats_means_no_repeated_copy() -> None:
    (_, _, event) = parse(STREAM)
    assert isinstance(event, Event)
    assert event.repeated == ()
    assert event.items()[0] == ("Event", "Newstate")


def test_line_without_colon_is_malformed_and_parsing_resumes() -> None:
    bad = b"Event: Broken\r\nthis line has no separator\r\nUniqueid: 9\r\n\r\n"
    frames = parse(BANNER + bad + NEWSTATE)
    malformed = frames[1]
    assert isinstance(malformed, MalformedFrame)
    assert "line 2 has no ':' separator" in malformed.reason
    assert "this line has no separator" in malformed.reason
    assert malformed.raw == bad.replace(b"\r\n", b"\n").rstrip(b"\n")
    assert isinstance(frames[2], Event)
    assert frames[2].name == "Newstate"


def test_frame_without_event_or_response_is_malformed() -> None:
    frames = parse(BANNER + b"Foo: bar\r\n\r\n" + NEWSTATE)
    assert isinstance(frames[1], MalformedFrame)
    assert "neither an Event nor a Response" in frames[1].reason
    assert isinstance(frames[2], Event)


def test_garbage_before_banner_is_reported_and_the_rest_parsed() -> None:
    frames = parse(b"\x00\x01garbage\r\n\r\n" + LOGIN_OK + NEWSTATE)
    assert isinstance(frames[0], MalformedFrame)
    assert [type(f) for f in frames[1:]] == [Response, Event]


def test_no_banner_is_tolerated() -> None:
    frames = parse(LOGIN_OK + NEWSTATE)
    assert [type(f) for f in frames] == [Response, Event]


def test_oversize_frame_is_reported_and_next_frame_kept() -> None:
    huge = b"Event: Huge\r\n" + b"Data: " + b"x" * 5000 + b"\r\n\r\n"
    frames = parse(BANNER + huge + NEWSTATE, max_frame_size=1024)
    assert isinstance(frames[1], MalformedFrame)
    assert "1024-byte limit" in frames[1].reason
    assert len(frames[1].raw) <= 1024
    assert isinstance(frames[2], Event)
    assert frames[2].name == "Newstate"


def test_oversize_frame_arriving_in_pieces_is_discarded_with_bounded_buffer() -> None:
    protocol = AmiProtocol(max_frame_size=1024)
    protocol.receive_data(BANNER + b"Event: Huge\r\nData: ")
    for _ in range(50):
        protocol.receive_data(b"y" * 500)
        assert len(protocol._buf) <= 1024  # memory stays bounded while discarding
    assert protocol.state is ProtocolState.DISCARDING
    protocol.receive_data(b"\r")
    protocol.receive_data(b"\n\r")
    protocol.receive_data(b"\n" + NEWSTATE)
    frames = drain(protocol)
    assert isinstance(frames[1], MalformedFrame)
    assert "discarded" in frames[1].reason
    assert isinstance(frames[2], Event)
    assert protocol.state.value == "open"


def test_undecodable_bytes_are_replaced_and_counted_not_dropped() -> None:
    protocol = AmiProtocol()
    protocol.receive_data(BANNER + b"Event: Newchannel\r\nCallerIDName: J\xf6ran\r\n\r\n")
    (_, event) = drain(protocol)
    assert isinstance(event, Event)
    assert event.headers["CallerIDName"] == "J\ufffdran"
    assert protocol.decode_errors == 1


def test_utf8_split_across_reads_is_kept() -> None:
    data = BANNER + "Event: Newchannel\r\nCallerIDName: Jöran\r\n\r\n".encode()
    cut = data.index("ö".encode()) + 1
    (_, event) = parse(data[:cut], data[cut:])
    assert isinstance(event, Event)
    assert event.headers["CallerIDName"] == "Jöran"


def test_legacy_follows_body_becomes_output_headers() -> None:
    data = BANNER + (
        b"Response: Follows\r\nActionID: kcc-2\r\nPrivilege: Command\r\n"
        b"Name/username   Host\r\n1001/1001   10.0.0.1\r\n--END COMMAND--\r\n\r\n"
    )
    (_, response) = parse(data)
    assert isinstance(response, Response)
    assert response.kind is ResponseKind.FOLLOWS
    assert response.get_all("Output") == ("Name/username   Host", "1001/1001   10.0.0.1")


def test_unknown_response_value_counts_as_error() -> None:
    (_, response) = parse(BANNER + b"Response: Fail\r\nMessage: nope\r\n\r\n")
    assert isinstance(response, Response)
    assert response.kind is ResponseKind.ERROR


def test_event_with_a_response_header_stays_an_event() -> None:
    originate = b"Event: OriginateResponse\r\nActionID: kcc-3\r\nResponse: Success\r\n\r\n"
    (_, frame) = parse(BANNER + originate)
    assert isinstance(frame, Event)
    assert frame.headers["Response"] == "Success"


def test_ignored_events_are_skipped_before_parsing_and_counted() -> None:
    protocol = AmiProtocol(ignore_events=frozenset({"Newstate"}))
    protocol.receive_data(STREAM)
    assert [type(f) for f in drain(protocol)] == [Banner, Response]
    assert protocol.ignored == 1


def test_end_of_stream_reports_partial_frame_then_closes_once() -> None:
    protocol = AmiProtocol()
    protocol.receive_data(STREAM + b"Event: Cut\r\nUniq")
    protocol.receive_data(b"")
    frames = drain(protocol)
    assert isinstance(frames[-2], MalformedFrame)
    assert "middle of a frame" in frames[-2].reason
    assert frames[-2].raw == b"Event: Cut\nUniq"
    assert isinstance(frames[-1], ConnectionClosed)
    assert protocol.next_event() is None
    assert protocol.state is ProtocolState.CLOSED
    with pytest.raises(AmiProtocolError, match="after the end of the stream"):
        protocol.receive_data(b"more")


def test_send_assigns_increasing_action_ids_and_renders_crlf() -> None:
    protocol = AmiProtocol(action_id_prefix="t-")
    first = protocol.send(Ping())
    second = protocol.send(Getvar(variable="CHANNEL(state)", channel="PJSIP/1001-1"))
    assert (first.action_id, second.action_id) == ("t-1", "t-2")
    assert first.data == b"Action: Ping\r\nActionID: t-1\r\n\r\n"
    assert second.data == (
        b"Action: Getvar\r\nActionID: t-2\r\nChannel: PJSIP/1001-1\r\n"
        b"Variable: CHANNEL(state)\r\n\r\n"
    )


def test_send_refuses_header_injection() -> None:
    protocol = AmiProtocol()
    evil = Originate(
        channel="PJSIP/1001",
        application="Playback",
        data="x",
        caller_id='"x" <1>\r\nAction: Hangup\r\nChannel: PJSIP/1001-1',
    )
    with pytest.raises(ValueError, match="'CallerID' contains a line break"):
        protocol.send(evil)
    with pytest.raises(ValueError, match="line break"):
        protocol.send(Atxfer(channel="PJSIP/1001-1", exten="2001\nx"))


def test_send_repeats_multi_value_headers() -> None:
    action = Originate(
        channel="PJSIP/1001", context="kcc", exten="s", variables={"A": "1", "B": "x=y"}
    )
    data = AmiProtocol().send(action).data
    assert b"Variable: A=1\r\nVariable: B=x=y\r\n" in data
    assert b"Priority: 1\r\n" in data
    assert b"Async: true\r\n" in data


def test_login_secret_is_sent_but_not_in_repr() -> None:
    login = Login(username="kcc", secret="s3cr3t")
    assert "s3cr3t" not in repr(login)
    assert b"Secret: s3cr3t\r\n" in AmiProtocol().send(login).data


def test_max_frame_size_must_be_sensible() -> None:
    with pytest.raises(ValueError, match="max_frame_size"):
        AmiProtocol(max_frame_size=10)


@pytest.mark.parametrize("chunks", [(b"\r\n\r\n\r\n",), (b"\r\n", b"\r\n", b"\r\n")])
def test_stray_blank_lines_are_nothing_however_they_arrive(chunks: tuple[bytes, ...]) -> None:
    # Found by the property tests: three newlines in one read made a "frame has no
    # headers" MalformedFrame, the same three in three reads made nothing.
    frames = parse(BANNER + NEWSTATE, *chunks, LOGIN_OK, b"")
    assert [type(f).__name__ for f in frames] == ["Banner", "Event", "Response", "ConnectionClosed"]
