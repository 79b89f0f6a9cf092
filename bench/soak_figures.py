"""What bench/bench_soak.py makes of its samples: memory at start and end, its growth,
the calls, whether the soak passed, and the rows for bench/results.json.

Pure: fed the samples (each with its own time), it computes. The growth is the least
squares slope of RSS against time over the samples after the warm-up, in MB an hour:
a leak grows at a steady rate, so it shows over the whole run, while a cache filling
once shows as a step in the warm-up and not after. The baseline of each growth figure
is the same figure over the first half of the post-warm-up samples of the same run
(the value is the second half's): a leak grows as fast in both halves, a process that
is still settling grows less in the second.

The stats service grows by design within a day: it keeps the day's records in memory for
the wallboard (bench/soak_records.py measures what they take, at the warm-up's end and at
the end). Its bound is on the growth beyond theirs: its RSS slope after the warm-up less
the records' own growth over the same span, both in MB an hour. The controller keeps no
records: its bound is on its RSS slope itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

MAX_GROWTH_MB_PER_H = 20.0  # the controller's, over the run after warm-up
MAX_BEYOND_RECORDS_MB_PER_H = 10.0  # the stats service's, beyond its day's records


@dataclass(frozen=True, slots=True, kw_only=True)
class Sample:
    """One look at the stack while the load runs."""

    at_s: float  # seconds since the load started
    controller_rss_mb: float
    stats_rss_mb: float
    call_entries: int  # the controller's per-call tables, all together
    answered: int  # calls the phone bank answered so far
    failed: int  # callers' failed calls so far


@dataclass(frozen=True, slots=True, kw_only=True)
class Memory:
    """One process's memory over the run after the warm-up."""

    start_mb: float
    end_mb: float
    growth_mb_per_h: float  # every post-warm-up sample
    first_half_mb_per_h: float
    second_half_mb_per_h: float


@dataclass(frozen=True, slots=True, kw_only=True)
class Calls:
    placed: int
    answered: int
    failed: int
    peak_call_entries: int
    call_entries_after: int | None  # None: the tables never read 0 within the wait


@dataclass(frozen=True, slots=True, kw_only=True)
class Records:
    """The day's records as the stats service keeps them, read from its store once."""

    at_s: float  # seconds since the load started
    mb: float  # what they take as Python objects (tracemalloc)
    calls: int
    ivr_calls: int
    intervals: int
    load_s: float  # how long reading them took


@dataclass(frozen=True, slots=True, kw_only=True)
class StatsGrowth:
    """The stats service's growth after the warm-up, with and without its records'."""

    rss_mb_per_h: float  # the RSS slope (Memory.growth_mb_per_h)
    records_mb_per_h: float  # the day's records' own growth over the same span
    records_start_mb: float
    records_end_mb: float

    @property
    def beyond_records_mb_per_h(self) -> float:
        return self.rss_mb_per_h - self.records_mb_per_h


def stats_growth(stats: Memory, first: Records, last: Records) -> StatsGrowth:
    """``stats``'s slope against the records' growth between ``first`` and ``last``; the
    records grow with the calls, steadily, so their two ends give their rate."""
    if last.at_s <= first.at_s:
        raise ValueError(f"records read at {first.at_s:g} s and {last.at_s:g} s: need a span")
    rate = (last.mb - first.mb) / (last.at_s - first.at_s) * 3600
    return StatsGrowth(
        rss_mb_per_h=stats.growth_mb_per_h,
        records_mb_per_h=rate,
        records_start_mb=first.mb,
        records_end_mb=last.mb,
    )


def slope_per_h(points: Sequence[tuple[float, float]]) -> float:
    """Least squares slope of (seconds, MB) points, in MB an hour; 0 for fewer than two
    distinct times (nothing to fit)."""
    if len({t for t, _ in points}) < 2:
        return 0.0
    n = len(points)
    mean_t = sum(t for t, _ in points) / n
    mean_v = sum(v for _, v in points) / n
    covariance = sum((t - mean_t) * (v - mean_v) for t, v in points)
    variance = sum((t - mean_t) ** 2 for t, _ in points)
    return covariance / variance * 3600


