"""bench/bench_recording_signals.py: its pure-Python baseline computes what analyse does."""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from recordings.signals import Thresholds, analyse

BENCH_DIR = Path(__file__).resolve().parents[3] / "bench"


@pytest.fixture
def bench(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """bench/ is not an installed package; import it the way the benchmark does."""
    monkeypatch.syspath_prepend(str(BENCH_DIR))
    return importlib.import_module("bench_recording_signals")


@pytest.mark.parametrize(
    "thresholds",
    [Thresholds(), Thresholds(hangover_s=0.0, echo_loss_db=12.0, min_overtalk_s=0.1)],
)
def test_the_baseline_finds_what_analyse_finds(bench: ModuleType, thresholds: Thresholds) -> None:
    agent, caller = bench.speech_like_call(0.75)
    ours = analyse(agent, caller, 8000, thresholds=thresholds)
    assert bench.python_loop_analyse(agent, caller, 8000, thresholds=thresholds) == ours
    assert ours.agent_talk_s > 0 and ours.caller_talk_s > 0


def test_the_synthesized_call_is_the_same_every_run(bench: ModuleType) -> None:
    first, second = bench.speech_like_call(0.1), bench.speech_like_call(0.1)
    assert all(np.array_equal(a, b) for a, b in zip(first, second, strict=True))
    assert first[0].dtype == np.int16 and len(first[0]) == 6 * 8000


def test_no_write_leaves_the_results_alone(bench: ModuleType, tmp_path: Path) -> None:
    results = tmp_path / "results.json"
    argv = ["--minutes", "0.1", "--repeat", "1", "--no-write", "--results", str(results)]
    assert bench.main(argv) == 0
    assert not results.exists()


def test_the_figures_name_the_baseline(bench: ModuleType) -> None:
    entries = bench.result_entries(600.0, 0.02, 1.2)
    assert entries["recording_signals_numpy"] == {
        "value": 30000,
        "unit": "audio s per CPU s",
        "baseline": "recording_signals_python_loop",
        "baseline_value": 500.0,
    }
    assert entries["recording_signals_python_loop"]["baseline"] is None


def test_a_run_merges_its_two_figures(bench: ModuleType, tmp_path: Path) -> None:
    results = tmp_path / "results.json"
    results.write_text('{"other": {"value": 1}}\n')
    assert bench.main(["--minutes", "0.1", "--repeat", "1", "--results", str(results)]) == 0
    assert sorted(json.loads(results.read_text())) == [
        "other",
        "recording_signals_numpy",
        "recording_signals_python_loop",
    ]
