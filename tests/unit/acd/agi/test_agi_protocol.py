"""The sans-I/O FastAGI parser: environment, every reply form, HANGUP, bad input."""

from __future__ import annotations

import pytest

from acd.agi.errors import AgiProtocolError
from acd.agi.protocol import (
    NEED_DATA,
    AgiEnvironment,
    AgiEvent,
    AgiParser,
    AgiReply,
    ConnectionClosed,
    HangupNotice,
    NeedData,
    ParserState,
    parse_reply,
)
from acd.agi.testing import DEAD_CHANNEL, INVALID_COMMAND, asterisk_env, encode_env, usage_error

ENV = asterisk_env("feature?code=*51", "first arg", "")
ENV_BYTES = encode_env(ENV)


def drain(parser: AgiParser) -> list[AgiEvent]:
    events: list[AgiEvent] = []
    while not isinstance(event := parser.next_event(), NeedData):
        events.append(event)
        if isinstance(event, ConnectionClosed):
            break
    return events


def feed(data: bytes, *, chunk: int | None = None, eof: bool = False) -> list[AgiEvent]:
    parser = AgiParser()
    events: list[AgiEvent] = []
    step = chunk or max(len(data), 1)
    for start in range(0, len(data), step):
        parser.receive_data(data[start : start + step])
        events += drain(parser)
    if eof:
        parser.receive_eof()
        events += drain(parser)
    return events


def only_env(events: list[AgiEvent]) -> AgiEnvironment:
    assert len(events) == 1 and isinstance(events[0], AgiEnvironment), events
    return events[0]


def after_env(lines: bytes) -> list[AgiEvent]:
    events = feed(ENV_BYTES + lines)
    assert isinstance(events[0], AgiEnvironment)
    return events[1:]


def test_environment_is_parsed_into_typed_fields() -> None:
    env = only_env(feed(ENV_BYTES))
    assert env.channel == "PJSIP/trunk-00000001"
    assert env.uniqueid == "1718000000.1"
    assert env.network_script == "feature?code=*51"
    assert env.script_path == "feature"
    assert dict(env.script_params) == {"code": "*51"}
    assert env.request == "agi://127.0.0.1/feature?code=*51"
    assert (env.callerid, env.calleridname) == ("0612345678", "J. de Vries")
    assert (env.context, env.extension) == ("kcc-trunk", "14023")
    assert env.arguments == ("first arg", "")
    assert env.raw["agi_accountcode"] == ""
    assert env.raw["agi_language"] == "nl"
    assert env.linkedid is None


def test_environment_fed_one_byte_at_a_time_equals_one_chunk() -> None:
    assert feed(ENV_BYTES, chunk=1) == feed(ENV_BYTES)


def test_utf8_character_split_across_chunks_is_decoded_intact() -> None:
    data = encode_env(asterisk_env(agi_calleridname="Jürgen € Öztürk"))
    cut = data.index("€".encode()) + 1  # inside the three-byte euro sign
    parser = AgiParser()
    parser.receive_data(data[:cut])
    assert parser.next_event() is NEED_DATA
    parser.receive_data(data[cut:])
    env = only_env(drain(parser))
    assert env.calleridname == "Jürgen € Öztürk"
    assert parser.decode_errors == 0


def test_latin1_bytes_are_replaced_and_counted_not_fatal() -> None:
    data = ENV_BYTES.replace(b"J. de Vries", "Jos\xe9".encode("latin-1"))
    parser = AgiParser()
    parser.receive_data(data)
    env = only_env(drain(parser))
    assert env.calleridname == "Jos\ufffd"
    assert parser.decode_errors == 1


def test_crlf_line_ends_are_tolerated() -> None:
    assert feed(ENV_BYTES.replace(b"\n", b"\r\n")) == feed(ENV_BYTES)


def test_unknown_caller_becomes_none_but_raw_keeps_it() -> None:
    env = only_env(feed(encode_env(asterisk_env(agi_callerid="unknown"))))
    assert env.callerid is None
    assert env.raw["agi_callerid"] == "unknown"


