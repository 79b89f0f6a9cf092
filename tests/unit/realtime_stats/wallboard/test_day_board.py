"""The kept board (`DayBoard`, `KeptSnapshot`) gives exactly the JSON of a fresh pass.

The property test drives one `KeptSnapshot` through random days, as the event fold would
hand them out: calls put and replaced by newer versions, dropped now and then, agents
changing state (the open interval closed where the next starts), the clock moving on,
over local midnight (the day before must leave the board), across the clock changes,
and sometimes back. After every step its JSON must equal `board_snapshot`'s.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contract.vocabulary import AgentState, CallbackOutcome
from realtime_stats.figures.callback_records import CallbackNote
from realtime_stats.figures.records import AgentInterval, CallRecord
from realtime_stats.wallboard.day_board import DayBoard
from realtime_stats.wallboard.feed import BoardInputs
from realtime_stats.wallboard.kept_snapshot import KeptSnapshot
from realtime_stats.wallboard.snapshot import board_snapshot
from site_config import SiteConfig, load_site_config

SAMPLE = Path(__file__).resolve().parents[4] / "config" / "site.yaml"
AMS = ZoneInfo("Europe/Amsterdam")
# An ordinary day, the 25-hour day of October and the 23-hour day of March: each run
# starts at 22:00 the evening before, so midnight comes in most runs.
EVENINGS = [
    datetime(2026, 12, 2, 22, 0, tzinfo=AMS),
    datetime(2026, 10, 24, 22, 0, tzinfo=AMS),
    datetime(2027, 3, 27, 22, 0, tzinfo=AMS),
]
AGENTS = ["1001", "1002", "1003", "9999"]
TOPICS = [None, "burgerzaken", "belastingen", "elders"]
MUNICIPALITIES = [None, "haarlem", "zandvoort"]


@pytest.fixture(scope="module")
def site() -> SiteConfig:
    return load_site_config(SAMPLE)


def dump(snapshot: dict[str, Any]) -> str:
    return json.dumps(snapshot, separators=(",", ":"), allow_nan=False)


seconds = st.floats(min_value=0, max_value=900, allow_nan=False, allow_infinity=False)


@st.composite
def call_at(draw: st.DrawFn, call_id: str, entered: datetime) -> CallRecord:
    """A call in any state: waiting, answered and talking, ended, abandoned, lost track of."""
    wait = timedelta(seconds=draw(seconds))
    answered = draw(st.booleans())
    ended = draw(st.booleans())
    talk = timedelta(seconds=draw(seconds))
    answered_at = entered + wait if answered else None
    ended_at = (
        (answered_at or entered + wait) + (talk if answered else timedelta()) if ended else None
    )
    transferred = answered and ended and draw(st.booleans())
    return CallRecord(
        call_id=call_id,
        entered_at=entered,
        municipality_id=draw(st.sampled_from(MUNICIPALITIES)),
        topic_id=draw(st.sampled_from(TOPICS)),
        answered_at=answered_at,
        ended_at=ended_at,
        agent_id=draw(st.sampled_from(AGENTS)) if answered else None,
        talk_seconds=talk.total_seconds() if answered and ended else 0.0,
        after_call_seconds=draw(seconds) if answered and ended else 0.0,
        transferred=transferred,
        fell_back_from_department="burgerzaken" if draw(st.booleans()) else None,
        recorded=draw(st.booleans()),
        end_unknown=ended and draw(st.integers(0, 5)) == 0,
    )


class Day:
    """The records as the fold would hold them, handed out as `BoardInputs`."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self.calls: dict[str, CallRecord] = {}
        self.intervals: list[AgentInterval] = []
        self.notes: dict[str, CallbackNote] = {}
        self._last: BoardInputs | None = None

    def inputs(self) -> BoardInputs:
        calls, intervals = tuple(self.calls.values()), tuple(self.intervals)
        if self._last is not None and calls == self._last.calls:
            calls = self._last.calls  # unchanged: the feed may hand out the same tuple
        self._last = BoardInputs(
            calls=calls,
            intervals=intervals,
            callback_notes=tuple(self.notes.values()),
            now=self.now,
        )
        return self._last

    def agent_state(self, agent: str, state: AgentState, start: datetime) -> None:
        open_ = [i for i in self.intervals if i.agent_id == agent and i.end is None]
        start = max([start, *(i.start for i in open_)])
        self.intervals = [
            replace(i, end=start) if i.agent_id == agent and i.end is None else i
            for i in self.intervals
        ]
        reason = "break" if state is AgentState.PAUSED else None
        self.intervals.append(
            AgentInterval(agent_id=agent, state=state, start=start, pause_reason=reason)
        )


