"""The writer's stamp on a stream entry: ``origin`` and ``seq``, added beside the event's
fields, read back, optional (older entries have none), refused when broken."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from contract import decode, encode
from contract import events as stream
from contract.codec import ENVELOPE, STAMP, EventError, Stamp, read_stamp, stamp
from contract.events import EVENT_TYPES, own_fields

EVENT = stream.CallStarted(
    at=datetime(2026, 12, 3, 9, tzinfo=UTC), call_id="c1", caller="0612345678", dialled="14023"
)


def test_a_stamped_entry_reads_back_its_stamp_and_its_event() -> None:
    entry = stamp(encode(EVENT), Stamp("a1b2", 42))
    assert (entry["origin"], entry["seq"]) == ("a1b2", "42")
    assert read_stamp(entry) == Stamp("a1b2", 42)
    assert decode(entry) == EVENT  # a reader that knows no stamp reads the event as before


def test_an_entry_from_before_the_stamp_has_none() -> None:
    assert read_stamp(encode(EVENT)) is None


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"origin": "a1b2"}, "come together"),
        ({"seq": "3"}, "come together"),
        ({"origin": "a1b2", "seq": "three"}, "'seq' is not a whole number: 'three'"),
        ({"origin": "a1b2", "seq": "0"}, "counts from 1"),
    ],
)
def test_a_broken_stamp_is_refused_naming_the_field(fields: dict[str, str], message: str) -> None:
    with pytest.raises(EventError, match=message):
        read_stamp({**encode(EVENT), **fields})


def test_no_event_type_uses_the_stamps_or_the_envelopes_names() -> None:
    for kind in EVENT_TYPES.values():
        assert {s.name for s in own_fields(kind)} & {*STAMP, *ENVELOPE} == set(), kind.TYPE
