"""Today's own figures: time per state from the agent's state changes, a new day at midnight."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from acd.desk.tally import Tally, figures
from contract.vocabulary import AgentState

T = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)


def at(minutes: float) -> datetime:
    return T + timedelta(minutes=minutes)


def test_time_in_each_state_counts_up_to_now() -> None:
    tally = Tally(date(2026, 12, 2)).moved(AgentState.AVAILABLE, at(0))
    tally = tally.moved(AgentState.RINGING, at(10)).moved(AgentState.TALKING, at(10.25))
    tally = tally.moved(AgentState.AFTER_CALL_WORK, at(14.25))
    tally = tally.moved(AgentState.PAUSED, at(15.25))
    counted = figures(tally, at(30.25))
    assert counted["talk_s"] == 240 and counted["after_call_work_s"] == 60
    assert counted["paused_s"] == 900
    assert counted["logged_in_s"] == 30.25 * 60
    assert counted["answered"] == 0 and counted["mean_handling_s"] is None


def test_logged_out_time_is_not_counted_and_a_new_day_starts_at_midnight() -> None:
    tally = Tally(date(2026, 12, 2)).moved(AgentState.AVAILABLE, at(0))
    tally = tally.moved(AgentState.LOGGED_OUT, at(60)).moved(AgentState.AVAILABLE, at(120))
    assert figures(tally, at(180))["logged_in_s"] == 2 * 3600
    midnight = datetime(2026, 12, 2, 23, 0, tzinfo=UTC)  # 00:00 in Haarlem
    tomorrow = tally.next_day(date(2026, 12, 3), midnight)
    assert tomorrow.state is AgentState.AVAILABLE and tomorrow.since == midnight
    assert figures(tomorrow, midnight + timedelta(minutes=5))["logged_in_s"] == 300
    gone = Tally(date(2026, 12, 2)).moved(AgentState.LOGGED_OUT, at(0))
    assert gone.next_day(date(2026, 12, 3), midnight).since is None
