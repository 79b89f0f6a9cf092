"""Sans-I/O AMI protocol: bytes in, frames out; actions in, bytes out.

Theory of operation
-------------------
The stream is the banner line followed by frames, each a run of
"Key: Value" lines ended by a blank line. ``receive_data`` does only cheap
C-level work: it normalises ``\\r\\n`` to ``\\n`` (Asterisk uses ``\\r\\n``;
bare ``\\n`` is tolerated), cuts complete frames at blank lines in bulk and
decodes them. ``next_event`` turns one frame into a value object per call.

Memory is bounded: the unfinished tail of the buffer may not exceed
``max_frame_size``; when it does, the protocol enters DISCARDING, drops bytes
until the next blank line and then reports one ``MalformedFrame`` naming the
size. A frame with a line that has no ':' also becomes a ``MalformedFrame``.
In both cases parsing resumes with the next frame, so nothing after the bad
bytes is lost.

Undecodable UTF-8 (a legacy phone's Latin-1 display name) is replaced by
U+FFFD rather than dropping the frame: losing a Hangup over one character of
a caller name would be worse. ``decode_errors`` counts such frames.

Frames whose Event name is in ``ignore_events`` are skipped before their
lines are split (counted in ``ignored``); the controller uses this for
high-volume events it never reads (Newexten, VarSet, RTCP*).
"""

from __future__ import annotations

from collections import deque
from enum import Enum
from itertools import count
from typing import NamedTuple

from acd.ami.actions import Action
from acd.ami.frames import (
    Banner,
    ConnectionClosed,
    Event,
    Frame,
    MalformedFrame,
    Pairs,
    Response,
    ResponseKind,
)

DEFAULT_MAX_FRAME_SIZE = 64 * 1024
_BANNER_PREFIX = "Asterisk Call Manager"
_END_COMMAND = "--END COMMAND--"
_FOLLOWS_HEADERS = frozenset({"ActionID", "Privilege"})  # before a legacy Follows body
_KINDS = {kind.value: kind for kind in ResponseKind}
# Older Asterisk and some modules answered "Fail"/"Failure"; treat as Error.
_KINDS.update({"Fail": ResponseKind.ERROR, "Failure": ResponseKind.ERROR})


class AmiProtocolError(Exception):
    """The caller used the protocol object in a way its state does not allow."""


class ProtocolState(Enum):
    AWAITING_BANNER = "awaiting banner"
    OPEN = "open"
    DISCARDING = "discarding an oversize frame"
    CLOSED = "closed"


class _Input(Enum):
    BANNER = "banner line"
    NO_BANNER = "frame without banner"
    OVERSIZE = "oversize frame"
    RESYNC = "end of oversize frame"
    EOF = "end of stream"


_TRANSITIONS: dict[tuple[ProtocolState, _Input], ProtocolState] = {
    (ProtocolState.AWAITING_BANNER, _Input.BANNER): ProtocolState.OPEN,
    (ProtocolState.AWAITING_BANNER, _Input.NO_BANNER): ProtocolState.OPEN,
    (ProtocolState.AWAITING_BANNER, _Input.OVERSIZE): ProtocolState.DISCARDING,
    (ProtocolState.AWAITING_BANNER, _Input.EOF): ProtocolState.CLOSED,
    (ProtocolState.OPEN, _Input.OVERSIZE): ProtocolState.DISCARDING,
    (ProtocolState.OPEN, _Input.EOF): ProtocolState.CLOSED,
    (ProtocolState.DISCARDING, _Input.RESYNC): ProtocolState.OPEN,
    (ProtocolState.DISCARDING, _Input.EOF): ProtocolState.CLOSED,
}


class Outgoing(NamedTuple):
    """What ``send`` produced: the ActionID it assigned and the bytes to write."""

    action_id: str
    data: bytes


