"""`make bench`: run every bench/bench_*.py but the hour-long soak, then write
docs/benchmarks.md.

Each benchmark measures the project against a named baseline in the same run and
merges its figures into bench/results.json as
{name: {"value", "unit", "baseline", "baseline_value"}}.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

BENCH = Path(__file__).resolve().parent
RESULTS = BENCH / "results.json"
DOC = BENCH.parent / "docs" / "benchmarks.md"
# Left out: over an hour each, run on their own (`make soak`); their figures still
# land in results.json and in the table below.
LONG = frozenset({"bench_soak.py"})


def main() -> int:
    failed = []
    for script in sorted(BENCH.glob("bench_*.py")):
        if script.name in LONG:
            continue
        print(f"== {script.name}", flush=True)
        if subprocess.run([sys.executable, str(script)], cwd=BENCH.parent).returncode != 0:
            failed.append(script.name)
    write_doc(json.loads(RESULTS.read_text()) if RESULTS.exists() else {})
    print(f"wrote {DOC.relative_to(BENCH.parent)}")
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


def _fmt(value: object) -> str:
    if isinstance(value, float):
        return f"{value:,.4g}" if abs(value) < 1000 else f"{value:,.0f}"
    return "-" if value is None else str(value)


def write_doc(results: dict[str, dict[str, object]]) -> None:
    lines = [
        "# Benchmarks",
        "",
        "Written by `make bench` (`bench/run.py`) from `bench/results.json`; each figure is",
        "measured against its baseline in the same run, on this project's 2-core machine.",
        "The `soak_*` rows come from `make soak` (`bench/bench_soak.py`, an hour; not in",
        "`make bench`): each memory growth is the second half's least-squares slope after",
        "the warm-up against the first half's, in the same run (a leak grows as fast in",
        "both; settling grows less later); the stats service's growth beyond its day's",
        "records (its RSS slope after warm-up less theirs) against the records' own growth,",
        "measured in the same run; each end RSS against the RSS after warm-up; the",
        "per-call entries once the calls are over against their peak during the run",
        "(docs/reliability.md, Soak).",
        f"Last run: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC.",
        "",
        "| benchmark | value | unit | baseline | baseline value | ratio |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for name, row in sorted(results.items()):
        value, base = row.get("value"), row.get("baseline_value")
        ratio = (
            value / base
            if isinstance(value, int | float) and isinstance(base, int | float) and base
            else None
        )
        lines.append(
            f"| {name} | {_fmt(value)} | {row.get('unit', '')} | {row.get('baseline') or '-'} "
            f"| {_fmt(base)} | {_fmt(ratio)} |"
        )
    DOC.write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    sys.exit(main())