def memory(samples: Sequence[Sample], warmup_s: float, field: str) -> Memory:
    """``field``'s memory (``controller_rss_mb`` or ``stats_rss_mb``) after ``warmup_s``."""
    kept = [(s.at_s, float(getattr(s, field))) for s in samples if s.at_s >= warmup_s]
    if len(kept) < 2:
        raise ValueError(f"{len(kept)} samples after the {warmup_s:g} s warm-up: need two")
    half = len(kept) // 2
    return Memory(
        start_mb=kept[0][1],
        end_mb=kept[-1][1],
        growth_mb_per_h=slope_per_h(kept),
        first_half_mb_per_h=slope_per_h(kept[: half + 1]),
        second_half_mb_per_h=slope_per_h(kept[half:]),
    )


def shortfalls(
    controller: Memory,
    stats: StatsGrowth,
    calls: Calls,
    *,
    max_growth: float = MAX_GROWTH_MB_PER_H,
    max_beyond: float = MAX_BEYOND_RECORDS_MB_PER_H,
) -> list[str]:
    """Why the soak did not pass; empty when it did."""
    found = []
    if controller.growth_mb_per_h > max_growth:
        found.append(
            f"the controller's memory grew {controller.growth_mb_per_h:.1f} MB/h after "
            f"warm-up (bound {max_growth:g} MB/h)"
        )
    if stats.beyond_records_mb_per_h > max_beyond:
        found.append(
            f"the stats service's memory grew {stats.beyond_records_mb_per_h:.1f} MB/h "
            f"beyond its day's records after warm-up ({stats.rss_mb_per_h:.1f} MB/h less "
            f"the records' {stats.records_mb_per_h:.1f}; bound {max_beyond:g} MB/h)"
        )
    if calls.call_entries_after is None:
        found.append("the controller's per-call tables did not empty after the calls")
    elif calls.call_entries_after:
        found.append(f"{calls.call_entries_after} per-call entries left after the calls")
    if calls.failed:
        found.append(f"{calls.failed} calls failed")
    if calls.answered < calls.placed:
        found.append(f"{calls.placed - calls.answered} of {calls.placed} calls not answered")
    return found


HALVES = "first half after warm-up (same run)"


def result_rows(
    controller: Memory, stats: Memory, growth: StatsGrowth, calls: Calls
) -> dict[str, dict[str, Any]]:
    """bench/results.json's soak keys (docs/benchmarks.md says what each baseline is)."""

    def row(value: float | None, unit: str, baseline: str, base: float | None) -> dict[str, Any]:
        return {"value": value, "unit": unit, "baseline": baseline, "baseline_value": base}

    rows = {}
    for key, mem in (("controller", controller), ("stats", stats)):
        rows[f"soak_{key}_rss_growth_mb_per_h"] = row(
            round(mem.second_half_mb_per_h, 2), "MB/h, second half after warm-up", HALVES,
            round(mem.first_half_mb_per_h, 2),
        )  # fmt: skip
        rows[f"soak_{key}_rss_end_mb"] = row(
            round(mem.end_mb, 1), "MB RSS at the end", "after warm-up (same run)",
            round(mem.start_mb, 1),
        )  # fmt: skip
    rows["soak_stats_growth_beyond_records_mb_per_h"] = row(
        round(growth.beyond_records_mb_per_h, 2), "MB/h, RSS slope after warm-up less the "
        "records'", "the day's records' own growth (same run)",
        round(growth.records_mb_per_h, 2),
    )  # fmt: skip
    rows["soak_call_entries_after"] = row(
        calls.call_entries_after, "per-call entries once the calls are over",
        "peak during the run", calls.peak_call_entries,
    )  # fmt: skip
    rows["soak_calls_answered"] = row(calls.answered, "calls", "placed", calls.placed)
    return rows
