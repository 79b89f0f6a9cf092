"""bench/bench_soak.py's pure parts (bench/soak_figures.py): the memory slope, when a
soak passed, its rows; and that ``make bench`` leaves the hour-long soak out."""

from __future__ import annotations

import importlib
import subprocess
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[3]
BENCH_DIR = ROOT / "bench"


@pytest.fixture
def figures(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    monkeypatch.syspath_prepend(str(BENCH_DIR))
    return importlib.import_module("soak_figures")


def samples(figures: ModuleType, controller: list[float], stats: list[float]) -> list[Any]:
    """One sample a minute with these RSS figures, from the load's start."""
    return [
        figures.Sample(at_s=60.0 * i, controller_rss_mb=c, stats_rss_mb=s, call_entries=3,
                       answered=10 * i, failed=0)
        for i, (c, s) in enumerate(zip(controller, stats, strict=True))
    ]  # fmt: skip


def calls(figures: ModuleType, **changes: Any) -> Any:
    values = {"placed": 100, "answered": 100, "failed": 0, "peak_call_entries": 40,
              "call_entries_after": 0, **changes}  # fmt: skip
    return figures.Calls(**values)


def test_the_slope_is_least_squares_in_mb_an_hour(figures: ModuleType) -> None:
    assert figures.slope_per_h([(0.0, 100.0), (1800.0, 110.0), (3600.0, 120.0)]) == 20.0
    # The fit, not the last minus the first (0 here): cov -120 MB·s / var 18000 s².
    assert figures.slope_per_h([(0.0, 100.0), (60.0, 102.0), (120.0, 98.0), (180.0, 100.0)]) == (
        pytest.approx(-24.0)
    )
    assert figures.slope_per_h([(5.0, 100.0)]) == 0.0


def test_memory_leaves_the_warm_up_out_and_compares_the_halves(figures: ModuleType) -> None:
    # 30 MB in the first minute (the warm-up), then 1 MB a minute, then flat.
    ctl = [100.0, 130.0, 131.0, 132.0, 133.0, 133.0, 133.0]
    got = figures.memory(samples(figures, ctl, [80.0] * 7), 60.0, "controller_rss_mb")
    assert (got.start_mb, got.end_mb) == (130.0, 133.0)
    assert got.first_half_mb_per_h == pytest.approx(60.0)  # 130 -> 133 over three minutes
    assert got.second_half_mb_per_h == 0.0
    flat = figures.memory(samples(figures, ctl, [80.0] * 7), 60.0, "stats_rss_mb")
    assert flat.growth_mb_per_h == 0.0
    with pytest.raises(ValueError, match="need two"):
        figures.memory(samples(figures, ctl, [80.0] * 7), 360.0, "controller_rss_mb")


def test_a_soak_passes_only_flat_empty_and_answered(figures: ModuleType) -> None:
    flat = figures.Memory(start_mb=120, end_mb=121, growth_mb_per_h=1.0, first_half_mb_per_h=2,
                          second_half_mb_per_h=0.5)  # fmt: skip
    leaking = figures.Memory(start_mb=120, end_mb=150, growth_mb_per_h=30.0,
                             first_half_mb_per_h=30, second_half_mb_per_h=30)  # fmt: skip
    assert figures.shortfalls(flat, flat, calls(figures)) == []
    assert figures.shortfalls(leaking, flat, calls(figures)) == [
        "the controller's memory grew 30.0 MB/h after warm-up (bound 20 MB/h)"
    ]
    assert figures.shortfalls(flat, leaking, calls(figures), max_growth=40.0) == []
    assert figures.shortfalls(flat, flat, calls(figures, call_entries_after=2)) == [
        "2 per-call entries left after the calls"
    ]
    assert figures.shortfalls(flat, flat, calls(figures, call_entries_after=None)) == [
        "the controller's per-call tables did not empty after the calls"
    ]
    assert figures.shortfalls(flat, flat, calls(figures, answered=97, failed=3)) == [
        "3 calls failed",
        "3 of 100 calls not answered",
    ]


def test_the_rows_name_their_baselines(figures: ModuleType) -> None:
    mem = figures.Memory(start_mb=120.04, end_mb=121.06, growth_mb_per_h=1.0,
                         first_half_mb_per_h=2.004, second_half_mb_per_h=0.5)  # fmt: skip
    rows = figures.result_rows(mem, mem, calls(figures))
    assert rows["soak_controller_rss_growth_mb_per_h"] == {
        "value": 0.5, "unit": "MB/h, second half after warm-up",
        "baseline": "first half after warm-up (same run)", "baseline_value": 2.0,
    }  # fmt: skip
    assert rows["soak_stats_rss_end_mb"]["value"] == 121.1
    assert rows["soak_stats_rss_end_mb"]["baseline_value"] == 120.0
    assert rows["soak_call_entries_after"]["value"] == 0
    assert rows["soak_call_entries_after"]["baseline_value"] == 40
    assert rows["soak_calls_answered"]["value"] == rows["soak_calls_answered"]["baseline_value"]
    assert all(set(r) == {"value", "unit", "baseline", "baseline_value"} for r in rows.values())


def test_make_bench_leaves_the_soak_to_make_soak(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(BENCH_DIR))
    run = importlib.import_module("run")
    ran: list[str] = []

    def record(argv: list[str], **_: object) -> subprocess.CompletedProcess[bytes]:
        ran.append(Path(argv[1]).name)
        return subprocess.CompletedProcess(argv, 0)

    monkeypatch.setattr(run.subprocess, "run", record)
    monkeypatch.setattr(run, "write_doc", lambda results: None)
    assert run.main() == 0
    assert "bench_load.py" in ran and "bench_soak.py" not in ran
    assert "bench/bench_soak.py" in (ROOT / "Makefile").read_text()  # ``make soak``
