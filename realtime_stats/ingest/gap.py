"""Events the stats service never read because the stream lost them first: a `StreamGap`.

The controller caps its stream (``XADD MAXLEN ~``) without knowing how far the stats
service has read. A service down for longer than the stream holds (or an entry deleted
by hand) would then read on from the oldest entry left and silently miss the ones in
between. Redis 7 says, in ``XINFO STREAM``, the highest id it ever trimmed or deleted
(``max-deleted-entry-id``): if that is after the position the fold reached, entries the
fold never saw are gone. `find_gap` reads that answer; the consumer asks at every
(re)connect, logs an ERROR, and the health page and ``kcc_stats_event_gap`` show it.

A fold that has read nothing yet (a new store) has no gap: what the stream trimmed
before is history it never had. A Redis without the field (older than 7) is not checked.
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
    deleted = _stream_id(fields.get("max-deleted-entry-id"))
    if deleted is None or deleted <= read_through:
        return None
    first = fields.get("first-entry")
    first_id = _stream_id(first[0]) if isinstance(first, list | tuple) and first else None
    return StreamGap(read_through, deleted, first_id)


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
