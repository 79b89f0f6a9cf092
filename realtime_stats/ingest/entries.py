"""The controller's stream entries as the stats service reads them: typed events in order.

Theory of operation: XREAD hands over each entry as its id and a flat map of fields, as
bytes (or str). `read_entry` turns one into a `StreamEntry`: its position in the stream
(`StreamId`) and the contract's typed, frozen event (`contract.decode`, docs/events.md).
An entry that is no such event still has a position the fold must move past and count,
so it becomes an `UnreadableEntry` that says why: `malformed` (not UTF-8, a field missing
or wrong; the reason names the entry and the field), or a schema version or an event type
this reader does not know (a newer controller's). The writer's stamp (``origin``,
``seq``), when the entry has one, rides along for the fold to skip an entry it has
already applied; a broken stamp makes the entry malformed. Nothing here raises for a bad entry but
for a bad id, which Redis never hands out.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass

from contract.codec import (
    EventError,
    Stamp,
    UnknownEventType,
    UnknownVersion,
    decode,
    read_stamp,
)
from contract.events import StreamEvent
from realtime_stats.store.position import StreamId

# What redis-py hands over: bytes, or str with decode_responses=True.
RawFields = Mapping[bytes, bytes] | Mapping[str, str] | Mapping[bytes | str, bytes | str]


@dataclass(frozen=True, slots=True)
class StreamEntry:
    """One stream entry: its position and the typed event it holds."""

    stream_id: StreamId
    event: StreamEvent
    stamp: Stamp | None = None  # the writer's run and seq; None on older entries


class EntryProblem(enum.StrEnum):
    """Why an entry is no event for this reader; each value is a `FoldCounts` field."""

    MALFORMED = "malformed"
    UNKNOWN_VERSION = "unknown_version"
    UNKNOWN_TYPE = "unknown_type"


@dataclass(frozen=True, slots=True)
class UnreadableEntry:
    """A stream entry that holds no event this reader can fold, and why."""

    stream_id: StreamId
    problem: EntryProblem
    reason: str
    type_name: str = ""  # the entry's `type` as written; "" when it has none


ReadEntry = StreamEntry | UnreadableEntry


def read_entry(stream_id: StreamId | str | bytes, fields: RawFields) -> ReadEntry:
    """The event in one XREAD entry, or why there is none; `EventError` only for a bad id."""
    if isinstance(stream_id, StreamId):
        sid = stream_id
    else:
        sid = StreamId.parse(_text(stream_id, "stream id"))
    try:
        values = _strings(fields)
        return StreamEntry(sid, decode(values), read_stamp(values))
    except UnknownVersion as exc:
        reason = f"schema version {exc.version!r} is unknown"
        return UnreadableEntry(sid, EntryProblem.UNKNOWN_VERSION, reason, values.get("type", ""))
    except UnknownEventType as exc:
        return UnreadableEntry(sid, EntryProblem.UNKNOWN_TYPE, str(exc), exc.type_name)
    except EventError as exc:
        return UnreadableEntry(sid, EntryProblem.MALFORMED, f"stream entry {sid}: {exc}")


def _strings(fields: RawFields) -> dict[str, str]:
    text = {_text(k, "a field name"): v for k, v in fields.items()}
    return {k: _text(v, f"field {k!r}") for k, v in text.items()}


def _text(value: bytes | str, what: str) -> str:
    if isinstance(value, str):
        return value
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        raise EventError(f"{what} is not UTF-8: {value!r}") from None
