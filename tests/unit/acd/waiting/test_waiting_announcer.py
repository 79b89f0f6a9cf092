"""Tests for the per-caller no-increase rule."""

from __future__ import annotations

from itertools import pairwise

from acd.waiting.announcer import CallerWaitAnnouncer, TellState
from acd.waiting.estimate import NobodyServing, QueueSnapshot, WaitEstimate
from acd.waiting.phrases import spoken_wait


def _snapshot(position: int, serving: int = 3, h: float = 300.0) -> QueueSnapshot:
    return QueueSnapshot(
        position=position, agents_serving=serving, agents_busy=serving, mean_handling_s=h
    )


def _told(announcer: CallerWaitAnnouncer, snapshot: QueueSnapshot) -> WaitEstimate:
    told = announcer.tell(snapshot)
    assert isinstance(told, WaitEstimate)
    return told


def test_nothing_told_at_first() -> None:
    assert CallerWaitAnnouncer().state is TellState.NOTHING_TOLD


def test_first_estimate_is_told_as_computed() -> None:
    announcer = CallerWaitAnnouncer()
    assert _told(announcer, _snapshot(4)).expected_s == 400.0
    assert announcer.state is TellState.TOLD_WAIT


def test_constant_situation_gives_constant_message() -> None:
    announcer = CallerWaitAnnouncer()
    heard = {spoken_wait(_told(announcer, _snapshot(4)).expected_s) for _ in range(30)}
    assert len(heard) == 1


def test_longer_learned_handling_time_does_not_raise_what_was_told() -> None:
    announcer = CallerWaitAnnouncer()
    told = [_told(announcer, _snapshot(5, h=240.0 + 20.0 * step)) for step in range(10)]
    assert all(b.expected_s <= a.expected_s for a, b in pairwise(told))
    assert all(b.high_s <= a.high_s for a, b in pairwise(told))


def test_queue_moving_lowers_the_estimate() -> None:
    announcer = CallerWaitAnnouncer()
    first = _told(announcer, _snapshot(5))
    later = _told(announcer, _snapshot(2))
    assert later.expected_s < first.expected_s


def test_agents_going_off_duty_may_raise_it() -> None:
    announcer = CallerWaitAnnouncer()
    before = _told(announcer, _snapshot(4, serving=4))
    after = _told(announcer, _snapshot(4, serving=2))
    assert after.expected_s == 600.0 > before.expected_s


def test_reference_follows_the_last_announcement() -> None:
    announcer = CallerWaitAnnouncer()
    _told(announcer, _snapshot(6, serving=3))
    _told(announcer, _snapshot(6, serving=4))  # an extra agent: lower
    # Back to three agents: fewer than at the last announcement, a real change.
    assert _told(announcer, _snapshot(6, serving=3)).expected_s == 600.0


def test_caller_put_back_in_the_queue_may_hear_more() -> None:
    announcer = CallerWaitAnnouncer()
    _told(announcer, _snapshot(2))
    assert _told(announcer, _snapshot(4)).expected_s == 400.0


def test_nobody_serving_then_agents_return() -> None:
    announcer = CallerWaitAnnouncer()
    _told(announcer, _snapshot(2))
    nobody = QueueSnapshot(position=2, agents_serving=0, agents_busy=0, mean_handling_s=300.0)
    assert isinstance(announcer.tell(nobody), NobodyServing)
    assert announcer.state is TellState.TOLD_NOBODY_SERVING
    assert _told(announcer, _snapshot(2, serving=1)).expected_s == 600.0
