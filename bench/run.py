"""`make bench`: run every bench/bench_*.py, then write docs/benchmarks.md.

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


def main() -> int:
    failed = []
    for script in sorted(BENCH.glob("bench_*.py")):
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