def step(draw: st.DrawFn, day: Day, number: int) -> None:
    kind = draw(
        st.sampled_from(["call", "call", "again", "agent", "agent", "clock", "drop", "note"])
    )
    offset = timedelta(seconds=draw(st.floats(min_value=-7200, max_value=600)))
    if kind == "call" or (kind == "again" and not day.calls):
        call_id = f"c{number}"
        day.calls[call_id] = draw(call_at(call_id, day.now + offset))
    elif kind == "again":  # a newer version of a call: the fold replaces the record
        old = day.calls[draw(st.sampled_from(sorted(day.calls)))]
        day.calls[old.call_id] = draw(call_at(old.call_id, old.entered_at))
    elif kind == "agent":
        state = draw(st.sampled_from(list(AgentState)))
        day.agent_state(draw(st.sampled_from(AGENTS)), state, day.now + offset)
    elif kind == "clock":  # on, or now and then back (a test's clock; the fold's never)
        back = draw(st.integers(0, 3)) == 0
        moved = timedelta(seconds=draw(st.floats(min_value=0, max_value=4 * 3600)))
        day.now = day.now - moved / 4 if back else day.now + moved
    elif kind == "drop" and day.calls:  # the day roll drops finished calls of the day before
        del day.calls[draw(st.sampled_from(sorted(day.calls)))]
    elif kind == "note":
        noted = day.now + offset
        done = draw(st.booleans())
        day.notes[f"n{number}"] = CallbackNote(
            note_id=f"n{number}",
            department_id=draw(st.sampled_from(["burgerzaken", "belastingen", "elders"])),
            noted_at=noted,
            due_at=noted + timedelta(hours=draw(st.floats(min_value=0, max_value=30))),
            done_at=noted + timedelta(minutes=5) if done else None,
            outcome=CallbackOutcome.CALLED_BACK if done else None,
        )


@given(data=st.data())
def test_the_kept_board_is_the_board_computed_afresh(site: SiteConfig, data: st.DataObject) -> None:
    evening = data.draw(st.sampled_from(EVENINGS))
    day = Day(evening + timedelta(minutes=data.draw(st.integers(0, 180))))
    kept = KeptSnapshot(site)
    for number in range(data.draw(st.integers(1, 40))):
        step(data.draw, day, number)
        inputs = day.inputs()
        assert dump(kept.snapshot(inputs)) == dump(board_snapshot(site, inputs))


def _call(call_id: str, entered: datetime, **extra: Any) -> CallRecord:
    return CallRecord(
        call_id=call_id,
        entered_at=entered,
        answered_at=entered + timedelta(seconds=12),
        ended_at=entered + timedelta(seconds=200),
        agent_id="1001",
        talk_seconds=188.0,
        after_call_seconds=30.0,
        **extra,
    )


def test_a_call_of_yesterday_leaves_the_board_at_midnight(site: SiteConfig) -> None:
    evening = datetime(2026, 12, 2, 23, 50, tzinfo=AMS)
    calls = (_call("late", evening, topic_id="burgerzaken"),)
    kept = KeptSnapshot(site)
    before = kept.snapshot(BoardInputs(calls=calls, now=evening + timedelta(minutes=5)))
    after = kept.snapshot(BoardInputs(calls=calls, now=evening + timedelta(minutes=15)))
    assert (before["day"], before["totals"]["offered"], len(before["trend"])) == (
        "2026-12-02",
        1,
        1,  # the half hour from 23:30
    )
    assert (after["day"], after["totals"]["offered"]) == ("2026-12-03", 0)
    assert [row["offered"] for row in after["topics"]] == [0] * len(site.topics)
    assert after["trend"] == [] or all(row["offered"] == 0 for row in after["trend"])


def test_records_it_cannot_follow_are_computed_afresh(site: SiteConfig) -> None:
    now = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)
    call = _call("twice", now - timedelta(minutes=30))
    inputs = BoardInputs(calls=(call, call), now=now)  # the fold never hands out one twice
    assert DayBoard(site).figures(inputs) is None
    snapshot = KeptSnapshot(site).snapshot(inputs)
    assert snapshot == board_snapshot(site, inputs)
    assert snapshot["totals"]["offered"] == 2


def test_a_replaced_record_counts_once_in_its_newest_version(site: SiteConfig) -> None:
    now = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)
    entered = now - timedelta(minutes=30)
    waiting = CallRecord(call_id="c", entered_at=entered, topic_id="belastingen")
    kept = KeptSnapshot(site)
    first = kept.snapshot(BoardInputs(calls=(waiting,), now=now))
    second = kept.snapshot(
        BoardInputs(calls=(_call("c", entered, topic_id="belastingen"),), now=now)
    )
    assert (first["totals"]["waiting"], first["totals"]["offered"]) == (1, 0)
    assert (
        second["totals"]["waiting"],
        second["totals"]["answered"],
        second["totals"]["talk_s"],
    ) == (
        0,
        1,
        188.0,
    )
