"""Tests for the benchmark's model of Asterisk app_queue and its simulation (bench/sim)."""

from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType

import pytest

BENCH_DIR = Path(__file__).resolve().parents[4] / "bench"


@pytest.fixture
def sim(monkeypatch: pytest.MonkeyPatch) -> tuple[ModuleType, ModuleType]:
    """bench/sim is not an installed package; import it the way the benchmark does."""
    monkeypatch.syspath_prepend(str(BENCH_DIR))
    return importlib.import_module("sim.asterisk"), importlib.import_module("sim.mmc")


def test_answers_overwrite_holdtime_until_the_first_call_ends(
    sim: tuple[ModuleType, ModuleType],
) -> None:
    asterisk, _ = sim
    model = asterisk.AsteriskQueueModel()
    model.on_answer(40)
    model.on_answer(100)
    assert model.holdtime == 100  # callscompleted is still 0: overwritten
    model.on_call_end()
    model.on_answer(0)
    assert model.holdtime == 75  # (3 * 100 + 0) >> 2
    model.on_answer(10)
    assert model.holdtime == 58  # (225 + 10) >> 2, integer floor


def test_announced_minutes_follow_say_position(sim: tuple[ModuleType, ModuleType]) -> None:
    asterisk, _ = sim
    model = asterisk.AsteriskQueueModel()
    model.on_answer(120)
    assert model.heard(20).minutes == 2  # (150 - 20) / 60 truncated
    assert not model.heard(100).announced  # |150 - 100| < 60: hold time not said
    assert not model.heard(200).announced  # -50 / 60 truncates to 0 as well
    # Past holdtime + 90 s the labs() makes the estimate grow with the caller's wait.
    assert [model.heard(w).minutes for w in (300, 400, 600)] == [2, 4, 7]


def test_simulation_is_reproducible_and_scores_every_announcement(
    sim: tuple[ModuleType, ModuleType],
) -> None:
    _, mmc = sim
    scenario = mmc.Scenario(
        name="tiny",
        servers=2,
        phases=(mmc.Phase(duration_s=4 * 3600.0, load=0.9),),
        cycles=1,
        mean_service_s=300.0,
        seed=11,
    )
    first, second = mmc.simulate(scenario), mmc.simulate(scenario)
    assert first.ours.count > 0
    assert first.ours.count == first.asterisk.count == first.ours_raw.count
    assert (first.ours.rrmse, first.asterisk.rrmse) == (second.ours.rrmse, second.asterisk.rrmse)
    assert 0.0 <= first.ours.within_share <= 1.0
