"""What bench/bench_soak.py makes of its samples: memory at start and end, its growth,
the calls, whether the soak passed, and the rows for bench/results.json.

Pure: fed the samples (each with its own time), it computes. The growth is the least
squares slope of RSS against time over the samples after the warm-up, in MB an hour:
a leak grows at a steady rate, so it shows over the whole run, while a cache filling
once shows as a step in the warm-up and not after. The baseline of each growth figure
is the same figure over the first half of the post-warm-up samples of the same run
(the value is the second half's): a leak grows as fast in both halves, a process that
is still settling grows less in the second.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

MAX_GROWTH_MB_PER_H = 20.0  # over the run after warm-up, for either process


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
    controller: Memory, stats: Memory, calls: Calls, *, max_growth: float = MAX_GROWTH_MB_PER_H
) -> list[str]:
    """Why the soak did not pass; empty when it did."""
    found = []
    for name, mem in (("controller", controller), ("stats service", stats)):
        if mem.growth_mb_per_h > max_growth:
            found.append(
                f"the {name}'s memory grew {mem.growth_mb_per_h:.1f} MB/h after warm-up "
                f"(bound {max_growth:g} MB/h)"
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


def result_rows(controller: Memory, stats: Memory, calls: Calls) -> dict[str, dict[str, Any]]:
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
    rows["soak_call_entries_after"] = row(
        calls.call_entries_after, "per-call entries once the calls are over",
        "peak during the run", calls.peak_call_entries,
    )  # fmt: skip
    rows["soak_calls_answered"] = row(calls.answered, "calls", "placed", calls.placed)
    return rows
