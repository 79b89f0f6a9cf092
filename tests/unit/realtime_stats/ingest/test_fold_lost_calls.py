"""Calls a restarted controller lost: `controller.started` ends every call still going on
(waiting, ringing, talking, in the IVR) at its moment, its end unknown; such a call is
no longer live and is counted apart, neither abandoned nor completed. Calls that ended
before it stay exactly as they were."""

from __future__ import annotations

from datetime import timedelta

from realtime_stats.figures.call_tally import tally_call
from realtime_stats.figures.metrics import MetricRules
from realtime_stats.ingest.fold_calls import LOST_PHASE
from tests.unit.realtime_stats.test_fold_script import T0, Script, folded


def restarted_morning() -> Script:
    script = Script()
    script.answered_call("done", "anna", 10)  # over before the restart
    script.add("call.started", 200, call="ivr", caller="0612345678", dialled="14023")
    script.add("call.queued", 210, call="waiting", topic="burgerzaken", municipality="haarlem")
    script.add("call.queued", 220, call="talking", topic="burgerzaken", municipality="haarlem")
    script.add("call.answered", 230, call="talking", agent="bert", position_id="tic2")
    script.state("bert", 230, "talking", "talking", position_id="tic2")
    script.add("controller.started", 300)
    return script


def test_a_new_controller_ends_every_call_going_on_with_its_end_unknown() -> None:
    fold = folded(restarted_morning().events)
    calls = {c.call_id: c for c in fold.calls()}
    assert not calls["done"].end_unknown and calls["done"].ended_at is not None
    for call_id in ("waiting", "talking"):
        call = calls[call_id]
        assert (call.ended_at, call.end_unknown) == (T0 + timedelta(seconds=300), True)
        tracked = fold.tracked_call(call_id)
        assert tracked is not None and tracked.final  # nothing more will come for it
    assert not calls["waiting"].waiting and not calls["waiting"].abandoned
    [ivr] = fold.ivr_calls()
    assert (ivr.call_id, ivr.ended_at, ivr.end_phase) == (
        "ivr", T0 + timedelta(seconds=300), LOST_PHASE,
    )  # fmt: skip
    assert fold.counts.rejected == 0 and fold.problems == ()


def test_a_lost_call_is_counted_apart() -> None:
    fold = folded(restarted_morning().events)
    calls, rules = {c.call_id: c for c in fold.calls()}, MetricRules()
    waiting, talking = tally_call(calls["waiting"], rules), tally_call(calls["talking"], rules)
    assert (waiting.unknown_end, waiting.offered, waiting.abandoned) == (1, 0, 0)
    assert (talking.unknown_end, talking.answered, talking.completed) == (1, 1, 0)
    assert tally_call(calls["done"], rules).unknown_end == 0


def test_a_second_start_changes_nothing_more() -> None:
    script = restarted_morning()
    once = {c.call_id: c for c in folded(script.events).calls()}
    script.add("controller.started", 400)
    twice = {c.call_id: c for c in folded(script.events).calls()}
    assert twice == once


def test_lost_calls_are_forgotten_at_the_day_roll_like_any_finished_call() -> None:
    # Before `controller.started` they never became final, so no day roll dropped them:
    # the fold (and the wallboard's live figures) kept them for good.
    fold = folded(restarted_morning().events)
    fold.forget_before(T0 + timedelta(days=1))
    assert fold.calls() == [] and fold.ivr_calls() == []
