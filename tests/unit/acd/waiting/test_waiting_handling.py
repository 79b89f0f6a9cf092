"""Tests for the online handling-time learner."""

from __future__ import annotations

import math
import random

import pytest

from acd.waiting.handling import (
    HandlingObservation,
    HandlingPrior,
    HandlingTime,
    HandlingTimes,
    LearnerSettings,
)


def _call(seconds: float) -> HandlingObservation:
    return HandlingObservation(talk_s=seconds, after_call_work_s=0.0)


def test_starts_at_prior_talk_plus_after_call_work() -> None:
    learned = HandlingTimes(prior=HandlingPrior(talk_s=200.0, after_call_work_s=60.0))
    assert learned.for_topic("paspoort").mean_s == 260.0
    assert learned.for_topic("paspoort").calls_seen == 0


def test_observation_counts_talk_and_after_call_work() -> None:
    assert HandlingObservation(talk_s=170.0, after_call_work_s=55.0).handling_s == 225.0


def test_becomes_data_driven_after_a_few_calls() -> None:
    learned = HandlingTime.from_prior(HandlingPrior(talk_s=180.0, after_call_work_s=60.0))
    for _ in range(5):
        learned = learned.observe(_call(400.0))
    # Prior worth 3 calls: (3 * 240 + 5 * 400) / 8 = 340, well on the way to 400.
    assert learned.mean_s == pytest.approx(340.0)


def test_converges_to_mean_of_exponential_calls() -> None:
    rng = random.Random(7)
    learned = HandlingTime.from_prior(HandlingPrior())
    tail: list[float] = []
    for index in range(4000):
        learned = learned.observe(_call(rng.expovariate(1.0 / 330.0)))
        if index >= 2000:
            tail.append(learned.mean_s)
    assert sum(tail) / len(tail) == pytest.approx(330.0, rel=0.05)
    assert learned.cv == pytest.approx(1.0, abs=0.35)


def test_follows_a_drift_within_a_few_memories() -> None:
    learned = HandlingTime.from_prior(HandlingPrior())
    for _ in range(300):
        learned = learned.observe(_call(240.0))
    for _ in range(300):
        learned = learned.observe(_call(420.0))
    assert learned.mean_s == pytest.approx(420.0, rel=0.01)


def test_single_outlier_is_capped() -> None:
    settings = LearnerSettings(alpha=0.02, cap_factor=5.0)
    learned = HandlingTime.from_prior(HandlingPrior(), settings)
    for _ in range(500):
        learned = learned.observe(_call(300.0))
    before = learned.mean_s
    after = learned.observe(_call(10 * 3600.0)).mean_s
    assert after - before <= settings.alpha * (settings.cap_factor - 1) * before + 1e-9
    assert after > before


def test_topics_are_learned_separately() -> None:
    learned = HandlingTimes()
    for _ in range(50):
        learned.observe("afval", _call(100.0))
    assert learned.for_topic("afval").mean_s < 150.0
    assert learned.for_topic("belastingen").mean_s == HandlingPrior().mean_s


@pytest.mark.parametrize(
    ("talk", "after", "field_name"),
    [(-1.0, 0.0, "talk_s"), (math.nan, 0.0, "talk_s"), (10.0, math.inf, "after_call_work_s")],
)
def test_bad_observation_names_the_field(talk: float, after: float, field_name: str) -> None:
    with pytest.raises(ValueError, match=field_name):
        HandlingObservation(talk_s=talk, after_call_work_s=after)


def test_bad_settings_and_topic_are_refused() -> None:
    with pytest.raises(ValueError, match="alpha"):
        LearnerSettings(alpha=0.0)
    with pytest.raises(ValueError, match="cap_factor"):
        LearnerSettings(cap_factor=1.0)
    with pytest.raises(ValueError, match="talk_s"):
        HandlingPrior(talk_s=-5.0)
    with pytest.raises(ValueError, match="topic"):
        HandlingTimes().observe("", _call(100.0))
