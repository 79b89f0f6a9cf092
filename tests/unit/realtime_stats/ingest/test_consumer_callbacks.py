"""Callback notes through the consumer on the in-memory stream of test_consumer.py: folded,
stored, and after a restart mid-day the same figures, rebuilt from the store."""

from __future__ import annotations

from datetime import datetime, timedelta

from realtime_stats.figures.callback_metrics import tally_notes_per_department
from realtime_stats.figures.periods import local_day
from realtime_stats.store import Store
from tests.unit.realtime_stats.ingest.test_consumer import (
    FakeStream,
    consumer_for,
    running,
    store,
    stored_up_to,
)
from tests.unit.realtime_stats.ingest.test_fold_callbacks import done, due, noted
from tests.unit.realtime_stats.test_fold_script import T0, Script, folded, stream_fields

__all__ = ["store"]  # test_consumer's fixture, used below

NOON = T0 + timedelta(hours=3)  # 12:00 in Amsterdam


def _clock() -> datetime:
    return NOON


def _notes() -> Script:
    script = Script()
    noted(script, -20 * 3600, "yesterday", due=due(-10))  # open: overdue this morning
    noted(script, 10, "n1")
    done(script, 600, "n1", outcome="called_back")
    noted(script, 20, "n2", due=due(1), department="burgerzaken")
    done(script, 2 * 3600, "n2", department="burgerzaken", outcome="not_reached")  # late
    done(script, 2.5 * 3600, "yesterday", outcome="otherwise")
    done(script, 2.6 * 3600, "unknown-note")  # refused: never noted
    noted(script, 2.7 * 3600, "n3", due=due(30))
    return script


async def test_a_restart_mid_day_shows_the_same_callback_figures(store: Store) -> None:
    script, stream = _notes(), FakeStream()
    crash_at = 4  # yesterday's note and n2 open, n1 done
    for event in script.events[:crash_at]:
        stream.add(event.stream_id, stream_fields(event))
    first = consumer_for(store, stream, clock=_clock)
    async with running(first):
        await stored_up_to(first, script.events[crash_at - 1].stream_id)
    for event in script.events[crash_at:]:
        stream.add(event.stream_id, stream_fields(event))

    second = consumer_for(store, stream, clock=_clock)
    async with running(second):
        await stored_up_to(second, script.events[-1].stream_id)

    whole = folded(script.events)
    assert second.fold.notes() == whole.notes()
    assert second.fold.counts.rejected == 1  # the done of a note never noted
    assert "callback note unknown-note: done, but it was never noted" in second.fold.problems[0]
    today = local_day(T0.date())
    figures = tally_notes_per_department(second.fold.notes(), today, NOON)
    assert figures == tally_notes_per_department(whole.notes(), today, NOON)
    assert figures == tally_notes_per_department(
        store.notes_between(today.start, today.end), today, NOON
    )
    bel, bz = figures["belastingen"], figures["burgerzaken"]
    # Belastingen: n1 and n3 made, n1 and yesterday's note done; n1 due today, in time;
    # n3 open, due tomorrow. Burgerzaken: n2 made, due at 10:00, done at 11:00: late.
    assert (bel.made, bel.done, bel.due, bel.done_in_time, bel.open, bel.overdue) == (
        2, 2, 1, 1, 1, 0
    )  # fmt: skip
    assert (bz.made, bz.done, bz.not_reached, bz.due, bz.late) == (1, 1, 1, 1, 1)