def test_with_linkedid_returns_a_copy() -> None:
    env = only_env(feed(ENV_BYTES))
    linked = env.with_linkedid("1718000000.0")
    assert linked.linkedid == "1718000000.0"
    assert env.linkedid is None
    assert linked.channel == env.channel


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("200 result=0", AgiReply(200, 0, None, None, "200 result=0", "0")),
        ("200 result=-1", AgiReply(200, -1, None, None, "200 result=-1", "-1")),
        ("200 result=1 (nl)", AgiReply(200, 1, "nl", None, "200 result=1 (nl)", "1")),
        ("200 result=1 ()", AgiReply(200, 1, "", None, "200 result=1 ()", "1")),
        (
            "200 result=49 endpos=12345",
            AgiReply(200, 49, None, 12345, "200 result=49 endpos=12345", "49"),
        ),
        (
            "200 result=-1 endpos=0",
            AgiReply(200, -1, None, 0, "200 result=-1 endpos=0", "-1"),
        ),
        (
            "200 result=0 (timeout) endpos=8000",
            AgiReply(200, 0, "timeout", 8000, "200 result=0 (timeout) endpos=8000", "0"),
        ),
        (
            "200 result=1 (digit) digit=5 endpos=160",
            AgiReply(200, 1, "digit", 160, "200 result=1 (digit) digit=5 endpos=160", "1"),
        ),
        ("200 result=12* (timeout)", AgiReply(200, None, "timeout", None, "", "12*")),
        ("200 result= (timeout)", AgiReply(200, None, "timeout", None, "", "")),
        (INVALID_COMMAND, AgiReply(510, None, None, None, INVALID_COMMAND)),
        (DEAD_CHANNEL, AgiReply(511, None, None, None, DEAD_CHANNEL)),
    ],
)
def test_single_line_replies(line: str, expected: AgiReply) -> None:
    reply = parse_reply(line)
    assert reply.text == line
    fields = ("code", "result", "data", "endpos", "result_text")
    assert [getattr(reply, f) for f in fields] == [getattr(expected, f) for f in fields]
    assert after_env(line.encode() + b"\n") == [reply]


def test_variable_value_with_parentheses_and_endpos_text_is_kept_whole() -> None:
    reply = parse_reply("200 result=1 (a) endpos=5 (b)")
    assert (reply.data, reply.endpos) == ("a) endpos=5 (b", None)


def test_single_line_520() -> None:
    line = "520 Invalid command syntax.  Proper usage not available."
    assert after_env(line.encode() + b"\n") == [AgiReply(520, None, None, None, line)]


def test_multi_line_520_is_one_reply_with_the_usage_as_data() -> None:
    usage = " Usage: STREAM FILE <filename> <escape digits> [sample offset]\n\n 520-looking line"
    events = after_env(usage_error(usage).encode() + b"\n200 result=0\n")
    assert len(events) == 2
    first = events[0]
    assert isinstance(first, AgiReply)
    assert first.code == 520
    assert first.data == usage
    assert first.text.startswith("520-Invalid command syntax.  Proper usage follows:\n")
    assert first.text.endswith("\n520 End of proper usage.")
    assert events[1] == parse_reply("200 result=0")


def test_multi_line_reply_fed_byte_by_byte() -> None:
    data = ENV_BYTES + usage_error("one\ntwo").encode() + b"\nHANGUP\n"
    assert feed(data, chunk=1) == feed(data)
    assert isinstance(feed(data)[-1], HangupNotice)


@pytest.mark.parametrize(
    "lines",
    [b"HANGUP\n" + DEAD_CHANNEL.encode() + b"\n", b"200 result=-1 endpos=0\nHANGUP\n"],
    ids=["hangup-then-reply", "reply-then-hangup"],
)
def test_hangup_is_a_notice_in_either_order(lines: bytes) -> None:
    events = after_env(lines)
    assert sum(isinstance(e, HangupNotice) for e in events) == 1
    assert sum(isinstance(e, AgiReply) for e in events) == 1


def test_hangup_right_after_environment_and_twice() -> None:
    assert after_env(b"HANGUP\nHANGUP\n") == [HangupNotice(), HangupNotice()]


def test_eof_after_environment_is_connection_closed() -> None:
    events = feed(ENV_BYTES + b"200 result=0\n", eof=True)
    assert events[1:] == [parse_reply("200 result=0"), ConnectionClosed()]


def test_stray_blank_line_between_replies_is_ignored() -> None:
    assert after_env(b"\n\r\n200 result=0\n") == [parse_reply("200 result=0")]