class AmiProtocol:
    """One AMI connection's framing state (client side). Not thread-safe; no I/O."""

    def __init__(
        self,
        *,
        max_frame_size: int = DEFAULT_MAX_FRAME_SIZE,
        action_id_prefix: str = "kcc-",
        ignore_events: frozenset[str] = frozenset(),
    ) -> None:
        if max_frame_size < 64:
            raise ValueError(f"max_frame_size must be at least 64 bytes, got {max_frame_size}")
        self._max = max_frame_size
        self._prefix = action_id_prefix
        self._ids = count(1)
        self._ignore = ignore_events
        self._state = ProtocolState.AWAITING_BANNER
        self._buf = b""
        self._cr_held = False  # a chunk ended in "\r": its "\n" may start the next chunk
        self._pending: deque[str | Frame] = deque()
        self._eof = False
        self._discard_head = b""
        self._discarded = 0
        self.decode_errors = 0
        self.ignored = 0

    @property
    def state(self) -> ProtocolState:
        return self._state

    def _advance(self, event: _Input) -> None:
        try:
            self._state = _TRANSITIONS[(self._state, event)]
        except KeyError:
            raise AmiProtocolError(
                f"{event.value} is not allowed in state {self._state.value}"
            ) from None

    # ----------------------------------------------------------------- input

    def receive_data(self, data: bytes) -> None:
        """Feed bytes read from the socket; ``b""`` means the peer closed it."""
        if self._eof:
            raise AmiProtocolError("receive_data() called after the end of the stream")
        if not data:
            self._eof = True
            self._finish()
            return
        if self._cr_held:
            data = b"\r" + data
        self._cr_held = data[-1:] == b"\r"
        if self._cr_held:
            data = data[:-1]
        self._buf += data.replace(b"\r\n", b"\n")
        if self._state is ProtocolState.AWAITING_BANNER:
            self._take_banner()
        if self._state is ProtocolState.DISCARDING:
            self._skip_oversize()
        if self._state is ProtocolState.OPEN:
            self._split_frames()

    def _take_banner(self) -> None:
        end = self._buf.find(b"\n")
        if end < 0:
            if len(self._buf) > self._max:
                self._begin_discard()
            return
        line = self._buf[:end].decode("utf-8", "replace").rstrip("\r")
        if not line.startswith(_BANNER_PREFIX):
            self._advance(_Input.NO_BANNER)  # e.g. a proxy that swallows the banner
            return
        product, _, version = line.partition("/")
        self._buf = self._buf[end + 1 :]
        self._pending.append(Banner(product.strip(), version.strip()))
        self._advance(_Input.BANNER)

    def _split_frames(self) -> None:
        buf = self._buf
        end = buf.rfind(b"\n\n")
        if end < 0:
            if len(buf) > self._max:
                self._begin_discard()
            return
        complete, self._buf = buf[:end], buf[end + 2 :]
        if len(complete) > self._max:
            self._queue_checked(complete)
        else:
            self._queue_blocks(complete)
        if len(self._buf) > self._max:
            self._begin_discard()

    def _queue_blocks(self, complete: bytes) -> None:
        try:
            self._pending.extend(complete.decode("utf-8").split("\n\n"))
        except UnicodeDecodeError:
            for block in complete.split(b"\n\n"):
                self._pending.append(self._decode(block))

    def _queue_checked(self, complete: bytes) -> None:
        """Slow path for a batch over the limit: find the oversize frames in it."""
        for block in complete.split(b"\n\n"):
            if len(block) > self._max:
                reason = f"frame of {len(block)} bytes exceeds the {self._max}-byte limit"
                self._pending.append(MalformedFrame(reason, block[: self._max]))
            else:
                self._pending.append(self._decode(block))

    def _decode(self, block: bytes) -> str:
        try:
            return block.decode("utf-8")
        except UnicodeDecodeError:
            self.decode_errors += 1
            return block.decode("utf-8", "replace")

    def _begin_discard(self) -> None:
        self._advance(_Input.OVERSIZE)
        self._discard_head = self._buf[: self._max]
        self._discarded = 0
        self._skip_oversize()

    def _skip_oversize(self) -> None:
        # Keep one byte: the first "\n" of the terminating blank line may be
        # the last byte of this chunk.
        end = self._buf.find(b"\n\n")
        if end < 0:
            self._discarded += max(len(self._buf) - 1, 0)
            self._buf = self._buf[-1:]
            return
        self._discarded += end
        self._buf = self._buf[end + 2 :]
        reason = (
            f"frame exceeds the {self._max}-byte limit ({self._discarded} bytes discarded"
            " up to the next blank line)"
        )
        self._pending.append(MalformedFrame(reason, self._discard_head))
        self._discard_head = b""
        self._advance(_Input.RESYNC)

    def _finish(self) -> None:
        if self._cr_held:
            self._buf += b"\r"
            self._cr_held = False
        tail = self._buf.strip(b"\n")
        if self._state is ProtocolState.DISCARDING:
            reason = f"stream ended inside a frame over the {self._max}-byte limit"
            self._pending.append(MalformedFrame(reason, self._discard_head))
        elif tail:
            self._pending.append(
                MalformedFrame("stream ended in the middle of a frame", tail[: self._max])
            )
        self._buf = b""

    # ---------------------------------------------------------------- output

    def next_event(self) -> Frame | None:
        """The next frame, or None when more data is needed.

        After the end of the stream, returns ``ConnectionClosed`` once, then None.
        """
        pending = self._pending
        while pending:
            item = pending.popleft()
            if not isinstance(item, str):
                return item
            if item:  # an empty block comes from extra blank lines
                frame = self._parse(item)
                if frame is not None:
                    return frame
        if self._eof and self._state is not ProtocolState.CLOSED:
            self._advance(_Input.EOF)
            return ConnectionClosed()
        return None

    def _parse(self, block: str) -> Frame | None:
        if self._ignore and block.startswith("Event: "):
            end = block.find("\n")
            if (block[7:] if end < 0 else block[7:end]) in self._ignore:
                self.ignored += 1
                return None
        pairs = [line.split(": ", 1) for line in block.split("\n")]
        try:
            headers = dict(pairs)
        except ValueError:  # a line without ": " (or an empty line); parse it carefully
            return _parse_slow(block)
        key, value = pairs[0]
        repeated: Pairs = () if len(headers) == len(pairs) else tuple((k, v) for k, v in pairs)
        if key == "Event":
            return Event(value, headers, repeated)
        if key == "Response" and value != "Follows":
            return Response(_KINDS.get(value, ResponseKind.ERROR), headers, repeated)
        return _parse_slow(block)

    def send(self, action: Action) -> Outgoing:
        """Render ``action`` with a fresh ActionID; write ``data`` to the socket."""
        if self._state is ProtocolState.CLOSED:
            raise AmiProtocolError(f"cannot send {action.name}: the stream has ended")
        action_id = f"{self._prefix}{next(self._ids)}"
        lines = [f"Action: {action.name}", f"ActionID: {action_id}"]
        for key, value in action.headers():
            if "\n" in value or "\r" in value or "\n" in key or "\r" in key or ":" in key:
                raise ValueError(
                    f"{action.name}: header {key!r} contains a line break or ':' and would "
                    "corrupt the AMI stream"
                )
            lines.append(f"{key}: {value}")
        lines.append("\r\n")
        return Outgoing(action_id, "\r\n".join(lines).encode("utf-8"))


