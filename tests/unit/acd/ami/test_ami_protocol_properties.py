"""Properties of the sans-I/O AMI core: any bytes, split anywhere, parse without raising
and without hanging; a frame reads back as it was written; the split points never
change what is read."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from acd.ami.actions import Getvar, Hangup, QueuePause, Redirect, Setvar
from acd.ami.frames import Banner, ConnectionClosed, Event, Frame, MalformedFrame, Response
from acd.ami.protocol import AmiProtocol
from acd.ami.testing import frame
from tests.unit.chunks import cuts, with_cuts

BANNER = b"Asterisk Call Manager/11.0.0\r\n"

# Pieces AMI is made of, so random streams hit the grammar's edges, not only noise.
PIECES = st.sampled_from(
    [b"\r", b"\n", b"\r\n", b": ", b":", b" ", b"Event", b"Response", b"Success", b"Follows",
     b"ActionID", b"EventList", b"--END COMMAND--", b"Asterisk Call Manager/", b"\xff", b"\xc3",
     b"\xa9", b"Newstate", b"x" * 70]
)  # fmt: skip
STREAMS = st.lists(st.one_of(PIECES, st.binary(max_size=40)), max_size=60).map(b"".join)
KEYS = st.from_regex(r"[A-Za-z][A-Za-z0-9_-]{0,15}", fullmatch=True).filter(
    lambda k: k.lower() not in ("event", "response")
)
VALUES = st.text(st.characters(exclude_characters="\r\n", exclude_categories=("Cs",)), max_size=30)


def read_all(chunks: list[bytes], **options: int) -> list[Frame]:
    """Feed ``chunks`` then the end of the stream; every frame, bounded (no hang)."""
    protocol = AmiProtocol(**options)  # type: ignore[arg-type]
    frames: list[Frame] = []
    for chunk in [*chunks, b""]:
        protocol.receive_data(chunk)
        for _ in range(10_000):
            item = protocol.next_event()
            if item is None:
                break
            frames.append(item)
        else:
            raise AssertionError("next_event never said it needs more data")
    return frames


@given(with_cuts(STREAMS))
def test_any_bytes_split_anywhere_parse_into_frames_and_one_close(
    case: tuple[bytes, list[bytes]],
) -> None:
    _, chunks = case
    frames = read_all(chunks)
    assert all(isinstance(f, Banner | Response | Event | MalformedFrame) for f in frames[:-1])
    assert frames[-1] == ConnectionClosed()


@given(with_cuts(STREAMS))
def test_a_small_frame_limit_only_turns_oversize_frames_malformed(
    case: tuple[bytes, list[bytes]],
) -> None:
    _, chunks = case
    frames = read_all(chunks, max_frame_size=64)
    assert frames[-1] == ConnectionClosed()
    oversize = [f for f in frames if isinstance(f, MalformedFrame) and "limit" in f.reason]
    assert all(len(f.raw) <= 64 for f in oversize)  # memory stays bounded by the limit


@given(with_cuts(STREAMS))
def test_where_a_stream_under_the_limit_is_split_changes_nothing(
    case: tuple[bytes, list[bytes]],
) -> None:
    data, chunks = case
    assert read_all(chunks) == read_all([data] if data else [])


HEADERS = st.lists(st.tuples(KEYS, VALUES), max_size=8)


@given(st.sampled_from(["Event", "Response"]), VALUES.filter(str.strip), HEADERS, st.data())
def test_a_frame_reads_back_as_written_wherever_it_is_split(
    kind: str, first: str, headers: list[tuple[str, str]], data: st.DataObject
) -> None:
    if kind == "Response":
        first = data.draw(st.sampled_from(["Success", "Error", "Goodbye"]))
    pairs = [(kind, first), *headers]
    wire = BANNER + frame(pairs)
    frames = read_all(data.draw(cuts(wire)))
    assert frames[0] == Banner("Asterisk Call Manager", "11.0.0")
    parsed = frames[1]
    assert isinstance(parsed, Event | Response), parsed
    assert parsed.items() == tuple(pairs)
    if isinstance(parsed, Event):
        assert parsed.name == first
    assert frames[2:] == [ConnectionClosed()]


ACTION_TEXT = st.text(
    st.characters(exclude_characters="\r\n", exclude_categories=("Cs",)), min_size=1, max_size=30
)
ACTIONS = st.one_of(
    st.builds(Getvar, channel=ACTION_TEXT, variable=ACTION_TEXT),
    st.builds(Setvar, channel=ACTION_TEXT, variable=ACTION_TEXT, value=ACTION_TEXT),
    st.builds(Hangup, channel=ACTION_TEXT),
    st.builds(Redirect, channel=ACTION_TEXT, context=ACTION_TEXT, exten=ACTION_TEXT),
    st.builds(QueuePause, queue=ACTION_TEXT, interface=ACTION_TEXT, paused=st.booleans()),
)


@given(ACTIONS)
def test_an_action_is_written_as_its_headers_one_a_line(action: object) -> None:
    assert hasattr(action, "headers")
    sent = AmiProtocol().send(action)  # type: ignore[arg-type]
    assert sent.data.endswith(b"\r\n\r\n") and sent.data.count(b"\r\n\r\n") == 1
    lines = sent.data.decode("utf-8")[: -len("\r\n\r\n")].split("\r\n")
    written = [tuple(line.split(": ", 1)) for line in lines]
    name = type(action).name  # type: ignore[attr-defined]
    expected = [("Action", name), ("ActionID", sent.action_id), *action.headers()]
    assert written == expected
