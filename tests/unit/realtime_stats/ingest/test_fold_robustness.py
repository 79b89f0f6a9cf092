"""The fold never crashes on a bad event, loses nothing else, and replays idempotently."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest

from contract.events import StreamEvent
from contract.vocabulary import AgentState
from realtime_stats.figures.records import AgentInterval
from realtime_stats.figures.tracked_records import IntervalKey, TrackedInterval
from realtime_stats.ingest.entries import EntryProblem, StreamEntry, UnreadableEntry
from realtime_stats.ingest.fold import EventFold
from realtime_stats.store import FoldSnapshot, StreamId
from tests.unit.realtime_stats.test_fold_script import T0, Script, folded


def _morning() -> Script:
    script = Script()
    script.state("anna", 0, "available")
    script.state("bob", 0, "available")
    script.answered_call("c1", "anna", 60)
    script.answered_call("c2", "bob", 80, wait=25, talk=200, acw=10)
    script.abandoned_call("c3", 100)
    script.add("call.started", 300, call="c4")
    script.add("call.ended", 309, call="c4", phase="closed", by="system")
    return script


def _state(fold: EventFold) -> tuple[object, ...]:
    tracked = [fold.tracked_call(c.call_id) for c in fold.calls()]
    return (tracked, fold.ivr_calls(), fold.intervals(), fold.last_stream_id)


def test_replaying_the_stream_changes_nothing() -> None:
    events = _morning().events
    fold = folded(events)
    before = _state(fold)

    assert all(fold.apply(e).stream_id is None for e in events)
    assert _state(fold) == before
    assert fold.counts.replayed == len(events)
    assert fold.counts.applied == len(events)


@pytest.mark.parametrize("cut", [1, 7, 15, 22])
def test_a_replay_from_an_earlier_point_ends_where_one_pass_ends(cut: int) -> None:
    events = _morning().events
    fold = folded(events[: cut + 5])
    folded(events[cut:], fold)  # the consumer re-read from an older position

    assert _state(fold) == _state(folded(events))


def test_an_unknown_version_is_skipped_and_counted() -> None:
    script = Script()
    event = script.add("call.queued", 0, call="c1", topic="afval", v="2")
    fold = EventFold()
    changes = fold.apply(event)

    assert fold.calls() == [] and changes.stream_id == event.stream_id
    assert fold.counts.unknown_version == 1
    assert fold.problems == (f"{event.stream_id} call.queued: schema version '2' is unknown",)


def test_an_unknown_type_is_ignored_and_counted() -> None:
    script = Script()
    script.add("call.queued", 0, call="c1", topic="afval")
    script.add("call.sentiment", 5, call="c1", score="7")
    fold = folded(script.events)
    assert len(fold.calls()) == 1 and fold.counts.unknown_type == 1
    assert fold.last_stream_id == script.events[-1].stream_id


def test_an_impossible_event_is_skipped_with_its_reason_and_the_rest_goes_on() -> None:
    script = _morning()
    rejected = [
        script.add("call.answered", 400, call="nobody", agent="anna", position_id="tic1"),
        script.add("call.answered", 0, call="c3", agent="anna", position_id="tic1"),  # too early
        script.add("call.ended", 401, call="c1", phase="talking", by="caller"),  # twice
        script.add("agent.state", 1, agent="bob", state="paused"),  # before bob's last state
        script.add("call.transferred", 403, call="c3", agent="anna", department="x"),  # unanswered
    ]
    refused = [  # by the contract, when the entry is read
        script.add("agent.state", 402, agent="anna", state="dancing"),
        script.add("call.queued", 404, topic="afval"),  # no call id
    ]
    bad = rejected + refused
    script.abandoned_call("c9", 500)
    fold = EventFold()
    changes = {e.stream_id: fold.apply(e) for e in script.events}

    assert fold.counts.rejected == len(rejected) and fold.counts.malformed == len(refused)
    assert all(not changes[e.stream_id].records_changed for e in bad)
    assert {c.call_id for c in fold.calls()} == {"c1", "c2", "c3", "c9"}
    good = folded([e for e in script.events if e not in bad])
    assert _state(fold) == _state(good)
    reasons = "\n".join(fold.problems)
    assert "call nobody: call.answered for a call that never queued" in reasons
    assert "answered_at is before entered_at" in reasons
    assert "call c1: ended twice" in reasons
    assert "field 'state' is 'dancing'; allowed: logged_out, available" in reasons
    assert "end is before start" in reasons
    assert "event call.queued: 'call_id' must not be empty" in reasons


def test_only_the_last_reasons_are_kept() -> None:
    script = Script()
    for n in range(5):
        script.add("call.ended", n, call=f"x{n}", phase="ivr", by="caller")  # never started
    fold = folded(script.events, EventFold(keep_problems=2))
    assert fold.counts.rejected == 5
    assert [p.split(":")[1] for p in fold.problems] == [" call x3", " call x4"]


def test_after_call_work_for_an_unknown_call_is_noted_but_the_state_counts() -> None:
    script = Script()
    script.state("anna", 0, "after_call_work", "gone")
    script.state("anna", 30, "available")
    fold = folded(script.events)

    assert [i.state for i in fold.intervals()] == [AgentState.AFTER_CALL_WORK, AgentState.AVAILABLE]
    assert fold.counts.unmatched == 1 and fold.counts.rejected == 0
    assert "after-call work for call gone" in fold.problems[0]


def test_a_malformed_entry_moves_the_position_and_is_counted() -> None:
    fold = EventFold()
    changes = fold.apply(malformed(StreamId(5, 0), "field 'at' is missing"))
    assert changes.stream_id == StreamId(5, 0) and not changes.records_changed
    assert fold.counts.malformed == 1 and fold.problems == ("5-0: field 'at' is missing",)
    assert fold.apply(malformed(StreamId(4, 0), "again")).stream_id is None  # already past it


def malformed(stream_id: StreamId, reason: str) -> UnreadableEntry:
    return UnreadableEntry(stream_id, EntryProblem.MALFORMED, reason)


def test_a_restored_fold_carries_on_as_if_it_never_stopped() -> None:
    events = _morning().events
    cut = 15  # c2 answered, bob talking; c3 still waiting
    first = folded(events[:cut])
    snapshot = FoldSnapshot(
        calls=tuple(c for r in first.calls() if (c := first.tracked_call(r.call_id))),
        ivr_calls=tuple(first.ivr_calls()),
        intervals=tuple(
            t
            for i in first.intervals()
            if (t := first.tracked_interval(IntervalKey(i.agent_id, i.start)))
        ),
        last_stream_id=first.last_stream_id,
    )
    second = EventFold()
    second.restore(snapshot)
    folded(events, second)  # the whole stream again: the first `cut` are replays

    assert _state(second) == _state(folded(events))
    with pytest.raises(RuntimeError, match="empty fold"):
        second.restore(snapshot)


def test_forgetting_a_day_keeps_what_is_still_live() -> None:
    script = _morning()
    script.add("call.queued", 900, call="live", topic="afval")
    fold = folded(script.events)
    fold.forget_before(T0 + timedelta(hours=1))

    assert [c.call_id for c in fold.calls()] == ["live"]
    assert fold.ivr_calls() == []
    assert {(i.agent_id, i.end) for i in fold.intervals()} == {("anna", None), ("bob", None)}


def test_a_restored_day_that_ends_with_a_closed_interval_is_not_reopened() -> None:
    closed = AgentInterval(
        agent_id="anna", state=AgentState.AVAILABLE, start=T0, end=T0 + timedelta(minutes=5)
    )
    fold = EventFold()
    fold.restore(FoldSnapshot(intervals=(TrackedInterval(interval=closed),)))
    script = Script()
    script.state("anna", 600, "available")

    folded(script.events, fold)
    assert fold.intervals() == [
        closed,
        AgentInterval(
            agent_id="anna", state=AgentState.AVAILABLE, start=T0 + timedelta(minutes=10)
        ),
    ]


def test_entries_read_again_count_as_replays_but_malformed_ones() -> None:
    script = Script()
    script.add("call.queued", 0, call="c1", topic="afval", v="2")
    script.add("call.sentiment", 5, call="c1", score="7")
    script.add("call.queued", 6, call="", topic="afval")  # malformed: no call id
    fold = folded(script.events)
    assert (fold.counts.unknown_version, fold.counts.unknown_type) == (1, 1)
    assert fold.counts.malformed == 1

    assert all(fold.apply(e).stream_id is None for e in script.events)
    assert fold.counts.replayed == 2  # the malformed entry was never an event
    assert (fold.counts.unknown_version, fold.counts.unknown_type, fold.counts.malformed) == (
        1,
        1,
        1,
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class CallSentiment(StreamEvent):
    """An event type of a newer contract than this fold was written for."""

    TYPE = "call.sentiment"
    score: int


def test_an_event_class_the_fold_has_no_handler_for_is_an_unknown_type() -> None:
    fold = EventFold()
    changes = fold.apply(StreamEntry(StreamId(7, 0), CallSentiment(at=T0, call_id="c1", score=7)))

    assert changes.stream_id == StreamId(7, 0) and not changes.records_changed
    assert fold.counts.unknown_type == 1 and fold.counts.applied == 0
    assert fold.problems == ()
