"""What else a restarted controller lost besides its calls: `controller.started` ends its
back-office rings still live (their end unknown) and closes its agents' open states, so
none stays ringing or talking on the board for ever. The agents the new controller
restores publish their state again; that opens a new interval, counted once."""

from __future__ import annotations

from datetime import timedelta

from contract.vocabulary import AgentState, RingKind
from realtime_stats.figures.agent_time import agent_times
from realtime_stats.figures.backoffice_metrics import tally_rings_per_department
from realtime_stats.figures.periods import Period
from realtime_stats.figures.tracked_records import IntervalKey
from realtime_stats.wallboard.snapshot import current_states
from tests.unit.realtime_stats.ingest.test_fold_backoffice import BZ, bo
from tests.unit.realtime_stats.test_fold_script import T0, Script, folded

RESTART = T0 + timedelta(seconds=300)
DAY = Period(T0 - timedelta(hours=1), T0 + timedelta(hours=10))


def rings_at_a_restart() -> Script:
    """A direct call ringing, one talking, one over; a consult ringing, one answered."""
    script = Script()
    bo(script, "ringing", 10, call="ringing")
    bo(script, "ringing", 20, call="talking")
    bo(script, "answered", 25, call="talking")
    bo(script, "ringing", 30, call="over")
    bo(script, "not_answered", 45, call="over", reason="no_answer")
    consult = {"kind": "consult", "agent": "anna", "extension": "311"}
    bo(script, "ringing", 50, call="c1", **consult)
    bo(script, "ringing", 60, call="c2", **consult)
    bo(script, "answered", 64, call="c2", **consult)
    script.add("controller.started", 300)
    return script


def test_a_new_controller_ends_every_ring_still_live_with_its_end_unknown() -> None:
    fold = folded(rings_at_a_restart().events)
    rings = {r.call_id: r for r in fold.rings()}
    for call_id in ("ringing", "talking", "c1"):
        ring = rings[call_id]
        assert (ring.ended_at, ring.ended_by, ring.end_unknown) == (RESTART, None, True)
        assert ring.finished and not ring.ringing
    assert rings["talking"].answered and not rings["ringing"].answered
    for call_id in ("over", "c2"):  # finished before: as they were
        assert rings[call_id].ended_at is None and not rings[call_id].end_unknown
    assert fold.counts.rejected == 0 and fold.problems == ()


def test_a_ring_whose_end_never_came_counts_only_what_is_known_of_it() -> None:
    fold = folded(rings_at_a_restart().events)
    tally = tally_rings_per_department(fold.rings(), DAY, 15)[BZ]
    # The ring never answered has no outcome: not offered, so it bends no reachability.
    assert (tally.direct_offered, tally.direct_answered, tally.direct_fell_back) == (2, 1, 1)
    assert (tally.consults, tally.consults_answered) == (1, 1)


def test_lost_rings_are_forgotten_at_the_day_roll_and_a_second_start_changes_nothing() -> None:
    script = rings_at_a_restart()
    once = folded(script.events).rings()
    script.add("controller.started", 400)
    assert folded(script.events).rings() == once
    fold = folded(script.events)
    fold.forget_before(T0 + timedelta(days=1))
    assert fold.rings() == []


def test_a_camp_on_ring_answered_and_going_on_ends_unknown_too() -> None:
    script = Script()
    bo(script, "ringing", 10, call="w1", kind=RingKind.CAMP_ON.value)
    bo(script, "answered", 14, call="w1", kind=RingKind.CAMP_ON.value)
    script.add("controller.started", 300)
    [ring] = folded(script.events).rings()
    assert (ring.ended_at, ring.end_unknown) == (RESTART, True)


def agents_at_a_restart() -> Script:
    script = Script()
    script.answered_call("done", "anna", 10)  # anna available from 110 on, at tic1
    script.add("call.queued", 200, call="talk", topic="burgerzaken", municipality="haarlem")
    script.add("call.answered", 210, call="talk", agent="bert", position_id="tic2")
    script.state("bert", 210, "talking", "talk", position_id="tic2")
    script.add("call.queued", 100, call="wrap", topic="burgerzaken", municipality="haarlem")
    script.add("call.answered", 120, call="wrap", agent="carl", position_id="tic3")
    script.state("carl", 120, "talking", "wrap", position_id="tic3")
    script.add("call.ended", 250, call="wrap", agent="carl", phase="talking", by="caller")
    script.state("carl", 250, "after_call_work", "wrap", position_id="tic3")
    script.state("dina", 50, "logged_out", position_id="tic4")
    script.add("controller.started", 300)
    return script


def test_a_new_controller_closes_every_open_agent_state() -> None:
    fold = folded(agents_at_a_restart().events)
    open_ones = [i for i in fold.intervals() if i.end is None]
    assert [(i.agent_id, i.state) for i in open_ones] == [("dina", AgentState.LOGGED_OUT)]
    talking = fold.tracked_interval(IntervalKey("bert", T0 + timedelta(seconds=210)))
    assert talking is not None and talking.interval.end == RESTART
    later = T0 + timedelta(hours=1)
    states = current_states(fold.intervals(), later)
    assert {a: s.state for a, s in states.items()} == dict.fromkeys(
        ("anna", "bert", "carl", "dina"), AgentState.LOGGED_OUT
    )
    assert fold.positions() == {}
    assert fold.counts.rejected == 0 and fold.problems == ()


def test_after_call_work_cut_by_a_restart_is_added_to_its_call() -> None:
    fold = folded(agents_at_a_restart().events)
    wrap = fold.tracked_call("wrap")
    assert wrap is not None and wrap.final and not wrap.record.end_unknown
    assert wrap.record.after_call_seconds == 50  # 250 .. 300


def test_an_agent_the_new_controller_restores_is_counted_once() -> None:
    script = agents_at_a_restart()
    # The restore logs anna and bert in again, a moment after `controller.started`;
    # anna publishes the very state she had, bert comes back available.
    script.state("anna", 300, "available", position_id="tic1")
    script.state("bert", 302, "available", position_id="tic2")
    fold = folded(script.events)
    anna = sorted((i for i in fold.intervals() if i.agent_id == "anna"), key=lambda i: i.start)
    assert [(i.state, i.end) for i in anna[-2:]] == [
        (AgentState.AVAILABLE, RESTART),
        (AgentState.AVAILABLE, None),
    ]
    assert fold.positions() == {"anna": "tic1", "bert": "tic2"}
    now = T0 + timedelta(seconds=400)
    times = agent_times(fold.intervals(), DAY, now)
    # anna: ringing 17..20, talking ..80, wrap-up ..110, then available to 400:
    # staffed from 17 to 400, not a second more for the state published twice.
    assert times["anna"].staffed_seconds == 400 - 17
    # bert: talking 210..300 (the restart), then nothing until the restore at 302.
    assert (times["bert"].busy_seconds, times["bert"].staffed_seconds) == (90, 90 + 98)


def test_an_agent_whose_state_began_at_the_restart_is_closed_and_replaced_once() -> None:
    script = Script()
    script.state("anna", 300, "available", position_id="tic1")
    script.add("controller.started", 300)
    fold = folded(script.events)
    [closed] = fold.intervals()
    assert (closed.start, closed.end) == (RESTART, RESTART)
    script.state("anna", 300, "available", position_id="tic1")
    [again] = folded(script.events).intervals()
    assert (again.start, again.end) == (RESTART, None)
