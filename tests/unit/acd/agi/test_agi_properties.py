"""Properties of the FastAGI core: any bytes as an environment or as replies give events
or the documented AgiProtocolError, never another exception and never a hang; what the
encoders write reads back as it was meant; a session facing any replies fails only with
the documented AgiError family."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import cast

from hypothesis import given
from hypothesis import strategies as st

from acd.agi.commands import format_command, quote_argument
from acd.agi.errors import AgiError, AgiProtocolError
from acd.agi.protocol import (
    AgiEnvironment,
    AgiEvent,
    AgiParser,
    AgiReply,
    ConnectionClosed,
    NeedData,
    parse_reply,
)
from acd.agi.session import AgiSession, open_session
from acd.agi.testing import asterisk_env, encode_env, result, split_words
from tests.unit.chunks import cuts, with_cuts

PIECES = st.sampled_from(
    [b"\n", b"\r\n", b"agi_", b"agi_request: ", b"agi_channel: ", b"agi_uniqueid: ",
     b"agi_context: ", b"agi_extension: ", b"agi_arg_1: ", b"agi_arg_3: ", b": ", b"200 ",
     b"result=", b"-1", b"49", b" (", b")", b" endpos=", b"HANGUP", b"510 ", b"511 ",
     b"520-", b"520 ", b"\xff", b"\xc3", b" "]
)  # fmt: skip
STREAMS = st.lists(st.one_of(PIECES, st.binary(max_size=20)), max_size=60).map(b"".join)
LINE_TEXT = st.text(
    st.characters(exclude_characters="\r\n", exclude_categories=("Cs",)), max_size=30
)
ENV_BYTES = encode_env(asterisk_env("ivr"))


def read_all(chunks: list[bytes], **limits: int) -> list[AgiEvent]:
    """Every event of ``chunks`` and the end of the stream, up to the first protocol
    error (which is all a parser may raise); bounded, so a hang fails the test."""
    parser = AgiParser(**limits)
    events: list[AgiEvent] = []
    try:
        for chunk in [*chunks, None]:
            if chunk is None:
                parser.receive_eof()
            else:
                parser.receive_data(chunk)
            for _ in range(10_000):
                event = parser.next_event()
                if isinstance(event, NeedData | ConnectionClosed):
                    break
                events.append(event)
            else:
                raise AssertionError("next_event never asked for more data")
    except AgiProtocolError as error:
        assert str(error)  # names what was wrong
        events.append(cast(AgiEvent, error))
    return events


@given(with_cuts(STREAMS))
def test_any_bytes_as_an_environment_give_events_or_a_protocol_error(
    case: tuple[bytes, list[bytes]],
) -> None:
    _, chunks = case
    read_all(chunks)
    read_all(chunks, max_line=16, max_headers=3, max_usage_lines=2)


@given(with_cuts(STREAMS.map(lambda replies: ENV_BYTES + replies)))
def test_any_bytes_as_replies_give_events_or_a_protocol_error(
    case: tuple[bytes, list[bytes]],
) -> None:
    data, chunks = case
    events = read_all(chunks)
    assert isinstance(events[0], AgiEnvironment)
    assert _same(events, read_all([data]))  # nor does where it was split matter


def _same(first: list[AgiEvent], second: list[AgiEvent]) -> bool:
    def key(event: object) -> object:
        return (type(event), str(event)) if isinstance(event, Exception) else event

    return [key(e) for e in first] == [key(e) for e in second]


ENV_KEYS = st.from_regex(r"agi_[a-z_]{1,12}", fullmatch=True).filter(
    lambda k: not k.startswith("agi_arg_")
)


@given(
    st.dictionaries(ENV_KEYS, LINE_TEXT, max_size=6),
    st.lists(LINE_TEXT, max_size=5),
    st.data(),
)
def test_an_environment_reads_back_as_written(
    extra: dict[str, str], arguments: list[str], data: st.DataObject
) -> None:
    env = {**asterisk_env("ivr", *arguments), **extra}
    events = read_all(data.draw(cuts(encode_env(env))))
    assert len(events) == 1 and isinstance(events[0], AgiEnvironment), events
    assert dict(events[0].raw) == env
    assert events[0].arguments == tuple(arguments)


@given(
    st.integers(-5, 10**6) | st.text("0123456789*#", max_size=6),
    st.none() | LINE_TEXT.filter(lambda d: ")" not in d),
    st.none() | st.integers(-(10**9), 10**9),
)
def test_a_200_reply_reads_back_as_asterisk_formats_it(
    value: int | str, data: str | None, endpos: int | None
) -> None:
    reply = parse_reply(result(value, data, endpos))
    assert isinstance(reply, AgiReply) and reply.code == 200
    assert reply.result_text == str(value)
    if isinstance(value, int):
        assert reply.result == value
    assert (reply.data, reply.endpos) == (data, endpos)


@given(LINE_TEXT)
def test_a_get_variable_echo_keeps_any_value(value: str) -> None:
    # GET VARIABLE echoes the value verbatim, brackets and "endpos=" included.
    reply = parse_reply(result(1, value))
    assert reply.data == value


ARGUMENTS = st.lists(
    st.text(st.characters(exclude_characters="\r\n\0", exclude_categories=("Cs",)), max_size=12),
    max_size=6,
)


@given(st.sampled_from(["STREAM FILE", "SET VARIABLE", "EXEC", "VERBOSE"]), ARGUMENTS)
def test_a_command_line_splits_back_into_its_arguments(command: str, arguments: list[str]) -> None:
    words = split_words(format_command(command, *arguments))
    assert words == [*command.split(), *arguments]
    assert all(split_words(quote_argument(a)) == [a] for a in arguments)


@given(st.tuples(st.text(max_size=8), st.sampled_from("\r\n\0"), st.text(max_size=8)))
def test_an_argument_that_cannot_be_sent_is_refused(parts: tuple[str, str, str]) -> None:
    argument = "".join(parts)
    try:
        quote_argument(argument)
    except ValueError as error:
        assert "cannot be sent" in str(error)
    else:
        raise AssertionError(f"{argument!r} was accepted")


class _Reader:
    """Asterisk's side: the environment, then ``replies`` in chunks, then the end."""

    def __init__(self, chunks: list[bytes]) -> None:
        self._chunks = chunks

    async def read(self, n: int = -1) -> bytes:
        await asyncio.sleep(0)
        return self._chunks.pop(0) if self._chunks else b""


