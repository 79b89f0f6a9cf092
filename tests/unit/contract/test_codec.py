"""The stream codec: every event type round-trips, and a bad entry is refused by name."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from contract import (
    EVENT_TYPES,
    EventError,
    MemorySink,
    UnknownEventType,
    UnknownVersion,
    decode,
    encode,
)
from contract import events as ev
from contract.vocabulary import (
    AgentState,
    CallbackOutcome,
    CallPhase,
    EndedBy,
    IvrOutcome,
    OfferFailure,
    PauseReason,
    RecordingState,
    RingEndedBy,
    RingFailure,
    RingKind,
)

AT = datetime(2026, 6, 15, 7, 0, 1, 250_000, tzinfo=UTC)
RING = {"kind": RingKind.DIRECT, "department": "vergunningen", "extension": "301", "ring": 2}

ONE_OF_EACH: list[ev.StreamEvent] = [
    ev.CallStarted(at=AT, call_id="c1", caller="0612345678", dialled="14023"),
    ev.CallIvrStep(at=AT, call_id="c1", node="topic", digit="2", outcome=IvrOutcome.CHOSEN),
    ev.CallQueued(at=AT, call_id="c1", topic="burgerzaken", municipality="haarlem"),
    ev.CallAnnounced(at=AT, call_id="c1", position=3, wait_text="U bent nummer 3"),
    ev.CallOffered(at=AT, call_id="c1", agent_id="1001", position_id="tic1"),
    ev.CallNotAnswered(
        at=AT, call_id="c1", agent_id="1001", position_id="tic1", reason=OfferFailure.BUSY
    ),
    ev.CallAnswered(at=AT, call_id="c1", agent_id="1001", position_id="tic1"),
    ev.CallTransferred(
        at=AT, call_id="c1", agent_id="1001", department="vergunningen", extension="301"
    ),
    ev.CallRecording(
        at=AT,
        call_id="c1",
        agent_id="1001",
        state=RecordingState.STARTED,
        extension="tic1",
        segment=1,
    ),
    ev.CallEnded(at=AT, call_id="c1", phase=CallPhase.TALKING, by=EndedBy.AGENT),
    ev.BackOfficeRinging(at=AT, call_id="c2", caller="0231234567", **RING),
    ev.BackOfficeAnswered(at=AT, call_id="c2", **RING),
    ev.BackOfficeNotAnswered(at=AT, call_id="c2", reason=RingFailure.CALLER_LEFT, **RING),
    ev.BackOfficeEnded(at=AT, call_id="c2", by=RingEndedBy.COLLEAGUE, **RING),
    ev.CallbackNoted(
        at=AT,
        call_id="c1",
        agent_id="1001",
        note_id="n1",
        department="belastingen",
        extension="311",
        topic="belastingen",
        due="2026-12-03T16:00:00+00:00",
    ),
    ev.CallbackDone(
        at=AT,
        note_id="n1",
        department="belastingen",
        outcome=CallbackOutcome.NOT_REACHED,
        by="priya",
    ),
    ev.AgentStateChanged(
        at=AT,
        agent_id="1001",
        state=AgentState.PAUSED,
        reason=PauseReason.TRAINING,
        position_id="tic2",
    ),
    ev.AgentTopicsChanged(at=AT, agent_id="1001", topics=("afval", "burgerzaken")),
    ev.ControllerStarted(at=AT),
]


def test_the_examples_cover_every_type() -> None:
    assert sorted(e.TYPE for e in ONE_OF_EACH) == sorted(EVENT_TYPES)


@pytest.mark.parametrize("event", ONE_OF_EACH, ids=lambda e: e.TYPE)
def test_every_type_round_trips_through_strings(event: ev.StreamEvent) -> None:
    entry = encode(event)
    assert all(isinstance(v, str) for v in entry.values())
    assert (entry["v"], entry["type"]) == ("1", event.TYPE)
    assert decode(entry) == event


def test_the_entry_is_flat_and_spelled_as_docs_events_md() -> None:
    state = ev.AgentStateChanged(at=AT, agent_id="1001", state=AgentState.AVAILABLE)
    assert encode(state) == {
        "v": "1",
        "type": "agent.state",
        "at": "2026-06-15T07:00:01.250000+00:00",
        "call_id": "",
        "agent_id": "1001",
        "state": "available",
        "reason": "",
        "position_id": "",
    }
    topics = ev.AgentTopicsChanged(at=AT, agent_id="1", topics=("a", "b"))
    assert encode(topics)["topics"] == "a,b"


def test_times_are_kept_in_utc_whatever_zone_they_come_in() -> None:
    summer = timezone(timedelta(hours=2))
    event = ev.CallStarted(at=AT.astimezone(summer), call_id="c1")
    assert event.at.tzinfo is UTC and event.at == AT
    assert encode(event)["at"].endswith("+00:00")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"v": ""}, "field 'v' is missing or empty"),
        ({"at": "yesterday"}, "field 'at' is not an ISO 8601 time with a UTC offset"),
        ({"at": "2026-06-15T07:00:00"}, "field 'at' is not an ISO 8601 time with a UTC offset"),
        ({"call_id": ""}, "event call.announced: 'call_id' must not be empty"),
        ({"position": "third"}, "call.announced: field 'position' is not a whole number"),
        ({"position": ""}, "call.announced: field 'position' is missing"),
        ({"wait_text": ""}, "event call.announced: field 'wait_text' must not be empty"),
        # Found by the property tests: these escaped as a bare ValueError or OverflowError.
        ({"position": "--5"}, "call.announced: field 'position' is not a whole number"),
        ({"position": "1" * 5000}, "field 'position' is not a whole number: '1111"),
        ({"at": "0001-01-01T00:00:00+01:00"}, "field 'at' is out of range in UTC"),
        ({"at": "9999-12-31T23:59:59-01:00"}, "field 'at' is out of range in UTC"),
    ],
)
def test_a_bad_entry_is_refused_naming_the_field(change: dict[str, str], message: str) -> None:
    entry = encode(ev.CallAnnounced(at=AT, call_id="c1", position=1, wait_text="U bent de eerste"))
    with pytest.raises(EventError) as raised:
        decode({**entry, **change})
    assert message in str(raised.value)


def test_an_unknown_enum_value_is_refused_with_what_is_allowed() -> None:
    entry = encode(ev.CallEnded(at=AT, call_id="c1", phase=CallPhase.QUEUE, by=EndedBy.CALLER))
    with pytest.raises(EventError, match=r"field 'by' is 'nobody'; allowed: caller, agent, system"):
        decode({**entry, "by": "nobody"})


def test_a_missing_field_without_a_default_is_refused() -> None:
    entry = encode(ev.CallIvrStep(at=AT, call_id="c1", node="topic", outcome=IvrOutcome.PLAYED))
    del entry["outcome"]
    with pytest.raises(EventError, match=r"call.ivr_step: field 'outcome' is missing"):
        decode(entry)


def test_unknown_versions_and_types_are_told_apart() -> None:
    entry = encode(ev.CallStarted(at=AT, call_id="c1"))
    with pytest.raises(UnknownVersion, match=r"schema version '2' is unknown; known: 1"):
        decode({**entry, "v": "2"})
    with pytest.raises(UnknownEventType) as raised:
        decode({**entry, "type": "call.parked"})
    assert raised.value.type_name == "call.parked"


def test_fields_a_reader_does_not_know_are_ignored() -> None:
    entry = {**encode(ev.CallStarted(at=AT, call_id="c1")), "carrier": "kpn"}
    assert decode(entry) == ev.CallStarted(at=AT, call_id="c1")


def test_a_field_left_out_takes_its_default() -> None:
    entry = encode(ev.CallQueued(at=AT, call_id="c1", topic="afval"))
    del entry["municipality"], entry["fell_back_from"]
    assert decode(entry) == ev.CallQueued(at=AT, call_id="c1", topic="afval")


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: ev.CallStarted(at=AT.replace(tzinfo=None), call_id="c"), "timezone-aware"),
        (lambda: ev.CallOffered(at=AT, call_id="c", position_id="tic1"), "'agent_id' must not"),
        (lambda: ev.CallAnnounced(at=AT, call_id="c", position="1", wait_text="x"), "whole"),
        (lambda: ev.CallEnded(at=AT, call_id="c", phase="queue", by=EndedBy.CALLER), "CallPhase"),
        (lambda: ev.AgentTopicsChanged(at=AT, agent_id="1", topics=("a,b",)), "may not hold"),
        (lambda: ev.AgentTopicsChanged(at=AT, agent_id="1", topics=["a"]), "tuple of"),
    ],
)
def test_the_writer_cannot_make_an_event_the_reader_would_refuse(
    make: object, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        make()  # type: ignore[operator]


def test_an_agent_without_topics_reads_back_without_topics() -> None:
    # Found by the property tests: () was written as "" and read back as "missing".
    event = ev.AgentTopicsChanged(at=AT, agent_id="1001", topics=())
    assert decode(encode(event)) == event


def test_an_optional_text_given_empty_is_none_as_the_reader_reads_it() -> None:
    # Found by the property tests: "" was written as "" and read back as None.
    event = ev.CallIvrStep(at=AT, call_id="c1", node="menu", digit="", outcome=IvrOutcome.PLAYED)
    assert event.digit is None
    assert decode(encode(event)) == event


def test_the_memory_sink_keeps_events_and_their_entries_in_order() -> None:
    sink = MemorySink()
    for event in ONE_OF_EACH[:3]:
        sink.publish(event)
    assert sink.types == ["call.started", "call.ivr_step", "call.queued"]
    assert sink.of_type(ev.CallQueued) == [ONE_OF_EACH[2]]
    assert [decode(entry) for entry in sink.entries] == ONE_OF_EACH[:3]
