"""The callback-note figures, worked out by hand for a small scenario.

Monday 2026-06-15 in Amsterdam (CEST). The counts in the comments are made by hand from
the notes below, not with the code under test. The wallboard, Prometheus and report
tests import `NOTES`, `MONDAY` and the moments from here.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from contract.vocabulary import CallbackOutcome
from realtime_stats.figures.callback_metrics import (
    CallbackTally,
    callback_figures,
    done_in_time_share,
    stock_moment,
    tally_notes_per_department,
    total,
)
from realtime_stats.figures.callback_records import CallbackNote
from realtime_stats.figures.norms import Norm, NormStatus
from realtime_stats.figures.periods import Period, local_day

AMS = ZoneInfo("Europe/Amsterdam")
MONDAY = date(2026, 6, 15)
BEL, BZ = "belastingen", "burgerzaken"
CALLED, NOT_REACHED, OTHERWISE = (
    CallbackOutcome.CALLED_BACK,
    CallbackOutcome.NOT_REACHED,
    CallbackOutcome.OTHERWISE,
)


def at(day: int, clock: str) -> datetime:
    """June `day`, 2026, at `clock` in Amsterdam (the 15th is the Monday)."""
    hour, minute = (int(p) for p in clock.split(":"))
    return datetime(2026, 6, day, hour, minute, tzinfo=AMS)


def note(
    note_id: str,
    noted: datetime,
    due: datetime,
    done: datetime | None = None,
    outcome: CallbackOutcome | None = None,
    department: str = BEL,
) -> CallbackNote:
    return CallbackNote(
        note_id=note_id,
        department_id=department,
        noted_at=noted,
        due_at=due,
        done_at=done,
        outcome=outcome,
    )


NOW = at(15, "15:00")
NOTES = (
    # due today, done today in time
    note("n1", at(12, "10:00"), at(15, "17:00"), at(15, "09:30"), CALLED),
    # due last Friday, done today: after its due
    note("n2", at(11, "14:00"), at(12, "17:00"), at(15, "10:00"), NOT_REACHED),
    # due today at noon, still open at 15:00: late and overdue
    note("n3", at(12, "15:00"), at(15, "12:00")),
    # made today, due tomorrow, open
    note("n4", at(15, "09:00"), at(16, "17:00")),
    # made today, due tomorrow, done today: judged in tomorrow's figures
    note("n5", at(15, "09:15"), at(16, "17:00"), at(15, "11:00"), OTHERWISE),
    # due today at 17:00, open at 15:00: not judged yet
    note("n6", at(12, "16:00"), at(15, "17:00")),
    # due last Thursday, still open: overdue stock from before today
    note("n7", at(10, "10:00"), at(11, "17:00")),
    # Burgerzaken: due at exactly 15:00 (now), open: not overdue yet
    note("n8", at(15, "08:00"), at(15, "15:00"), department=BZ),
    # Burgerzaken: done at exactly its due moment: in time
    note("n9", at(12, "09:00"), at(15, "10:00"), at(15, "10:00"), CALLED, department=BZ),
)

# n1, n2 and n5 done today; n4, n5 made; n1, n3, n6 due today: n1 in time, n3 late, n6 not
# yet judged; open at 15:00: n3, n4, n6, n7; overdue: n3 (due 12:00), n7 (due Thursday).
BEL_AT_THREE = CallbackTally(
    made=2, done=3, called_back=1, not_reached=1, otherwise=1,
    due=3, done_in_time=1, late=1, open=4, overdue=2,
)  # fmt: skip
# n8 made, n9 done; both due today: n9 in time, n8 due at 15:00 not judged; n8 open.
BZ_AT_THREE = CallbackTally(
    made=1, done=1, called_back=1, due=2, done_in_time=1, late=0, open=1, overdue=0
)


def monday() -> Period:
    return local_day(MONDAY, AMS)


def test_the_departments_at_three_by_hand() -> None:
    tallies = tally_notes_per_department(NOTES, monday(), NOW)
    assert tallies == {BEL: BEL_AT_THREE, BZ: BZ_AT_THREE}
    norm = Norm(target=0.80)
    assert callback_figures(tallies[BEL], norm).done_in_time_share.value == 0.5  # 1 of 2
    assert callback_figures(tallies[BEL], norm).done_in_time_share.status is NormStatus.RED
    bz = callback_figures(tallies[BZ], norm).done_in_time_share
    assert (bz.value, bz.status) == (1.0, NormStatus.GREEN)  # 1 of 1


def test_the_total_sums_the_departments_before_dividing() -> None:
    whole = total(tally_notes_per_department(NOTES, monday(), NOW).values())
    assert whole == CallbackTally(
        made=3, done=4, called_back=2, not_reached=1, otherwise=1,
        due=5, done_in_time=2, late=1, open=5, overdue=2,
    )  # fmt: skip
    share = callback_figures(whole, Norm()).done_in_time_share
    assert share.value is not None and abs(share.value - 2 / 3) < 1e-12
    assert share.status is NormStatus.RED  # 66.7 % is below the amber band 75-80 %


def test_the_day_judged_the_morning_after() -> None:
    # Tuesday 12:00: Monday is over. n6 (due Monday 17:00) is now late too, and n8 (due
    # Monday 15:00, still open). The stock is counted at Monday's end (midnight): n3, n4,
    # n6, n7 open; n3, n6, n7 overdue (n4 is due on Tuesday).
    tallies = tally_notes_per_department(NOTES, monday(), at(16, "12:00"))
    assert (tallies[BEL].done_in_time, tallies[BEL].late) == (1, 2)
    assert (tallies[BEL].open, tallies[BEL].overdue) == (4, 3)
    assert (tallies[BZ].done_in_time, tallies[BZ].late, tallies[BZ].overdue) == (1, 1, 1)
    assert stock_moment(monday(), at(16, "12:00")) == monday().end


def test_a_note_done_the_next_day_stays_late_and_open_at_the_days_end() -> None:
    n6_done_tuesday = note("n6", at(12, "16:00"), at(15, "17:00"), at(16, "09:00"), CALLED)
    notes = [n6_done_tuesday if n.note_id == "n6" else n for n in NOTES]
    tallies = tally_notes_per_department(notes, monday(), at(16, "12:00"))
    assert (tallies[BEL].done_in_time, tallies[BEL].late) == (1, 2)
    assert (tallies[BEL].open, tallies[BEL].done) == (4, 3)  # done on Tuesday, not Monday
    tuesday = tally_notes_per_department(notes, local_day(date(2026, 6, 16), AMS), at(16, "12:00"))
    assert tuesday[BEL].done == 1 and tuesday[BEL].called_back == 1 and tuesday[BEL].late == 0


def test_a_due_moment_at_midnight_belongs_to_the_day_it_ends() -> None:
    midnight = note("m1", at(15, "08:00"), at(16, "00:00"))
    assert tally_notes_per_department([midnight], monday(), NOW)[BEL].due == 1
    tuesday = local_day(date(2026, 6, 16), AMS)
    assert tally_notes_per_department([midnight], tuesday, at(16, "12:00"))[BEL].due == 0


def test_the_days_of_a_week_add_up_to_the_week() -> None:
    later = at(22, "12:00")  # every day of the week is over
    week = Period(local_day(MONDAY - timedelta(days=5), AMS).start, monday().end)
    days = [local_day(MONDAY - timedelta(days=d), AMS) for d in range(5, -1, -1)]
    summed = total(
        t for day in days for t in tally_notes_per_department(NOTES, day, later).values()
    )
    whole = total(tally_notes_per_department(NOTES, week, later).values())
    for name in ("made", "done", "due", "done_in_time", "late"):
        assert getattr(summed, name) == getattr(whole, name), name
    # Wed 10th to Mon 15th: every note made, n1, n2, n5, n9 done; due in the week: all but
    # n4 and n5 (due Tuesday): n1 and n9 in time, n2, n3, n6, n7, n8 late.
    assert (whole.made, whole.done, whole.due) == (9, 4, 7)
    assert (whole.done_in_time, whole.late) == (2, 5)


def test_nothing_to_judge_is_a_dash_and_a_quiet_department_has_no_row() -> None:
    assert done_in_time_share(0, 0) is None
    only_tomorrow = [note("n4", at(15, "09:00"), at(16, "17:00"))]
    tally = tally_notes_per_department(only_tomorrow, monday(), NOW)[BEL]
    assert callback_figures(tally, Norm()).done_in_time_share.value is None
    last_month = [note("old", at(1, "09:00"), at(2, "17:00"), at(2, "10:00"), CALLED)]
    assert tally_notes_per_department(last_month, monday(), NOW) == {}
