"""Events the stats service never read because the stream lost them first: a `StreamGap`.

The controller caps its stream (``XADD MAXLEN ~``) without knowing how far the stats
service has read. A service down for longer than the stream holds (or an entry deleted
by hand) would then read on from the oldest entry left and silently miss the ones in
between. `find_gap` reads ``XINFO STREAM``'s answer; the consumer asks at every
(re)connect, logs an ERROR, and the health page and ``kcc_stats_event_gap`` show it.
Two signs, either one a gap:

* the oldest entry left (``first-entry``) is after the position the fold reached: the
  trim took entries past it (``XTRIM`` and ``XADD MAXLEN`` do not move Redis 7.0's
  ``max-deleted-entry-id``, seen on the stack's Redis). A trim that stopped exactly at
  the position looks the same and is reported too: the alarm errs towards telling;
* ``max-deleted-entry-id`` (Redis 7, moved by ``XDEL``) is after that position.

A fold that has read nothing yet (a new store) has no gap: what the stream trimmed
before is history it never had.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from contract.codec import EventError
from realtime_stats.store.position import StreamId


@dataclass(frozen=True, slots=True)
class StreamGap:
    """Entries after `read_through` up to `lost_through` were trimmed before being read."""

    read_through: StreamId  # the last entry the fold had when the gap was found
    lost_through: StreamId  # the highest id Redis trimmed or deleted
    first_left: StreamId | None  # the oldest entry the stream still holds

    def __str__(self) -> str:
        first = "none" if self.first_left is None else str(self.first_left)
        return (
            f"entries after {self.read_through} up to {self.lost_through} were trimmed from "
            f"the stream before they were read (the oldest left is {first})"
        )


def find_gap(info: Mapping[Any, Any], read_through: StreamId | None) -> StreamGap | None:
    """The gap ``XINFO STREAM``'s answer shows after ``read_through``, or None."""
    if read_through is None:
        return None
    fields = {_text(k): v for k, v in info.items()}
    first = fields.get("first-entry")
    first_id = _stream_id(first[0]) if isinstance(first, list | tuple) and first else None
    deleted = _stream_id(fields.get("max-deleted-entry-id"))
    if deleted is not None and deleted > read_through:
        return StreamGap(read_through, deleted, first_id)
    if first_id is not None and first_id > read_through:
        return StreamGap(read_through, _before(first_id), first_id)
    return None


def _before(entry: StreamId) -> StreamId:
    """The highest id below ``entry``: what a trim up to it took at most."""
    return StreamId(entry.ms, entry.seq - 1) if entry.seq else StreamId(entry.ms - 1, 2**64 - 1)


def _stream_id(raw: object) -> StreamId | None:
    if raw is None:
        return None
    try:
        found = StreamId.parse(_text(raw))
    except EventError:
        return None
    return None if found == StreamId(0, 0) else found


def _text(raw: object) -> str:
    return raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
