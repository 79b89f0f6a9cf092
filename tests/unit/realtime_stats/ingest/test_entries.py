"""Stream entries to typed events: every field a string, bad entries named by id and field."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from contract.codec import EventError
from contract.events import CallQueued, CallStarted
from realtime_stats.ingest.entries import (
    EntryProblem,
    StreamEntry,
    UnreadableEntry,
    read_entry,
)
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


def _unreadable(stream_id: str | bytes, fields: dict[bytes, bytes]) -> UnreadableEntry:
    entry = read_entry(stream_id, fields)
    assert isinstance(entry, UnreadableEntry), entry
    return entry


def test_a_good_entry_becomes_a_typed_event() -> None:
    entry = read_entry(b"1763802843123-7", GOOD)

    assert isinstance(entry, StreamEntry)
    assert entry.stream_id == StreamId(1763802843123, 7)
    event = entry.event
    assert isinstance(event, CallQueued)
    assert (event.TYPE, event.call_id, event.agent_id) == ("call.queued", "1700000000.42", "")
    assert event.at == datetime(2026, 11, 22, 9, 14, 3, 123456, tzinfo=UTC)
    assert event.topic == "burgerzaken"
    assert event.municipality is None  # empty means absent


def test_str_fields_and_other_offsets_are_read_too() -> None:
    fields = {k.decode(): v.decode() for k, v in GOOD.items()}
    fields["at"] = "2026-11-22T10:14:03.123456+01:00"
    entry = read_entry("5-0", fields)
    assert isinstance(entry, StreamEntry)
    assert entry.event.at == datetime(2026, 11, 22, 9, 14, 3, 123456, tzinfo=UTC)
    assert entry.event.at.tzinfo is UTC


@pytest.mark.parametrize("name", ["v", "type", "at"])
@pytest.mark.parametrize("how", ["missing", "empty"])
def test_a_missing_common_field_is_named(name: str, how: str) -> None:
    fields = dict(GOOD)
    if how == "missing":
        del fields[name.encode()]
    else:
        fields[name.encode()] = b""
    entry = _unreadable(b"9-1", fields)
    assert (entry.stream_id, entry.problem) == (StreamId(9, 1), EntryProblem.MALFORMED)
    assert entry.reason == f"stream entry 9-1: field '{name}' is missing or empty"


@pytest.mark.parametrize(
    "at", [b"yesterday", b"2026-11-22T09:14:03", b"2026-13-01T00:00:00+00:00", b"1763802843"]
)
def test_a_bad_timestamp_is_named_with_the_entry(at: bytes) -> None:
    entry = _unreadable(b"9-1", {**GOOD, b"at": at})
    assert entry.problem is EntryProblem.MALFORMED
    assert entry.reason.startswith("stream entry 9-1: field 'at' is not an ISO 8601 time")


def test_bytes_that_are_not_utf8_are_named() -> None:
    entry = _unreadable(b"9-1", {**GOOD, b"topic": b"\xff\xfe"})
    assert entry.problem is EntryProblem.MALFORMED
    assert entry.reason.startswith("stream entry 9-1: field 'topic' is not UTF-8")


def test_a_field_the_contract_refuses_is_named_with_the_entry() -> None:
    entry = _unreadable(b"9-1", {**GOOD, b"topic": b""})
    assert entry.problem is EntryProblem.MALFORMED
    assert entry.reason == "stream entry 9-1: event call.queued: field 'topic' must not be empty"


def test_an_unknown_version_and_an_unknown_type_are_told_apart() -> None:
    version = _unreadable(b"9-1", {**GOOD, b"v": b"2"})
    assert (version.problem, version.type_name) == (EntryProblem.UNKNOWN_VERSION, "call.queued")
    assert version.reason == "schema version '2' is unknown"
    kind = _unreadable(b"9-2", {**GOOD, b"type": b"call.sentiment"})
    assert (kind.problem, kind.type_name) == (EntryProblem.UNKNOWN_TYPE, "call.sentiment")


# "\u0661" is an Arabic-Indic digit one: str.isdigit() says yes, Redis says no.
@pytest.mark.parametrize("sid", ["", "12", "12-", "-3", "a-1", "1-1-1", "\u0661-1"])
def test_a_bad_stream_id_is_refused(sid: str) -> None:
    with pytest.raises(EventError, match="is not <milliseconds>-<sequence>"):
        read_entry(sid, GOOD)


def test_stream_ids_order_numerically_not_as_text() -> None:
    assert StreamId.parse("9-0") < StreamId.parse("10-0") < StreamId.parse("10-2")
    assert str(StreamId(10, 2)) == "10-2"


def test_an_event_built_in_code_must_be_timezone_aware() -> None:
    with pytest.raises(ValueError, match=r"event call\.started: 'at' must be a timezone-aware"):
        CallStarted(at=datetime(2026, 1, 1), call_id="c1")
