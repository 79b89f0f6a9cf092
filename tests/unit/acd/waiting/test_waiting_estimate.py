"""Tests for the expected-wait model."""

from __future__ import annotations

import math

import pytest

from acd.waiting.estimate import (
    NobodyServing,
    QueueSnapshot,
    WaitEstimate,
    expected_wait,
    residual_s,
)


def _snapshot(
    *,
    position: int = 3,
    serving: int = 3,
    busy: int = 3,
    h: float = 300.0,
    cv: float = 1.0,
    busy_for: tuple[float, ...] | None = None,
) -> QueueSnapshot:
    return QueueSnapshot(
        position=position,
        agents_serving=serving,
        agents_busy=busy,
        mean_handling_s=h,
        handling_cv=cv,
        busy_for_s=busy_for,
    )


def _wait(snapshot: QueueSnapshot) -> WaitEstimate:
    estimate = expected_wait(snapshot)
    assert isinstance(estimate, WaitEstimate)
    return estimate


@pytest.mark.parametrize(("position", "serving"), [(1, 1), (3, 3), (7, 4), (12, 20)])
def test_without_elapsed_times_it_is_k_h_over_s(position: int, serving: int) -> None:
    estimate = _wait(_snapshot(position=position, serving=serving, busy=serving, h=240.0))
    assert estimate.expected_s == pytest.approx(position * 240.0 / serving)


def test_nobody_serving_is_its_own_outcome() -> None:
    assert isinstance(expected_wait(_snapshot(serving=0, busy=0)), NobodyServing)


def test_free_agent_means_no_wait() -> None:
    estimate = _wait(_snapshot(position=1, serving=3, busy=2))
    assert estimate.expected_s == 0.0


def test_free_agents_take_callers_ahead_first() -> None:
    # Position 3 with one free agent needs two departures among 3 agents.
    estimate = _wait(_snapshot(position=3, serving=3, busy=2, h=300.0))
    assert estimate.expected_s == pytest.approx(2 * 300.0 / 3)


def test_memoryless_calls_ignore_elapsed_time() -> None:
    known = _wait(_snapshot(busy_for=(10.0, 250.0, 600.0), cv=1.0))
    unknown = _wait(_snapshot(cv=1.0))
    assert known.expected_s == pytest.approx(unknown.expected_s)


def test_fixed_length_calls_subtract_elapsed_time() -> None:
    # One agent, calls of exactly 300 s, busy for 200 s: the caller is next after 100 s.
    estimate = _wait(_snapshot(position=1, serving=1, busy=1, cv=0.0, busy_for=(200.0,)))
    assert estimate.expected_s == pytest.approx(100.0)


@pytest.mark.parametrize("cv", [0.0, 0.4, 0.8, 1.0, 1.6])
def test_estimate_never_rises_as_time_passes_without_a_state_change(cv: float) -> None:
    starts = (0.0, 40.0, 170.0, 260.0)
    previous = math.inf
    for now in range(0, 1200, 20):
        busy_for = tuple(now + s for s in starts)
        estimate = _wait(_snapshot(position=5, serving=4, busy=4, cv=cv, busy_for=busy_for))
        assert estimate.expected_s <= previous + 1e-9
        previous = estimate.expected_s


def test_residual_runs_from_mean_to_cv_squared_mean() -> None:
    assert residual_s(0.0, 300.0, 0.5) == pytest.approx(300.0)
    assert residual_s(10_000.0, 300.0, 0.5) == pytest.approx(75.0)
    assert residual_s(150.0, 300.0, 1.0) == pytest.approx(300.0)


def test_band_brackets_the_estimate() -> None:
    estimate = _wait(_snapshot(position=6, serving=3, busy=3))
    assert 0.0 <= estimate.low_s < estimate.expected_s < estimate.high_s


def test_no_higher_than_caps_each_value() -> None:
    earlier = WaitEstimate(expected_s=200.0, low_s=100.0, high_s=300.0)
    later = WaitEstimate(expected_s=250.0, low_s=90.0, high_s=400.0)
    assert later.no_higher_than(earlier) == WaitEstimate(expected_s=200.0, low_s=90.0, high_s=300.0)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"position": 0}, "position"),
        ({"serving": -1, "busy": 0}, "agents_serving"),
        ({"serving": 2, "busy": 3}, "agents_busy"),
        ({"h": 0.0}, "mean_handling_s"),
        ({"cv": math.nan}, "handling_cv"),
        ({"busy_for": (1.0, 2.0)}, "busy_for_s has 2 entries"),
        ({"busy_for": (1.0, math.nan, 3.0)}, "busy_for_s must be finite"),
    ],
)
def test_bad_snapshot_names_the_field(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        _snapshot(**kwargs)  # type: ignore[arg-type]
