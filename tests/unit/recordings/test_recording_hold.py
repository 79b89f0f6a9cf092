"""Hold time from the call's timeline, inside the recorded segments only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from recordings.hold import hold_seconds, holds
from recordings.take import Mark, Piece

T0 = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


def at(s: float) -> datetime:
    return T0 + timedelta(seconds=s)


def mark(s: float, kind: str) -> Mark:
    return Mark(at(s), kind, kind)


def piece(start: float, stop: float) -> Piece:
    return Piece(Path("x.raw"), at(start), at(stop))


TIMELINE = (
    mark(0, "call.answered"),
    mark(10, "backoffice.ringing"),  # consult 1: given up at 25
    mark(14, "backoffice.answered"),
    mark(25, "backoffice.ended"),
    mark(40, "backoffice.ringing"),  # consult 2: handed over at 50
    mark(50, "call.transferred"),
)


def test_each_consult_is_a_hold_until_it_ends_or_hands_over() -> None:
    assert holds(TIMELINE) == [(at(10), at(25)), (at(40), at(50))]
    assert hold_seconds(TIMELINE, [piece(0, 60)]) == 25.0


def test_only_the_recorded_part_counts() -> None:
    assert hold_seconds(TIMELINE, [piece(20, 30), piece(45, 60)]) == 10.0
    assert hold_seconds(TIMELINE, [piece(26, 39)]) == 0.0


def test_an_open_hold_a_naive_mark_and_no_consult_count_nothing() -> None:
    open_ended = (mark(10, "backoffice.ringing"),)
    assert holds(open_ended) == []
    naive = (
        Mark(datetime(2026, 12, 3, 9, 0, 10), "backoffice.ringing", "x"),
        mark(20, "call.ended"),
    )
    assert hold_seconds(naive, [piece(0, 60)]) == 0.0
    assert hold_seconds((mark(0, "call.answered"),), [piece(0, 60)]) == 0.0
