"""Stream entries to events: every field a string, bad entries named by id and field."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from realtime_stats.ingest.entries import Event, EventError, decode
from realtime_stats.store import StreamId

GOOD = {
    b"v": b"1",
    b"type": b"call.queued",
    b"at": b"2026-11-22T09:14:03.123456+00:00",
    b"call_id": b"1700000000.42",
    b"agent_id": b"",
    b"topic": b"burgerzaken",
    b"municipality": b"",
}


def test_a_good_entry_becomes_a_typed_event() -> None:
    event = decode(b"1763802843123-7", GOOD)

    assert event.stream_id == StreamId(1763802843123, 7)
    assert (event.v, event.type, event.call_id, event.agent_id) == (
        "1",
        "call.queued",
        "1700000000.42",
        None,
    )
    assert event.at == datetime(2026, 11, 22, 9, 14, 3, 123456, tzinfo=UTC)
    assert dict(event.fields) == {"topic": "burgerzaken", "municipality": ""}
    assert event.value("topic") == "burgerzaken"
    assert event.value("municipality") is None  # empty means absent


def test_str_fields_and_other_offsets_are_read_too() -> None:
    fields = {k.decode(): v.decode() for k, v in GOOD.items()}
    fields["at"] = "2026-11-22T10:14:03.123456+01:00"
    event = decode("5-0", fields)
    assert event.at == datetime(2026, 11, 22, 9, 14, 3, 123456, tzinfo=UTC)
    assert event.at.tzinfo is UTC


@pytest.mark.parametrize("name", ["v", "type", "at"])
@pytest.mark.parametrize("how", ["missing", "empty"])
def test_a_missing_common_field_is_named(name: str, how: str) -> None:
    fields = dict(GOOD)
    if how == "missing":
        del fields[name.encode()]
    else:
        fields[name.encode()] = b""
    with pytest.raises(EventError, match=rf"stream entry 9-1: field '{name}' is missing or empty"):
        decode(b"9-1", fields)


@pytest.mark.parametrize(
    "at", [b"yesterday", b"2026-11-22T09:14:03", b"2026-13-01T00:00:00+00:00", b"1763802843"]
)
def test_a_bad_timestamp_is_named_with_the_entry(at: bytes) -> None:
    with pytest.raises(EventError, match=r"stream entry 9-1: field 'at' is not an ISO 8601 time"):
        decode(b"9-1", {**GOOD, b"at": at})


def test_bytes_that_are_not_utf8_are_named() -> None:
    with pytest.raises(EventError, match=r"entry 9-1: field 'topic' is not UTF-8"):
        decode(b"9-1", {**GOOD, b"topic": b"\xff\xfe"})


# "\u0661" is an Arabic-Indic digit one: str.isdigit() says yes, Redis says no.
@pytest.mark.parametrize("sid", ["", "12", "12-", "-3", "a-1", "1-1-1", "\u0661-1"])
def test_a_bad_stream_id_is_refused(sid: str) -> None:
    with pytest.raises(EventError, match="is not <milliseconds>-<sequence>"):
        decode(sid, GOOD)


def test_stream_ids_order_numerically_not_as_text() -> None:
    assert StreamId.parse("9-0") < StreamId.parse("10-0") < StreamId.parse("10-2")
    assert str(StreamId(10, 2)) == "10-2"


def test_an_event_built_in_code_must_be_timezone_aware() -> None:
    with pytest.raises(EventError, match="stream entry 1-0: at must be timezone-aware"):
        Event(stream_id=StreamId(1, 0), v="1", type="call.started", at=datetime(2026, 1, 1))
