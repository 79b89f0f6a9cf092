"""Calls from events: each call event's effect on the CallRecord, finality, IVR-only calls."""

from __future__ import annotations

from datetime import timedelta

import pytest

from realtime_stats.figures.records import IvrStep
from realtime_stats.figures.tracked_records import IvrCall, MenuStep
from realtime_stats.ingest.entries import StreamEntry
from realtime_stats.ingest.fold import EventFold
from tests.unit.realtime_stats.test_fold_script import T0, Script, folded


def test_an_answered_call_gets_every_field_from_its_events() -> None:
    script = Script()
    script.answered_call("c1", "anna", 60, wait=12, talk=95, acw=41, recorded=True)

    fold = folded(script.events)
    (call,) = fold.calls()

    assert call.call_id == "c1"
    assert call.entered_at == T0 + timedelta(seconds=60)
    assert (call.topic_id, call.municipality_id) == ("burgerzaken", "haarlem")
    assert call.answered_at == T0 + timedelta(seconds=72)
    assert call.agent_id == "anna"
    assert call.ended_at == T0 + timedelta(seconds=167)
    assert call.talk_seconds == 95
    assert call.after_call_seconds == 41
    assert call.recorded and not call.transferred and not call.fell_back
    assert call.ivr_steps == (
        IvrStep("municipality", T0 + timedelta(seconds=55)),
        IvrStep("topic", T0 + timedelta(seconds=58)),
    )
    tracked = fold.tracked_call("c1")
    assert tracked is not None and tracked.final
    assert tracked.steps[0] == MenuStep("municipality", "1", "chosen", call.ivr_steps[0].at)
    assert fold.ivr_calls() == []  # it queued, so it is no IVR-only call
    assert fold.counts.applied == len(script.events) and fold.problems == ()


def test_an_answered_call_is_final_only_when_its_after_call_work_ends() -> None:
    script = Script()
    script.answered_call("c1", "anna", 60, wait=10, talk=60, acw=30)
    fold = EventFold()
    finalized_by = [e.event.TYPE for e in script.events if "c1" in fold.apply(e).finalized]

    # not at call.ended (after-call work still running), but when the agent is available
    assert finalized_by == ["agent.state"]
    assert script.events[-1].event.state == "available"


def test_an_abandoned_call_is_final_when_it_ends() -> None:
    script = Script()
    script.abandoned_call("c2", 90, wait=31.5)
    fold = EventFold()
    changes = [fold.apply(e) for e in script.events]

    (call,) = fold.calls()
    assert call.abandoned and call.wait_seconds() == 31.5
    assert (call.talk_seconds, call.after_call_seconds, call.agent_id) == (0, 0, None)
    assert [bool(c.finalized) for c in changes] == [False, False, True]


def test_a_warm_transfer_ends_the_talk_time_and_frees_the_agent() -> None:
    script = Script()
    script.add("call.queued", 0, call="c3", topic="belastingen")
    script.add("call.answered", 5, call="c3", agent="bob", position_id="tic2")
    script.state("bob", 5, "talking", "c3")
    script.add(
        "call.transferred", 125, call="c3", agent="bob", department="belastingen", extension="2040"
    )
    script.state("bob", 125, "after_call_work", "c3")
    script.state("bob", 170, "available")
    script.add("call.ended", 600, call="c3", phase="talking", by="caller")
    fold = EventFold()
    changes = [fold.apply(e) for e in script.events]

    (call,) = fold.calls()
    assert call.transferred and call.transfer_department == "belastingen"
    assert call.talk_seconds == 120  # until the transfer, not until the back office hung up
    assert call.after_call_seconds == 45
    assert call.ended_at == T0 + timedelta(seconds=600)
    # the agent was done with it long before; the call is final when the caller hangs up
    assert [bool(c.finalized) for c in changes] == [False] * 6 + [True]


def test_an_agent_who_moves_on_without_wrap_up_finishes_the_call() -> None:
    script = Script()
    for call, at in (("c4", 0), ("c5", 50)):
        script.add("call.queued", at, call=call, topic="afval")
        script.add("call.answered", at + 5, call=call, agent="cem", position_id="tic3")
        script.state("cem", at + 5, "talking", call)
        script.add("call.ended", at + 40, call=call, phase="talking", by="caller")
    fold = EventFold()
    changes = [fold.apply(e) for e in script.events]

    c4, _ = fold.calls()
    assert c4.after_call_seconds == 0 and c4.talk_seconds == 35
    # c4 is final when cem answers c5: cem is no longer handling it
    assert [i for i, c in enumerate(changes) if "c4" in c.finalized] == [5]
    tracked = fold.tracked_call("c5")
    assert tracked is not None and not tracked.final  # cem may still wrap c5 up


