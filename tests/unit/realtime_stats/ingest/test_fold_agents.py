"""Agent intervals from consecutive agent.state events."""

from __future__ import annotations

from datetime import datetime, timedelta

from contract.vocabulary import AgentState
from realtime_stats.figures.records import AgentInterval
from realtime_stats.figures.tracked_records import IntervalKey
from realtime_stats.ingest.fold import EventFold
from tests.unit.realtime_stats.test_fold_script import T0, Script, folded


def _t(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def test_consecutive_states_become_closed_intervals_and_one_open() -> None:
    script = Script()
    script.state("anna", 0, "available", position_id="tic1")
    script.state("anna", 30, "paused", reason="break")
    script.state("anna", 930, "available")
    script.state("anna", 931, "logged_out")

    assert folded(script.events).intervals() == [
        AgentInterval(agent_id="anna", state=AgentState.AVAILABLE, start=_t(0), end=_t(30)),
        AgentInterval(
            agent_id="anna",
            state=AgentState.PAUSED,
            start=_t(30),
            end=_t(930),
            pause_reason="break",
        ),
        AgentInterval(agent_id="anna", state=AgentState.AVAILABLE, start=_t(930), end=_t(931)),
        AgentInterval(agent_id="anna", state=AgentState.LOGGED_OUT, start=_t(931)),
    ]


def test_changes_name_the_closed_and_the_opened_interval() -> None:
    script = Script()
    script.state("anna", 0, "available")
    fold = folded(script.events)
    changes = fold.apply(script.state("anna", 12, "ringing", "c1"))

    assert changes.intervals == {IntervalKey("anna", _t(0)), IntervalKey("anna", _t(12))}
    assert changes.agents == {"anna"}
    batch = fold.collect(changes)
    assert [(t.interval.state, t.interval.end, t.call_id) for t in batch.intervals] == [
        (AgentState.AVAILABLE, _t(12), None),
        (AgentState.RINGING, None, "c1"),
    ]
    assert batch.stream_id == changes.stream_id


def test_agents_are_kept_apart() -> None:
    script = Script()
    script.state("anna", 0, "available")
    script.state("bob", 5, "available")
    script.state("anna", 10, "paused", reason="training")

    by_agent = {(i.agent_id, i.state): i.end for i in folded(script.events).intervals()}
    assert by_agent == {
        ("anna", AgentState.AVAILABLE): _t(10),
        ("bob", AgentState.AVAILABLE): None,
        ("anna", AgentState.PAUSED): None,
    }


def test_the_same_state_again_adds_no_interval() -> None:
    script = Script()
    script.state("anna", 0, "available")
    fold = folded(script.events)
    changes = fold.apply(script.state("anna", 40, "available"))
    assert not changes.records_changed
    assert len(fold.intervals()) == 1 and fold.intervals()[0].start == _t(0)


def test_two_states_at_one_instant_leave_no_zero_length_interval() -> None:
    script = Script()
    script.state("anna", 0, "available")
    script.state("anna", 10, "ringing", "c1")
    script.state("anna", 10, "available")  # the offer was withdrawn in the same microsecond

    assert [(i.state, i.start, i.end) for i in folded(script.events).intervals()] == [
        (AgentState.AVAILABLE, _t(0), _t(10)),
        (AgentState.AVAILABLE, _t(10), None),
    ]


def test_pause_reason_is_only_kept_for_paused() -> None:
    script = Script()
    script.state("anna", 0, "available", reason="break")
    (interval,) = folded(script.events).intervals()
    assert interval.pause_reason is None


def test_after_call_work_in_two_parts_adds_up() -> None:
    script = Script()
    script.add("call.queued", 0, call="c1", topic="afval")
    script.add("call.answered", 5, call="c1", agent="anna", position_id="tic1")
    script.state("anna", 5, "talking", "c1")
    script.add("call.ended", 65, call="c1", phase="talking", by="caller")
    script.state("anna", 65, "after_call_work", "c1")
    script.state("anna", 80, "paused", reason="backoffice")
    script.state("anna", 100, "after_call_work", "c1")
    script.state("anna", 110, "available")
    fold = EventFold()
    finalized = [fold.apply(e).finalized for e in script.events]

    (call,) = fold.calls()
    assert call.after_call_seconds == 25
    # the pause in between already counts as moving on: final there, and updated after
    assert [i for i, f in enumerate(finalized) if f] == [5]


def test_each_logged_in_agent_is_at_the_position_of_their_state_events() -> None:
    script = Script()
    script.state("anna", 0, "available", position_id="tic1")
    script.state("bob", 5, "available", position_id="tic2")
    script.state("anna", 30, "paused", reason="break", position_id="tic1")
    script.state("bob", 40, "logged_out", position_id="tic2")  # names the position left
    fold = folded(script.events)
    assert fold.positions() == {"anna": "tic1"}

    script.state("bob", 50, "available", position_id="tic3")
    assert folded(script.events).positions() == {"anna": "tic1", "bob": "tic3"}


def test_a_state_event_without_a_position_leaves_the_agent_at_none() -> None:
    script = Script()
    script.state("anna", 0, "available")
    assert folded(script.events).positions() == {}


def test_intervals_as_they_came_keep_each_in_its_place_and_new_ones_at_the_end() -> None:
    script = Script()
    script.state("anna", 0, "available")
    script.state("bob", 5, "available")
    script.state("anna", 30, "paused", reason="break")
    fold = folded(script.events)
    came = fold.intervals_as_they_came()
    # Grouped by agent, intervals() puts anna's pause before bob; as they came, after him.
    assert [(i.agent_id, i.start) for i in came] == [
        ("anna", _t(0)),
        ("bob", _t(5)),
        ("anna", _t(30)),
    ]
    assert sorted(came, key=lambda i: i.start) == sorted(fold.intervals(), key=lambda i: i.start)
    assert came[0].end == _t(30)  # closed where the pause began, in the place it had open
    fold.forget_before(_t(31))
    assert [(i.agent_id, i.start) for i in fold.intervals_as_they_came()] == [
        ("bob", _t(5)),
        ("anna", _t(30)),
    ]
