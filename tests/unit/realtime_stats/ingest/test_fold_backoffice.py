"""Back-office rings from `backoffice.*` events: each event, each impossible one, replay,
restore and the day roll."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from contract.vocabulary import RingEndedBy, RingFailure, RingKind
from realtime_stats.figures.backoffice_records import BackOfficeRing, RingKey
from realtime_stats.figures.tracked_records import IntervalKey
from realtime_stats.ingest.entries import ReadEntry
from realtime_stats.ingest.fold import EventFold
from realtime_stats.store import FoldSnapshot
from tests.unit.realtime_stats.ingest.skipped_entry import fold_past_bad_entry
from tests.unit.realtime_stats.test_fold_script import T0, Script, folded

BZ = "burgerzaken"


def bo(
    script: Script,
    type_: str,
    seconds: float,
    *,
    call: str = "d1",
    ring: str = "1",
    extension: str = "301",
    kind: str = "direct",
    department: str = BZ,
    agent: str = "",
    **extra: str,
) -> ReadEntry:
    """A `backoffice.*` event with the fields docs/events.md gives every one of them."""
    return script.add(
        f"backoffice.{type_}",
        seconds,
        call=call,
        agent=agent,
        kind=kind,
        department=department,
        extension=extension,
        ring=ring,
        **extra,
    )


def _state(fold: EventFold) -> tuple[object, ...]:
    tracked = [fold.tracked_call(c.call_id) for c in fold.calls()]
    return (tracked, fold.ivr_calls(), fold.intervals(), fold.rings(), fold.last_stream_id)


def backoffice_morning() -> Script:
    """Direct calls answered, fallen back and left; a TIC call with two consults."""
    script = Script()
    script.state("anna", 0, "available")
    bo(script, "ringing", 10, call="d1", caller="0231234567")
    bo(script, "answered", 18, call="d1")
    bo(script, "ringing", 20, call="d2", extension="302", caller="0237654321")
    bo(script, "not_answered", 35, call="d2", extension="302", reason="no_answer")
    script.add("call.queued", 35, call="d2", topic="algemeen", fell_back_from=BZ)
    bo(script, "ringing", 40, call="d3", caller="")
    bo(script, "not_answered", 46, call="d3", reason="caller_left")
    script.answered_call("c1", "anna", 100, talk=120)
    consult = {"call": "c1", "kind": "consult", "agent": "anna"}
    vergunningen = {"extension": "321", "department": "vergunningen", **consult}
    bo(script, "ringing", 120, **vergunningen)
    bo(script, "not_answered", 130, reason="cancelled", **vergunningen)
    bo(script, "ringing", 135, ring="2", extension="311", department="belastingen", **consult)
    bo(script, "answered", 139, ring="2", extension="311", department="belastingen", **consult)
    bo(script, "ended", 400, call="d1", by="colleague")
    return script


def test_a_direct_call_rings_is_answered_and_hangs_up() -> None:
    script = Script()
    rang = bo(script, "ringing", 10, caller="0231234567")
    answer = bo(script, "answered", 18)
    end = bo(script, "ended", 400, by="caller")
    fold = EventFold()
    changes = [fold.apply(e) for e in script.events]

    assert fold.rings() == [
        BackOfficeRing(
            call_id="d1",
            ring="1",
            kind=RingKind.DIRECT,
            department_id=BZ,
            extension="301",
            rang_at=rang.event.at,
            answered_at=answer.event.at,
            ended_at=end.event.at,
            ended_by=RingEndedBy.CALLER,
        )
    ]
    key = RingKey("d1", "301", "1")
    assert [c.rings for c in changes] == [{key}] * 3
    assert all(c.records_changed and not c.calls for c in changes)
    assert fold.collect(changes[1]).rings == (fold.ring(key),)
    assert fold.calls() == []  # a direct call is no TIC call unless it falls back
    assert fold.counts.applied == 3 and fold.problems == ()


def test_the_morning_folds_into_one_ring_each() -> None:
    fold = folded(backoffice_morning().events)
    rings = {(r.call_id, r.ring): r for r in fold.rings()}

    assert rings["d1", "1"].ring_seconds == 8 and rings["d1", "1"].finished
    fallen = rings["d2", "1"]
    assert fallen.fell_back and fallen.not_answered_reason is RingFailure.NO_ANSWER
    assert fold.tracked_call("d2") is not None
    assert fold.calls()[0].fell_back_from_department == BZ
    assert rings["d3", "1"].caller_left and not rings["d3", "1"].fell_back
    assert rings["c1", "1"].not_answered_reason is RingFailure.CANCELLED
    assert rings["c1", "2"].kind is RingKind.CONSULT and rings["c1", "2"].ring_seconds == 4
    assert fold.counts.rejected == 0 and fold.counts.unknown_type == 0


def _after(events: list[tuple[str, float, dict[str, str]]]) -> Script:
    script = Script()
    for type_, seconds, fields in events:
        bo(script, type_, seconds, **fields)
    return script


RINGING = ("ringing", 10, {})
ANSWERED = ("answered", 18, {})
NO_ANSWER = ("not_answered", 25, {"reason": "no_answer"})
CONSULT_RINGING = ("ringing", 10, {"kind": "consult", "agent": "anna"})
CONSULT_ANSWERED = ("answered", 14, {"kind": "consult", "agent": "anna"})


@pytest.mark.parametrize(
    ("before", "bad", "reason"),
    [
        ([RINGING], ("ringing", 11, {}), "call d1: back-office ring 1 at 301: rang twice"),
        ([], ANSWERED, "ring 1 at 301: backoffice.answered for a ring that never rang"),
        ([RINGING], ("answered", 18, {"extension": "302"}), "ring 1 at 302: .* never rang"),
        ([RINGING, ANSWERED], ("answered", 19, {}), "answered twice"),
        ([RINGING], ("answered", 9, {}), "answered_at is before rang_at"),
        ([RINGING, NO_ANSWER], ("answered", 30, {}), "answered after it ended unanswered"),
        ([RINGING, ANSWERED], NO_ANSWER, "not answered, but it was answered"),
        ([RINGING, NO_ANSWER], NO_ANSWER, "not answered twice"),
        ([RINGING], ("not_answered", 9, {"reason": "busy"}), "not_answered_at is before rang_at"),
        (
            [RINGING],
            ("not_answered", 25, {"reason": "cancelled"}),
            "only a consult can be cancelled",
        ),
        ([RINGING], ("ended", 30, {"by": "caller"}), "ended, but it was never answered"),
        (
            [RINGING, ANSWERED, ("ended", 30, {"by": "caller"})],
            ("ended", 31, {"by": "caller"}),
            "ended twice",
        ),
        ([RINGING, ANSWERED], ("ended", 10, {"by": "caller"}), "ended_at is before answered_at"),
        (
            [CONSULT_RINGING, CONSULT_ANSWERED],
            ("ended", 30, {"kind": "consult", "by": "caller"}),
            "only an answered direct call ends, not a consult",
        ),
        ([RINGING], ("answered", 18, {"kind": "consult"}), "kind 'consult', but it rang as"),
        (
            [RINGING],
            ("answered", 18, {"department": "belastingen"}),
            "department 'belastingen', but it rang as 'burgerzaken'",
        ),
    ],
)
def test_an_impossible_event_is_skipped_whole_and_counted(
    before: list[tuple[str, float, dict[str, str]]],
    bad: tuple[str, float, dict[str, str]],
    reason: str,
) -> None:
    script = _after([*before, bad])
    fold, bad_event = fold_past_bad_entry(script, len(before), _state)
    assert fold.counts.rejected == 1
    assert fold.problems[0].startswith(f"{bad_event.stream_id} {bad_event.event.TYPE}: ")
    assert re.search(reason, fold.problems[0]), fold.problems[0]


# Refused by the contract when the entry is read: the fold counts them as malformed.
@pytest.mark.parametrize(
    ("before", "bad", "reason"),
    [
        (
            [RINGING],
            ("not_answered", 25, {"reason": "lost"}),
            "field 'reason' is 'lost'; allowed: no_answer",
        ),
        ([RINGING], ("not_answered", 25, {}), "field 'reason' is missing"),
        (
            [RINGING, ANSWERED],
            ("ended", 30, {"by": "system"}),
            "field 'by' is 'system'; allowed: caller, colleague",
        ),
        ([], ("ringing", 10, {"kind": "transfer"}), "field 'kind' is 'transfer'; allowed: direct"),
        ([], ("ringing", 10, {"department": ""}), "field 'department' must not be empty"),
        ([], ("ringing", 10, {"ring": "", "extension": ""}), "field 'ring' is missing"),
        ([], ("ringing", 10, {"call": ""}), "backoffice.ringing: 'call_id' must not be empty"),
    ],
)
def test_an_event_the_contract_refuses_is_skipped_whole_and_counted(
    before: list[tuple[str, float, dict[str, str]]],
    bad: tuple[str, float, dict[str, str]],
    reason: str,
) -> None:
    script = _after([*before, bad])
    fold, bad_entry = fold_past_bad_entry(script, len(before), _state)
    assert fold.counts.malformed == 1 and fold.counts.rejected == 0
    sid = bad_entry.stream_id
    assert fold.problems[0].startswith(f"{sid}: stream entry {sid}: ")
    assert re.search(reason, fold.problems[0]), fold.problems[0]


def test_replaying_the_stream_changes_nothing() -> None:
    events = backoffice_morning().events
    fold = folded(events)
    before = _state(fold)

    assert all(fold.apply(e).stream_id is None for e in events)
    assert _state(fold) == before and fold.counts.replayed == len(events)


@pytest.mark.parametrize("cut", [2, 5, 9, 20])
def test_a_replay_from_an_earlier_point_ends_where_one_pass_ends(cut: int) -> None:
    events = backoffice_morning().events
    fold = folded(events[: cut + 4])
    folded(events[cut:], fold)
    assert _state(fold) == _state(folded(events))


def _snapshot(fold: EventFold) -> FoldSnapshot:
    return FoldSnapshot(
        calls=tuple(c for r in fold.calls() if (c := fold.tracked_call(r.call_id))),
        ivr_calls=tuple(fold.ivr_calls()),
        intervals=tuple(
            t
            for i in fold.intervals()
            if (t := fold.tracked_interval(IntervalKey(i.agent_id, i.start)))
        ),
        rings=tuple(fold.rings()),
        last_stream_id=fold.last_stream_id,
    )


def test_a_restored_fold_carries_on_with_its_rings() -> None:
    events = backoffice_morning().events
    cut = 4  # d1 answered (still talking), d2 ringing
    first = folded(events[:cut])
    assert {r.call_id for r in first.rings() if not r.finished} == {"d1", "d2"}

    second = EventFold()
    second.restore(_snapshot(first))
    assert second.rings() == first.rings()
    folded(events, second)  # the whole stream again: the first `cut` are replays

    assert _state(second) == _state(folded(events))
    assert second.counts.rejected == 0  # d2's not_answered and d1's ended found their rings
    with pytest.raises(RuntimeError, match="empty fold"):
        second.restore(_snapshot(first))


def test_restore_refuses_a_fold_that_holds_only_rings() -> None:
    script = Script()
    bo(script, "ringing", 10)
    fold = folded(script.events)
    with pytest.raises(RuntimeError, match="empty fold"):
        fold.restore(FoldSnapshot())


def test_the_day_roll_drops_finished_rings_and_keeps_live_ones() -> None:
    script = backoffice_morning()
    bo(script, "ringing", 500, call="d4")  # still ringing at the roll
    bo(script, "ringing", 510, call="d5")
    bo(script, "answered", 512, call="d5")  # a direct call still talking at the roll
    bo(script, "ringing", 4000, call="d6")  # after the roll
    bo(script, "not_answered", 4010, call="d6", reason="busy")
    fold = folded(script.events)
    fold.forget_before(T0 + timedelta(hours=1))

    assert [r.call_id for r in fold.rings()] == ["d4", "d5", "d6"]
    bo(script, "ended", 4100, call="d5", by="caller")  # its end still finds it
    folded(script.events[-1:], fold)
    assert fold.counts.rejected == 0
    assert fold.ring(RingKey("d5", "301", "1")) is not None