class _Writer:
    def __init__(self) -> None:
        self.written = bytearray()
        self.transport = self

    def write(self, data: bytes) -> None:
        self.written += data

    async def drain(self) -> None:
        await asyncio.sleep(0)

    def close(self) -> None:
        pass

    async def wait_closed(self) -> None:
        pass

    def abort(self) -> None:
        pass


Command = Callable[[AgiSession], Awaitable[object]]
COMMANDS: list[Command] = [
    lambda s: s.stream_file("welkom", "123"),
    lambda s: s.wait_for_digit(2.0),
    lambda s: s.get_variable("CHANNEL(linkedid)"),
    lambda s: s.exec("Playback", "beep"),
    lambda s: s.answer(),
    lambda s: s.command("SAY DIGITS 12 #"),
]
REPLY_LINES = st.lists(
    st.sampled_from(
        [b"200 result=0\n", b"200 result=1 (x)\n", b"200 result=-1 endpos=0\n", b"HANGUP\n",
         b"200 result=49 endpos=1234\n", b"200 result=99999\n", b"510 Invalid\n",
         b"511 Command Not Permitted\n", b"520-Usage\n", b"x\n", b"520 End\n", b"200 result=\n",
         b"200 result=-2\n", b"\n"]
    ) | STREAMS,
    max_size=6,
).map(b"".join)  # fmt: skip


@given(st.sampled_from(range(len(COMMANDS))), REPLY_LINES, st.data())
def test_a_session_facing_any_replies_fails_only_with_agi_errors(
    which: int, replies: bytes, data: st.DataObject
) -> None:
    chunks = data.draw(cuts(ENV_BYTES + replies))

    async def run() -> None:
        writer = cast(asyncio.StreamWriter, _Writer())
        async with asyncio.timeout(5):  # a session that waits forever fails here
            try:
                async with open_session(_Reader(chunks), writer, env_timeout=1) as session:
                    await COMMANDS[which](session)
            except AgiError as error:
                assert str(error)

    asyncio.run(run())
