"""The controller's events as the stats service reads them from the Redis Stream.

`decode` turns one stream entry into a frozen `Event`, or raises `EventError` naming the
stream id and the field (docs/events.md is the schema). `StreamId` orders entries, so a
replay after a restart is recognised.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType

from contract.codec import EventError
from realtime_stats.figures.periods import PeriodError, as_utc
from realtime_stats.store.position import StreamId

KNOWN_VERSIONS = frozenset({"1"})
_COMMON_FIELDS = frozenset({"v", "type", "at", "call_id", "agent_id"})


@dataclass(frozen=True, slots=True, kw_only=True)
class Event:
    """One decoded stream entry. `fields` holds the type's own fields (all strings)."""

    stream_id: StreamId
    v: str
    type: str
    at: datetime
    call_id: str | None = None
    agent_id: str | None = None
    fields: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "at", as_utc("at", self.at))
        except PeriodError as exc:
            raise EventError(f"stream entry {self.stream_id}: {exc}") from None

    def value(self, name: str) -> str | None:
        """A type field, with empty meaning absent (every field is a string on the stream)."""
        return self.fields.get(name) or None


# What redis-py hands over: bytes, or str with decode_responses=True.
RawFields = Mapping[bytes, bytes] | Mapping[str, str] | Mapping[bytes | str, bytes | str]


def decode(stream_id: str | bytes | StreamId, fields: RawFields) -> Event:
    """The event in one XREAD entry; `EventError` says which entry and field is wrong."""
    sid = stream_id if isinstance(stream_id, StreamId) else StreamId.parse(_text(stream_id, "id"))
    text = {_text(k, f"entry {sid}: a field name"): v for k, v in fields.items()}
    values = {k: _text(v, f"entry {sid}: field {k!r}") for k, v in text.items()}
    for name in ("v", "type", "at"):
        if not values.get(name):
            raise EventError(f"stream entry {sid}: field {name!r} is missing or empty")
    return Event(
        stream_id=sid,
        v=values["v"],
        type=values["type"],
        at=_timestamp(sid, values["at"]),
        call_id=values.get("call_id") or None,
        agent_id=values.get("agent_id") or None,
        fields=MappingProxyType({k: v for k, v in values.items() if k not in _COMMON_FIELDS}),
    )


def _text(value: bytes | str, what: str) -> str:
    if isinstance(value, str):
        return value
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        raise EventError(f"stream {what} is not UTF-8: {value!r}") from None


def _timestamp(sid: StreamId, text: str) -> datetime:
    try:
        return as_utc("at", datetime.fromisoformat(text))
    except (ValueError, PeriodError):
        raise EventError(
            f"stream entry {sid}: field 'at' is not an ISO 8601 time with a UTC offset: {text!r}"
        ) from None