def _parse_slow(block: str) -> Frame | None:
    """Exact parse with diagnostics: empty lines, ``Key:`` without a space, Follows bodies.

    None for a block of blank lines only: extra blank lines between frames carry nothing,
    however the stream was split (a run of three newlines cut in one read leaves one).
    """
    pairs: list[tuple[str, str]] = []
    follows = False
    for number, line in enumerate(block.strip("\n").split("\n"), start=1):
        key, sep, value = line.partition(":")
        if follows and (key not in _FOLLOWS_HEADERS or not sep):
            if line != _END_COMMAND:  # legacy Command output: raw lines, kept as Output
                pairs.append(("Output", line))
            continue
        if not sep or not key:
            if not line:
                continue
            what = "has no ':' separator" if not sep else "has an empty key"
            return MalformedFrame(f"line {number} {what}: {line[:80]!r}", block.encode())
        pairs.append((key, value[1:] if value.startswith(" ") else value))
        follows = follows or (len(pairs) == 1 and key == "Response" and value.strip() == "Follows")
    return _classify(pairs, block)


def _classify(pairs: list[tuple[str, str]], block: str) -> Frame | None:
    if not pairs:
        return None  # only blank lines
    headers = dict(pairs)
    repeated: Pairs = () if len(headers) == len(pairs) else tuple(pairs)
    first_key = pairs[0][0].lower()
    if first_key == "event" or (first_key != "response" and "Event" in headers):
        name = pairs[0][1] if first_key == "event" else headers["Event"]
        return Event(name, headers, repeated)
    if first_key == "response":
        return Response(_KINDS.get(pairs[0][1].strip(), ResponseKind.ERROR), headers, repeated)
    return MalformedFrame(
        f"frame has neither an Event nor a Response header (first line {block[:80]!r})",
        block.encode(),
    )
