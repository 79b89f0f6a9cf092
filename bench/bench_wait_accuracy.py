"""Benchmark: accuracy of the announced expected wait, ours versus Asterisk app_queue.

Runs the M/M/s scenarios of docs/waiting-message.md (s = 3, 4, 20 at loads 0.85,
0.90, 0.95, plus a 30-minute surge at 1.3x capacity per 8-hour day), prints a table and
merges the figures into bench/results.json (other benchmarks' keys are kept).

    .venv/bin/python bench/bench_wait_accuracy.py [--quick] [--no-write]
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path
from typing import Any

from results_file import merge_results
from sim.mmc import Phase, Scenario, ScenarioResult, simulate

RESULTS_PATH = Path(__file__).resolve().parent / "results.json"
BASELINE = "asterisk_app_queue_say_position"
MEAN_SERVICE_S = 300.0
"""True mean handling time: 25 % above the learner's prior (180 + 60 s), on purpose."""
HOUR = 3600.0
TARGET_ARRIVALS = {3: 2_000, 4: 2_000, 20: 10_000}
"""Arrivals per scenario. Few agents under heavy load give ~50 announcements per call,
20 agents give ~2, so s = 20 gets more calls for the same statistical weight; the sizes
keep the whole run near 50 s of CPU time."""


def scenarios(scale: float) -> list[Scenario]:
    """Steady loads plus one surge per server count; ``scale`` shortens for --quick."""
    out: list[Scenario] = []
    for servers in (3, 4, 20):
        rate_per_hour = servers / MEAN_SERVICE_S * HOUR
        for index, load in enumerate((0.85, 0.90, 0.95)):
            hours = TARGET_ARRIVALS[servers] * scale / (load * rate_per_hour)
            out.append(
                Scenario(
                    name=f"s{servers}_rho{load:.2f}",
                    servers=servers,
                    phases=(Phase(duration_s=8 * HOUR, load=load),),
                    cycles=max(1, math.ceil(hours / 8)),
                    mean_service_s=MEAN_SERVICE_S,
                    seed=1000 * servers + index,
                )
            )
        day_arrivals = rate_per_hour * (7.5 * 0.85 + 0.5 * 1.3)
        out.append(
            Scenario(
                name=f"s{servers}_surge1.3x30min",
                servers=servers,
                phases=(
                    Phase(duration_s=3 * HOUR, load=0.85),
                    Phase(duration_s=0.5 * HOUR, load=1.3),
                    Phase(duration_s=4.5 * HOUR, load=0.85),
                ),
                cycles=max(1, math.ceil(TARGET_ARRIVALS[servers] * scale / day_arrivals)),
                mean_service_s=MEAN_SERVICE_S,
                seed=1000 * servers + 99,
            )
        )
    return out


def print_table(results: list[ScenarioResult]) -> None:
    head = (
        f"{'scenario':<22}{'callers':>8}{'ann.':>8}{'ours':>7}{'ast.':>7}{'ratio':>7}"
        f"{'ours%ok':>8}{'ast%ok':>8}{'ast.sil':>8}{'raw':>7}{'h':>6}"
    )
    print(head)
    print("-" * len(head))
    for r in results:
        print(
            f"{r.scenario.name:<22}{r.callers:>8}{r.ours.count:>8}{r.ours.rrmse:>7.3f}"
            f"{r.asterisk.rrmse:>7.3f}{r.ours.rrmse / r.asterisk.rrmse:>7.2f}"
            f"{100 * r.ours.within_share:>7.1f}%{100 * r.asterisk.within_share:>7.1f}%"
            f"{100 * r.asterisk_silent / max(r.ours.count, 1):>7.1f}%"
            f"{r.ours_raw.rrmse:>7.3f}{r.mean_learned_handling_s:>6.0f}"
        )


def result_entries(results: list[ScenarioResult]) -> dict[str, dict[str, Any]]:
    entries: dict[str, dict[str, Any]] = {}
    for r in results:
        key = f"wait_estimate_{r.scenario.name}"
        entries[f"{key}_rrmse"] = {
            "value": round(r.ours.rrmse, 4),
            "unit": "relative RMS error",
            "baseline": BASELINE,
            "baseline_value": round(r.asterisk.rrmse, 4),
        }
        entries[f"{key}_within_tolerance"] = {
            "value": round(r.ours.within_share, 4),
            "unit": "share within max(20%, 30 s)",
            "baseline": BASELINE,
            "baseline_value": round(r.asterisk.within_share, 4),
        }
    return entries


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a fifth of the calls")
    parser.add_argument("--no-write", action="store_true", help="do not touch results.json")
    args = parser.parse_args(argv)
    started = time.process_time()
    results = [simulate(sc) for sc in scenarios(0.2 if args.quick else 1.0)]
    print_table(results)
    worst = max(r.ours.rrmse / r.asterisk.rrmse for r in results)
    print(f"\nworst ratio ours/asterisk: {worst:.2f} (aim <= 0.80)")
    print(f"CPU time: {time.process_time() - started:.1f} s")
    if not args.no_write:
        merge_results(RESULTS_PATH, result_entries(results))
        print(f"merged {len(results) * 2} keys into {RESULTS_PATH}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