def failure(data: bytes, *, eof: bool = False, **limits: int) -> str:
    parser = AgiParser(**limits)
    parser.receive_data(data)
    if eof:
        parser.receive_eof()
    with pytest.raises(AgiProtocolError) as caught:
        drain(parser)
    assert parser.state is ParserState.FAILED
    with pytest.raises(AgiProtocolError):  # stays failed: an AGI stream cannot resync
        parser.next_event()
    return str(caught.value)


def test_garbage_before_environment() -> None:
    message = failure(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    assert "garbage before the AGI environment" in message
    assert "GET / HTTP/1.1" in message


def test_bad_line_inside_environment_names_its_number() -> None:
    message = failure(b"agi_network: yes\nagi_request agi://x/ivr\n")
    assert "environment line 2" in message


def test_binary_garbage_is_shown_escaped() -> None:
    assert "\\x00" in failure(b"\x00\x01\x02\n")


def test_missing_required_environment_key() -> None:
    message = failure(b"agi_network: yes\nagi_request: agi://x/ivr\n\n")
    assert "lacks agi_channel, agi_uniqueid, agi_context, agi_extension" in message


def test_repeated_environment_key() -> None:
    assert "repeats agi_channel" in failure(b"agi_channel: a\nagi_channel: b\n")


def test_gap_in_arguments() -> None:
    env = asterisk_env()
    env["agi_arg_2"] = "x"
    assert "agi_arg_2 but no agi_arg_1" in failure(encode_env(env))


def test_too_many_environment_lines() -> None:
    env = "".join(f"agi_x{n}: v\n" for n in range(10)).encode()
    assert "more than 5 lines" in failure(env, max_headers=5)


def test_oversize_line_fails_without_waiting_for_its_newline() -> None:
    message = failure(b"agi_request: " + b"x" * 200, max_line=100)
    assert "longer than 100 bytes without a newline" in message


def test_oversize_line_with_newline_fails() -> None:
    message = failure(b"agi_request: " + b"x" * 200 + b"\n", max_line=100)
    assert "exceeds the 100-byte limit" in message


def test_oversize_line_fed_in_small_chunks_fails_at_the_limit() -> None:
    parser = AgiParser(max_line=100)
    with pytest.raises(AgiProtocolError, match="longer than 100 bytes"):
        for _ in range(1000):
            parser.receive_data(b"x" * 7)
            assert parser.next_event() is NEED_DATA
    assert parser.bytes_received <= 7 * 15  # stopped right after crossing the limit


def test_garbage_reply_after_environment() -> None:
    assert "not an AGI reply: 'hello'" in failure(ENV_BYTES + b"hello\n")


def test_200_without_result() -> None:
    assert "200 reply without result=" in failure(ENV_BYTES + b"200 ok\n")


def test_endless_multi_line_reply_is_bounded() -> None:
    data = ENV_BYTES + b"520-start\n" + b"usage\n" * 10
    assert "longer than 5 lines" in failure(data, max_usage_lines=5)


def test_eof_inside_environment() -> None:
    message = failure(b"agi_network: yes\nagi_request: x\n", eof=True)
    assert "before the end of the AGI environment (2 lines" in message


def test_eof_in_the_middle_of_a_line() -> None:
    assert "middle of a line: b'200 res'" in failure(ENV_BYTES + b"200 res", eof=True)


def test_eof_inside_multi_line_reply() -> None:
    message = failure(ENV_BYTES + b"520-start\nusage\n", eof=True)
    assert "end of stream while inside a multi-line reply" in message


def test_events_before_a_bad_line_are_delivered_first() -> None:
    parser = AgiParser()
    parser.receive_data(ENV_BYTES + b"200 result=0\nHANGUP\n???\n")
    assert isinstance(parser.next_event(), AgiEnvironment)
    assert parser.next_event() == parse_reply("200 result=0")
    assert parser.next_event() == HangupNotice()
    with pytest.raises(AgiProtocolError, match=r"\?\?\?"):
        parser.next_event()


def test_receive_data_after_eof_is_a_usage_error() -> None:
    parser = AgiParser()
    parser.receive_eof()
    with pytest.raises(RuntimeError, match="after receive_eof"):
        parser.receive_data(b"x")
