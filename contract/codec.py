"""Events as Redis Stream entries and back: schema version 1 of docs/events.md.

An entry is flat and every value a string: ``v`` (the schema version), ``type``,
``at`` (ISO 8601 in UTC with microseconds), ``call_id``, ``agent_id``, then the type's
own fields. ``None`` is written as an empty string, a whole number in decimal, an enum
as its value, a tuple of strings joined with commas (so the empty tuple is an empty
string too, and reads back as the empty tuple).

``decode`` is the reader's side: it refuses an entry it cannot trust with an
``EventError`` whose message names the field and what is wrong (``UnknownVersion`` for
a schema version it does not know, ``UnknownEventType`` for a type it does not know, so
a reader can count those apart). Fields it does not know are ignored: a writer may add
fields and types within version 1, readers skip what they do not know.

``stamp`` adds the writer's ``origin`` (one per run of the controller) and ``seq`` (1, 2,
... within the origin) to an entry, and ``read_stamp`` reads them back: a reader skips an
entry whose stamp it has already applied, so an entry written twice (a batch retried
after a partial failure) counts once. Entries written before the stamp have none: they
are read as before, without that check.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum

from contract.events import EVENT_TYPES, FieldSpec, StreamEvent, own_fields

SCHEMA_VERSION = "1"
_WHOLE = re.compile(r"-?[0-9]+")
_MAX_DIGITS = 4000  # under int()'s default limit of 4300; no field needs more than 20
KNOWN_VERSIONS = frozenset({SCHEMA_VERSION})
ENVELOPE = ("v", "type", "at", "call_id", "agent_id")
"""The fields every entry has; a type's own fields never reuse these names."""
STAMP = ("origin", "seq")
"""The writer's stamp, on entries written since it exists; never a type's own field."""


class EventError(ValueError):
    """An entry that is not a readable event; the message says which field and why."""


class UnknownVersion(EventError):
    """The entry's schema version is not one this reader knows."""

    def __init__(self, version: str) -> None:
        known = ", ".join(sorted(KNOWN_VERSIONS))
        super().__init__(f"schema version {version!r} is unknown; known: {known}")
        self.version = version


class UnknownEventType(EventError):
    """The entry's type is not one this reader knows (a newer writer's, say)."""

    def __init__(self, type_name: str) -> None:
        super().__init__(f"event type {type_name!r} is unknown")
        self.type_name = type_name


def encode(event: StreamEvent) -> dict[str, str]:
    """The stream entry for ``event``."""
    entry = {
        "v": SCHEMA_VERSION,
        "type": event.TYPE,
        "at": event.at.astimezone(UTC).isoformat(timespec="microseconds"),
        "call_id": event.call_id,
        "agent_id": event.agent_id,
    }
    for spec in own_fields(type(event)):
        entry[spec.name] = _text(getattr(event, spec.name))
    return entry


@dataclass(frozen=True, slots=True)
class Stamp:
    """Which run of the writer wrote an entry (``origin``), and its place in that run."""

    origin: str
    seq: int

    def __post_init__(self) -> None:
        if not self.origin:
            raise EventError("field 'origin' is empty; it names the writer's run")
        if self.seq < 1:
            raise EventError(f"field 'seq' is {self.seq}; it counts from 1")


def stamp(entry: Mapping[str, str], mark: Stamp) -> dict[str, str]:
    """``entry`` with the writer's stamp added."""
    return {**entry, "origin": mark.origin, "seq": str(mark.seq)}


def read_stamp(entry: Mapping[str, str]) -> Stamp | None:
    """The entry's stamp, None for an entry written without one; ``EventError`` for a
    broken one (one field of the two, a ``seq`` that is no whole number)."""
    origin, seq = entry.get("origin"), entry.get("seq")
    if origin is None and seq is None:
        return None
    if not origin or not seq:
        raise EventError("fields 'origin' and 'seq' come together; one is missing or empty")
    if not (seq.isascii() and seq.isdigit()):
        raise EventError(f"field 'seq' is not a whole number: {seq!r}")
    return Stamp(origin, int(seq))


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, tuple):
        return ",".join(value)
    return str(value)


def decode(entry: Mapping[str, str]) -> StreamEvent:
    """The event in one stream entry; ``EventError`` names what is wrong with it."""
    for name in ("v", "type", "at"):
        if not entry.get(name):
            raise EventError(f"field {name!r} is missing or empty")
    if entry["v"] not in KNOWN_VERSIONS:
        raise UnknownVersion(entry["v"])
    kind = EVENT_TYPES.get(entry["type"])
    if kind is None:
        raise UnknownEventType(entry["type"])
    values: dict[str, object] = {
        "at": _timestamp(entry["at"]),
        "call_id": entry.get("call_id", ""),
        "agent_id": entry.get("agent_id", ""),
    }
    for spec in own_fields(kind):
        text = entry.get(spec.name)
        if text is None or _empty_is_none(spec, text):
            if spec.required and not spec.optional:
                raise EventError(f"{kind.TYPE}: field {spec.name!r} is missing")
            if text is None and not spec.required:
                continue  # the default stands
            values[spec.name] = None
            continue
        values[spec.name] = _value(kind.TYPE, spec, text)
    try:
        return kind(**values)  # type: ignore[arg-type]
    except ValueError as exc:
        raise EventError(str(exc)) from None


def _empty_is_none(spec: FieldSpec, text: str) -> bool:
    """An empty value stands for None, except where it is a value of its own: a text, and
    a list that cannot be None (``topics`` of an agent with none is ``()``, written ``""``)."""
    if text != "" or spec.base is str:
        return False
    return not (spec.base is tuple and not spec.optional)


def _timestamp(text: str) -> datetime:
    try:
        at = datetime.fromisoformat(text)
    except ValueError:
        at = None
    if at is None or at.utcoffset() is None:
        raise EventError(f"field 'at' is not an ISO 8601 time with a UTC offset: {text!r}")
    try:
        return at.astimezone(UTC)
    except OverflowError:  # e.g. 0001-01-01T00:00+01:00 is before the first day there is
        raise EventError(f"field 'at' is out of range in UTC: {text!r}") from None


def _value(type_name: str, spec: FieldSpec, text: str) -> object:
    if spec.base is str:
        return None if spec.optional and text == "" else text
    if spec.base is int:
        # At most one sign ("--5" passed a check of lstrip("-")), and no more digits than
        # int() reads: either used to escape as a bare ValueError.
        if not (_WHOLE.fullmatch(text) and len(text) <= _MAX_DIGITS):
            shown = text if len(text) <= 40 else f"{text[:40]}... ({len(text)} characters)"
            raise EventError(f"{type_name}: field {spec.name!r} is not a whole number: {shown!r}")
        return int(text)
    if spec.base is tuple:
        return tuple(part for part in text.split(",") if part)
    try:
        return spec.base(text)
    except ValueError:
        raise EventError(
            f"{type_name}: field {spec.name!r} is {text!r}; allowed: {', '.join(spec.choices)}"
        ) from None
