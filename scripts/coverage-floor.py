"""Fails when a product module is below its line-coverage floor in the unit tier.

Reads the coverage data of ``coverage run -m pytest tests/unit`` (``.coverage``) and
checks every module of the packages named here against ``FLOOR`` per cent of its lines:
the fast in-process tests alone must drive the code, the integration tier only adds to
that. Prints each module under the floor, then the total; exits 1 if any is under.
"""

from __future__ import annotations

import sys

import coverage

FLOOR = 80.0
PACKAGES = ("acd", "ivr_flows", "asterisk_conf", "realtime_stats")


def main() -> int:
    data = coverage.Coverage()
    data.load()
    below: list[tuple[str, float]] = []
    total_run = total_lines = 0
    for path in sorted(data.get_data().measured_files()):
        module = _module(path)
        if module is None:
            continue
        _, statements, _, missing, _ = data.analysis2(path)
        if not statements:
            continue
        covered = len(statements) - len(missing)
        total_run += covered
        total_lines += len(statements)
        share = 100.0 * covered / len(statements)
        if share < FLOOR:
            below.append((module, share))
    for module, share in below:
        print(f"{module}: {share:.1f} % of lines, under the floor of {FLOOR:g} %")
    print(f"unit tier: {100.0 * total_run / max(total_lines, 1):.1f} % of {total_lines} lines")
    return 1 if below else 0


def _module(path: str) -> str | None:
    parts = path.replace("\\", "/").split("/")
    for index, part in enumerate(parts):
        if part in PACKAGES:
            return ".".join(parts[index:]).removesuffix(".py")
    return None


if __name__ == "__main__":
    sys.exit(main())
