"""Callback notes from `callback.*` events: each event, each impossible one, replay, restore
and the day roll."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from contract.vocabulary import CallbackOutcome
from realtime_stats.figures.callback_records import CallbackNote
from realtime_stats.ingest.entries import ReadEntry
from realtime_stats.ingest.fold import EventFold
from realtime_stats.store import FoldSnapshot
from tests.unit.realtime_stats.ingest.skipped_entry import fold_past_bad_entry
from tests.unit.realtime_stats.test_fold_script import T0, Script, folded

BEL = "belastingen"
HOUR = 3600


def due(hours: float) -> str:
    """A `due` field: `hours` after T0, as the controller writes it."""
    return (T0 + timedelta(hours=hours)).isoformat()


def noted(script: Script, seconds: float, note: str = "n1", **extra: str) -> ReadEntry:
    """A `callback.noted` with the fields docs/events.md gives it; `extra` overrides."""
    fields = {"call": "c1", "agent": "anna", "note_id": note, "department": BEL}
    fields |= {"extension": "311", "topic": "belastingen", "due": due(8)}
    return script.add("callback.noted", seconds, **(fields | extra))


def done(script: Script, seconds: float, note: str = "n1", **extra: str) -> ReadEntry:
    fields = {"note_id": note, "department": BEL, "outcome": "called_back", "by": "priya"}
    return script.add("callback.done", seconds, **(fields | extra))


def notes_morning() -> Script:
    """Three notes: one done in time, one done late, one still open; and a call between."""
    script = Script()
    noted(script, 10, "n1")
    noted(script, 20, "n2", due=due(1), department="burgerzaken", extension="", topic="")
    script.answered_call("c2", "anna", 60)
    noted(script, 300, "n3", call="c2")
    done(script, 1800, "n1", outcome="not_reached")
    done(script, 2 * HOUR, "n2", department="burgerzaken", outcome="otherwise")
    return script


def _state(fold: EventFold) -> tuple[object, ...]:
    return (fold.notes(), fold.calls(), fold.intervals(), fold.rings(), fold.last_stream_id)


def test_a_note_is_noted_and_done_without_personal_data() -> None:
    script = Script()
    made = noted(script, 10)
    closed = done(script, 1800, outcome="not_reached")
    fold = EventFold()
    changes = [fold.apply(e) for e in script.events]

    assert fold.notes() == [
        CallbackNote(
            note_id="n1",
            department_id=BEL,
            extension="311",
            topic_id="belastingen",
            noted_at=made.event.at,
            due_at=T0 + timedelta(hours=8),
            done_at=closed.event.at,
            outcome=CallbackOutcome.NOT_REACHED,
        )
    ]
    # Neither the call, the writer nor the login that closed it is kept.
    kept = {name for name in CallbackNote.__dataclass_fields__}
    assert not kept & {"call_id", "agent_id", "by", "caller"}
    assert [c.notes for c in changes] == [{"n1"}] * 2
    assert all(c.records_changed and not c.calls for c in changes)
    assert fold.collect(changes[1]).notes == (fold.notes()[0],)
    assert fold.calls() == [] and fold.counts.applied == 2 and fold.problems == ()


def test_the_morning_folds_into_one_note_each() -> None:
    fold = folded(notes_morning().events)
    by_id = {n.note_id: n for n in fold.notes()}

    assert by_id["n1"].done_in_time_by(T0 + timedelta(hours=9))
    late = by_id["n2"]
    assert (late.extension, late.topic_id) == (None, None)  # for the whole department
    assert late.done and not late.done_in_time_by(T0 + timedelta(hours=9))
    assert not by_id["n3"].done and fold.calls()[0].call_id == "c2"
    assert fold.counts.rejected == 0 and fold.counts.unknown_type == 0


NOTED = ("noted", 10, {})
DONE = ("done", 1800, {})


def _script(events: list[tuple[str, float, dict[str, str]]]) -> Script:
    script = Script()
    for kind, seconds, extra in events:
        (noted if kind == "noted" else done)(script, seconds, **extra)
    return script


@pytest.mark.parametrize(
    ("before", "bad", "reason"),
    [
        ([], DONE, "callback note n1: done, but it was never noted"),
        ([NOTED], ("noted", 20, {"due": due(30)}), "callback note n1: noted twice"),
        ([NOTED, DONE], ("done", 1900, {}), "callback note n1: done twice"),
        (
            [NOTED],
            ("done", 1800, {"department": "burgerzaken"}),
            "department 'burgerzaken', but it was noted for 'belastingen'",
        ),
        ([NOTED], ("done", 5, {}), "CallbackNote n1: done_at is before noted_at"),
        ([], ("noted", 10, {"due": "tomorrow"}), "due 'tomorrow' is not an ISO 8601 time"),
        ([], ("noted", 10, {"due": "2026-06-15T17:00:00"}), "has no time zone"),
    ],
)
def test_an_impossible_event_is_skipped_whole_and_counted(
    before: list[tuple[str, float, dict[str, str]]],
    bad: tuple[str, float, dict[str, str]],
    reason: str,
) -> None:
    script = _script([*before, bad])
    fold, bad_event = fold_past_bad_entry(script, len(before), _state)
    assert fold.counts.rejected == 1
    assert fold.problems[0].startswith(f"{bad_event.stream_id} {bad_event.event.TYPE}: ")
    assert re.search(reason, fold.problems[0]), fold.problems[0]


def test_a_duplicate_noted_event_keeps_the_first_and_counts_the_note_once() -> None:
    script = Script()
    noted(script, 10)
    noted(script, 20, due=due(30))
    fold = folded(script.events)
    assert len(fold.notes()) == 1 and fold.notes()[0].due_at == T0 + timedelta(hours=8)
    assert fold.counts.rejected == 1 and "noted twice" in fold.problems[0]


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        (("done", 1800, {"outcome": "forgot"}), "field 'outcome' is 'forgot'; allowed: called"),
        (("noted", 10, {"agent": ""}), "callback.noted: 'agent_id' must not be empty"),
        (("noted", 10, {"note_id": ""}), "field 'note_id' must not be empty"),
        (("noted", 10, {"due": ""}), "field 'due' must not be empty"),
    ],
)
def test_an_event_the_contract_refuses_is_skipped_and_counted_as_malformed(
    bad: tuple[str, float, dict[str, str]], reason: str
) -> None:
    script = _script([NOTED, bad])
    fold = EventFold()
    changes = [fold.apply(e) for e in script.events]

    sid = script.events[1].stream_id
    assert fold.counts.malformed == 1 and fold.counts.rejected == 0
    assert changes[1].stream_id == sid and not changes[1].records_changed
    assert re.search(reason, fold.problems[0]), fold.problems[0]
    assert [n.done for n in fold.notes()] == [False]


def test_replaying_the_stream_changes_nothing() -> None:
    events = notes_morning().events
    fold = folded(events)
    before = _state(fold)

    assert all(fold.apply(e).stream_id is None for e in events)
    assert _state(fold) == before and fold.counts.replayed == len(events)


def test_a_restored_fold_finds_the_notes_its_done_events_close() -> None:
    events = notes_morning().events
    cut = len(events) - 2  # n1 and n2 noted, not yet done
    first = folded(events[:cut])
    snapshot = FoldSnapshot(
        calls=tuple(c for r in first.calls() if (c := first.tracked_call(r.call_id))),
        notes=tuple(first.notes()),
        last_stream_id=first.last_stream_id,
    )
    second = EventFold()
    second.restore(snapshot)
    folded(events, second)  # the whole stream again: the first `cut` are replays

    assert second.notes() == folded(events).notes()
    assert second.counts.rejected == 0  # both done events found their notes
    with pytest.raises(RuntimeError, match="empty fold"):
        second.restore(snapshot)


def test_restore_refuses_a_fold_that_holds_only_notes() -> None:
    fold = folded(_script([NOTED]).events)
    with pytest.raises(RuntimeError, match="empty fold"):
        fold.restore(FoldSnapshot())


def test_the_day_roll_keeps_open_notes_and_those_the_new_day_still_counts() -> None:
    script = Script()
    noted(script, 10, "done-yesterday", due=due(8))
    done(script, 600, "done-yesterday")
    noted(script, 20, "due-today", due=due(30))
    done(script, 700, "due-today")  # done early: judged in the day it is due
    noted(script, 30, "open-overdue", due=due(1))
    fold = folded(script.events)
    fold.forget_before(T0 + timedelta(hours=20))

    assert sorted(n.note_id for n in fold.notes()) == ["due-today", "open-overdue"]
    done(script, 25 * HOUR, "open-overdue")  # its done still finds it
    folded(script.events[-1:], fold)
    assert fold.counts.rejected == 0
