"""Properties of the stream codec: every event of every type reads back equal to itself,
and any entry of strings either reads as an event or is refused with ``EventError``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from enum import Enum

from hypothesis import given
from hypothesis import strategies as st

from contract import EVENT_TYPES, EventError, StreamEvent, decode, encode
from contract.codec import ENVELOPE
from contract.events import FieldSpec, own_fields

TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=12)
ITEM = st.text(st.characters(exclude_characters=",", exclude_categories=("Cs",)), min_size=1)
MOMENTS = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
) | st.builds(
    lambda at, minutes: at.replace(tzinfo=timezone(timedelta(minutes=minutes))),
    st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1)),
    st.integers(-14 * 60, 14 * 60),
)


def value_of(spec: FieldSpec) -> st.SearchStrategy[object]:
    """Any value the event type allows in the field ``spec`` describes."""
    base: st.SearchStrategy[object]
    if spec.base is str:
        base = TEXT.filter(bool) if spec.required and not spec.optional else TEXT
    elif spec.base is int:
        base = st.integers(-(2**63), 2**63)
    elif spec.base is tuple:
        base = st.lists(ITEM, max_size=4).map(tuple)
    else:
        assert issubclass(spec.base, Enum)
        base = st.sampled_from(list(spec.base))
    return st.none() | base if spec.optional else base


def events_of(kind: type[StreamEvent]) -> st.SearchStrategy[StreamEvent]:
    ids = {name: TEXT.filter(bool) if name in kind.REQUIRES else TEXT for name in ENVELOPE[3:]}
    own = {spec.name: value_of(spec) for spec in own_fields(kind)}
    return st.builds(kind, at=MOMENTS, **ids, **own)


EVENTS = st.sampled_from(sorted(EVENT_TYPES)).flatmap(lambda name: events_of(EVENT_TYPES[name]))


@given(EVENTS)
def test_every_event_reads_back_equal_to_itself(event: StreamEvent) -> None:
    entry = encode(event)
    assert all(isinstance(v, str) for v in entry.values())
    assert decode(entry) == event


FIELD_NAMES = sorted(
    {*ENVELOPE, *(spec.name for kind in EVENT_TYPES.values() for spec in own_fields(kind))}
)
VALUES = st.one_of(
    TEXT,
    st.sampled_from(["", "1", "-1", "--5", "-", "0x10", "1" * 5000, "²", "a,b", ",", "true"]),
    st.sampled_from(sorted(EVENT_TYPES)),
    MOMENTS.map(datetime.isoformat),
    st.datetimes().map(datetime.isoformat),
    st.sampled_from(["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00", "2026-13-01"]),
)
ENTRIES = st.dictionaries(st.sampled_from(FIELD_NAMES) | TEXT, VALUES, max_size=12)


@given(ENTRIES, st.sampled_from(sorted(EVENT_TYPES)), MOMENTS)
def test_any_entry_of_strings_is_an_event_or_an_event_error(
    entry: dict[str, str], type_name: str, at: datetime
) -> None:
    # Half the time a readable envelope, so the type's own fields are reached too.
    for candidate in (entry, {"v": "1", "type": type_name, "at": at.isoformat(), **entry}):
        try:
            event = decode(candidate)
        except EventError as error:
            assert str(error)
        else:
            assert isinstance(event, StreamEvent)