def test_a_fallback_call_keeps_its_department() -> None:
    script = Script()
    script.add("call.queued", 0, call="c6", topic="general", fell_back_from="vergunningen")
    (call,) = folded(script.events).calls()
    assert call.fell_back and call.fell_back_from_department == "vergunningen"
    assert call.topic_id == "general" and call.municipality_id is None


def test_a_call_that_ends_in_the_ivr_is_kept_for_the_menu_statistics() -> None:
    script = Script()
    script.add("call.started", 0, call="c7", caller="0231234567", dialled="14023")
    script.add("call.ivr_step", 4, call="c7", node="municipality", digit="", outcome="no_input")
    script.add("call.ivr_step", 9, call="c7", node="municipality", digit="7", outcome="invalid")
    script.add("call.ended", 11, call="c7", phase="ivr", by="caller")
    fold = EventFold()
    changes = [fold.apply(e) for e in script.events]

    assert fold.calls() == []
    assert fold.ivr_calls() == [
        IvrCall(
            call_id="c7",
            started_at=T0,
            steps=(
                MenuStep("municipality", None, "no_input", T0 + timedelta(seconds=4)),
                MenuStep("municipality", "7", "invalid", T0 + timedelta(seconds=9)),
            ),
            ended_at=T0 + timedelta(seconds=11),
            end_phase="ivr",
            ended_by="caller",
        )
    ]
    assert [c.calls for c in changes] == [frozenset({"c7"})] * 4
    assert changes[-1].finalized == {"c7"}


def test_announcements_offers_and_skills_change_no_record() -> None:
    script = Script()
    script.add("call.queued", 0, call="c8", topic="afval")
    before = folded(script.events).calls()
    fold = folded(script.events)
    for type_, extra in (
        ("call.announced", {"position": "2", "wait_text": "u bent nummer 2"}),
        ("call.offered", {"position_id": "tic1"}),
        ("call.not_answered", {"position_id": "tic1", "reason": "no_answer"}),
        ("agent.topics", {"topics": "afval,burgerzaken"}),
    ):
        changes = fold.apply(script.add(type_, 20, call="c8", agent="anna", **extra))
        assert not changes.records_changed and changes.stream_id == script.events[-1].stream_id
    assert fold.calls() == before
    assert fold.counts.applied == 5


def test_an_ivr_step_after_queueing_is_kept_on_the_queued_call() -> None:
    script = Script()
    script.add("call.queued", 0, call="c1", topic="afval")
    script.add("call.ivr_step", 4, call="c1", node="survey", digit="5", outcome="chosen")
    fold = folded(script.events)

    tracked = fold.tracked_call("c1")
    assert tracked is not None
    assert tracked.steps == (MenuStep("survey", "5", "chosen", T0 + timedelta(seconds=4)),)
    assert tracked.record.ivr_steps == (IvrStep("survey", T0 + timedelta(seconds=4)),)
    assert fold.ivr_calls() == []


ANSWER = {"agent": "anna", "position_id": "tic1"}
QUEUED = {"topic": "afval"}
STEP = {"node": "topic", "outcome": "chosen"}
ENDED_IN_IVR = ("call.ended", 2, {"phase": "ivr", "by": "caller"})


@pytest.mark.parametrize(
    ("events", "reason"),
    [
        ([("call.started", 0, {}), ("call.started", 1, {})], "started twice"),
        (
            [("call.started", 0, {}), ENDED_IN_IVR, ("call.ivr_step", 3, STEP)],
            "ivr step after the call ended",
        ),
        ([("call.queued", 0, QUEUED), ("call.queued", 1, QUEUED)], "queued twice"),
        (
            [("call.started", 0, {}), ENDED_IN_IVR, ("call.queued", 3, QUEUED)],
            "queued after it ended in the IVR",
        ),
        (
            [
                ("call.queued", 0, QUEUED),
                ("call.answered", 5, ANSWER),
                ("call.answered", 6, ANSWER),
            ],
            "answered twice",
        ),
        ([ENDED_IN_IVR], "ended but never started"),
    ],
)
def test_an_impossible_call_event_is_skipped_with_its_reason(
    events: list[tuple[str, float, dict[str, str]]], reason: str
) -> None:
    script = Script()
    for type_, seconds, fields in events:
        script.add(type_, seconds, call="c1", **fields)
    fold = folded(script.events)

    last = script.events[-1]
    assert isinstance(last, StreamEntry)
    assert fold.counts.rejected == 1 and fold.counts.applied == len(events) - 1
    assert fold.problems == (f"{last.stream_id} {last.event.TYPE}: call c1: {reason}",)
