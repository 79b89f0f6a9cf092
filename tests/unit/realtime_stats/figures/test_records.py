"""Call and agent records: derived flags, UTC normalisation and refusal of impossible records."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from contract.vocabulary import AgentState
from realtime_stats.figures.records import AgentInterval, CallRecord, IvrStep, RecordError

AMS = ZoneInfo("Europe/Amsterdam")
T0 = datetime(2026, 6, 15, 9, 0, tzinfo=AMS)


def test_outcome_flags_follow_the_timestamps() -> None:
    waiting = CallRecord(call_id="w", entered_at=T0)
    gone = CallRecord(call_id="g", entered_at=T0, ended_at=T0 + timedelta(seconds=12))
    talking = CallRecord(call_id="t", entered_at=T0, answered_at=T0 + timedelta(seconds=8))

    assert (waiting.waiting, waiting.abandoned, waiting.answered) == (True, False, False)
    assert (gone.waiting, gone.abandoned, gone.answered) == (False, True, False)
    assert (talking.waiting, talking.abandoned, talking.answered) == (False, False, True)
    assert gone.wait_seconds() == 12
    assert talking.wait_seconds() == 8
    assert waiting.wait_seconds() is None
    assert waiting.wait_seconds(T0 + timedelta(minutes=2)) == 120


def test_timestamps_are_stored_in_utc() -> None:
    call = CallRecord(
        call_id="c",
        entered_at=T0,
        ivr_steps=(IvrStep("municipality", T0 - timedelta(seconds=20)),),
    )

    assert call.entered_at.tzinfo is UTC
    assert call.entered_at == datetime(2026, 6, 15, 7, 0, tzinfo=UTC)
    assert call.ivr_steps[0].at.tzinfo is UTC


def test_answer_in_the_repeated_october_hour_is_after_entry() -> None:
    # 02:50 CEST then 02:05 CET: the wall clock goes back, real time moves on 15 minutes.
    # Comparing same-zone datetimes by wall clock would wrongly call this impossible.
    entered = datetime(2026, 10, 25, 2, 50, tzinfo=AMS, fold=0)
    answered = datetime(2026, 10, 25, 2, 5, tzinfo=AMS, fold=1)

    call = CallRecord(call_id="dst", entered_at=entered, answered_at=answered, agent_id="a1")

    assert call.wait_seconds() == 15 * 60


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"call_id": ""}, "call_id must not be empty"),
        ({"entered_at": datetime(2026, 6, 15, 9, 0)}, "entered_at must be timezone-aware"),
        ({"answered_at": T0 - timedelta(seconds=1)}, "answered_at is before entered_at"),
        ({"ended_at": T0 - timedelta(seconds=1)}, "ended_at is before entered_at"),
        ({"talk_seconds": 30.0}, "never answered"),
        ({"transferred": True}, "never answered"),
        ({"talk_seconds": -1.0, "answered_at": T0}, "talk_seconds must be a finite number >= 0"),
        ({"after_call_seconds": float("nan"), "answered_at": T0}, "after_call_seconds"),
        ({"answered_at": T0, "transfer_department": "Belastingen"}, "transferred is False"),
        (
            {"ivr_steps": (IvrStep("topic", T0), IvrStep("municipality", T0 - timedelta(1)))},
            "not in time order",
        ),
    ],
)
def test_impossible_calls_are_refused_with_the_field_named(
    fields: dict[str, object], message: str
) -> None:
    values: dict[str, object] = {"call_id": "L-1", "entered_at": T0, **fields}
    with pytest.raises(RecordError, match=message):
        CallRecord(**values)  # type: ignore[arg-type]


def test_agent_interval_overlap_is_clipped_and_open_intervals_run_to_the_window_end() -> None:
    closed = AgentInterval(
        agent_id="a1",
        state=AgentState.TALKING,
        start=T0,
        end=T0 + timedelta(minutes=30),
    )
    still_open = AgentInterval(agent_id="a1", state=AgentState.AVAILABLE, start=T0)
    window = (T0 + timedelta(minutes=10), T0 + timedelta(minutes=60))

    assert closed.seconds_within(*window) == 20 * 60
    assert still_open.seconds_within(*window) == 50 * 60
    assert closed.seconds_within(T0 + timedelta(hours=2), T0 + timedelta(hours=3)) == 0


def test_agent_interval_refuses_impossible_states() -> None:
    with pytest.raises(RecordError, match="pause_reason is only allowed in state PAUSED"):
        AgentInterval(agent_id="a1", state=AgentState.TALKING, start=T0, pause_reason="lunch")
    with pytest.raises(RecordError, match="end is before start"):
        AgentInterval(
            agent_id="a1", state=AgentState.PAUSED, start=T0, end=T0 - timedelta(seconds=1)
        )
    with pytest.raises(RecordError, match="agent_id must not be empty"):
        AgentInterval(agent_id="", state=AgentState.AVAILABLE, start=T0)
