"""bench/bench_soak.py's pure parts (bench/soak_figures.py): the memory slope, the stats
service's growth beyond its day's records, when a soak passed, its rows; and that
``make bench`` leaves the hour-long soak out."""

from __future__ import annotations

import importlib
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from realtime_stats.figures.records import CallRecord
from realtime_stats.ingest.consumer import local_day_start
from realtime_stats.store import open_store

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


def records(figures: ModuleType, at_s: float, mb: float) -> Any:
    return figures.Records(at_s=at_s, mb=mb, calls=100, ivr_calls=100, intervals=60, load_s=0.1)


def growth(figures: ModuleType, rss: float, records_per_h: float) -> Any:
    """The stats service's growth: ``rss`` MB/h of RSS, ``records_per_h`` of it records."""
    mem = figures.Memory(start_mb=80, end_mb=80 + rss, growth_mb_per_h=rss,
                         first_half_mb_per_h=rss, second_half_mb_per_h=rss)  # fmt: skip
    return figures.stats_growth(mem, records(figures, 300, 2.0),
                                records(figures, 3900, 2.0 + records_per_h))  # fmt: skip


def test_the_stats_growth_beyond_its_records_is_its_slope_less_theirs(
    figures: ModuleType,
) -> None:
    mem = figures.Memory(start_mb=80, end_mb=116, growth_mb_per_h=36.0, first_half_mb_per_h=36,
                         second_half_mb_per_h=36)  # fmt: skip
    # 9 MB of records more over half an hour: 18 MB/h of the 36.
    got = figures.stats_growth(mem, records(figures, 300, 3.0), records(figures, 2100, 12.0))
    assert got.records_mb_per_h == pytest.approx(18.0)
    assert got.beyond_records_mb_per_h == pytest.approx(18.0)
    assert (got.records_start_mb, got.records_end_mb) == (3.0, 12.0)
    shrinking = figures.stats_growth(mem, records(figures, 300, 5.0), records(figures, 3900, 4.0))
    # Records shrinking (a day roll) lower the baseline: the bound gets stricter.
    assert shrinking.beyond_records_mb_per_h == pytest.approx(37.0)
    with pytest.raises(ValueError, match="need a span"):
        figures.stats_growth(mem, records(figures, 300, 3.0), records(figures, 300, 3.0))


def test_a_soak_passes_only_flat_empty_and_answered(figures: ModuleType) -> None:
    flat = figures.Memory(start_mb=120, end_mb=121, growth_mb_per_h=1.0, first_half_mb_per_h=2,
                          second_half_mb_per_h=0.5)  # fmt: skip
    leaking = figures.Memory(start_mb=120, end_mb=150, growth_mb_per_h=30.0,
                             first_half_mb_per_h=30, second_half_mb_per_h=30)  # fmt: skip
    steady = growth(figures, 1.0, 0.0)
    assert figures.shortfalls(flat, steady, calls(figures)) == []
    assert figures.shortfalls(leaking, steady, calls(figures)) == [
        "the controller's memory grew 30.0 MB/h after warm-up (bound 20 MB/h)"
    ]
    assert figures.shortfalls(leaking, steady, calls(figures), max_growth=40.0) == []
    assert figures.shortfalls(flat, steady, calls(figures, call_entries_after=2)) == [
        "2 per-call entries left after the calls"
    ]
    assert figures.shortfalls(flat, steady, calls(figures, call_entries_after=None)) == [
        "the controller's per-call tables did not empty after the calls"
    ]
    assert figures.shortfalls(flat, steady, calls(figures, answered=97, failed=3)) == [
        "3 calls failed",
        "3 of 100 calls not answered",
    ]


def test_the_stats_service_may_grow_by_its_records_not_beyond(figures: ModuleType) -> None:
    flat = figures.Memory(start_mb=120, end_mb=121, growth_mb_per_h=1.0, first_half_mb_per_h=2,
                          second_half_mb_per_h=0.5)  # fmt: skip
    # 36 MB/h, 30 of it the day's records: 6 beyond, under the 10 MB/h bound, though
    # over the controller's 20 MB/h, which is not the stats service's bound.
    assert figures.shortfalls(flat, growth(figures, 36.0, 30.0), calls(figures)) == []
    # The same 36 MB/h with records growing 20 MB/h: 16 beyond.
    assert figures.shortfalls(flat, growth(figures, 36.0, 20.0), calls(figures)) == [
        "the stats service's memory grew 16.0 MB/h beyond its day's records after warm-up "
        "(36.0 MB/h less the records' 20.0; bound 10 MB/h)"
    ]
    assert (
        figures.shortfalls(flat, growth(figures, 36.0, 20.0), calls(figures), max_beyond=20.0) == []
    )


def test_the_rows_name_their_baselines(figures: ModuleType) -> None:
    mem = figures.Memory(start_mb=120.04, end_mb=121.06, growth_mb_per_h=1.0,
                         first_half_mb_per_h=2.004, second_half_mb_per_h=0.5)  # fmt: skip
    rows = figures.result_rows(mem, mem, growth(figures, 36.004, 30.0), calls(figures))
    assert rows["soak_controller_rss_growth_mb_per_h"] == {
        "value": 0.5, "unit": "MB/h, second half after warm-up",
        "baseline": "first half after warm-up (same run)", "baseline_value": 2.0,
    }  # fmt: skip
    assert rows["soak_stats_growth_beyond_records_mb_per_h"] == {
        "value": 6.0, "unit": "MB/h, RSS slope after warm-up less the records'",
        "baseline": "the day's records' own growth (same run)", "baseline_value": 30.0,
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


def test_the_records_gauge_measures_what_the_consumer_keeps_of_the_day(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.syspath_prepend(str(BENCH_DIR))
    gauge = importlib.import_module("soak_records").RecordsGauge(tmp_path / "kcc.db")
    now = datetime.now(UTC)
    yesterday = local_day_start(now) - timedelta(hours=2)
    with open_store(tmp_path / "kcc.db") as store:
        store.save_calls(
            CallRecord(call_id=f"old{i}", entered_at=yesterday, ended_at=yesterday)
            for i in range(50)
        )
        store.save_calls(CallRecord(call_id=f"a{i}", entered_at=now) for i in range(200))
    some = gauge.measure(10.0)
    assert (some.at_s, some.calls, some.ivr_calls, some.intervals) == (10.0, 200, 0, 0)
    with open_store(tmp_path / "kcc.db") as store:
        store.save_calls(CallRecord(call_id=f"b{i}", entered_at=now) for i in range(1800))
    more = gauge.measure(20.0)
    assert more.calls == 2000
    # Ten times the calls, about ten times the memory: each call's objects are counted
    # (not exactly ten: objects shared between records, such as the day's datetimes,
    # and the allocator's blocks make it 8 in one process, 8.5 in another).
    assert some.mb > 0 and 6 * some.mb < more.mb < 14 * some.mb
