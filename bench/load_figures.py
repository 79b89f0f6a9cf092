"""What bench/bench_load.py makes of each step: whether it held, and the capacity.

The pure part, tested in tests/unit/bench/. A step is one call rate offered for a fixed
time. It *held* when every call it placed was answered by an agent and ended with no
SIPp failure, and, where the variant has them, the probe heard the first waiting
message within ``MESSAGE_SLACK_S`` of 20 s and the wallboard's p95 latency stayed under
``WALLBOARD_P95_MS``. A variant's capacity is its last step held before the first that
did not: the load rises until something gives.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

FIRST_MESSAGE_S = 20.0  # 4 rings of 5 s (docs/domain: the waiting message)
MESSAGE_SLACK_S = 0.5
WALLBOARD_P95_MS = 250.0
OURS, BASELINE = "through the controller", "plain app_queue (controller stopped)"


@dataclass(frozen=True, slots=True, kw_only=True)
class StepRun:
    """One step of one variant, as measured."""

    variant: str
    rate_per_s: float
    placed: int  # calls the load's SIPp callers were to place
    answered: int  # completed by an agent's phone (answered, talked, hung up)
    failed: int  # SIPp's failed calls on the callers' side, or calls never finished
    peak_concurrent: int  # the most callers' calls up at once (SIPp's CurrentCall)
    first_message_s: float | None  # the probe's first waiting message after ringback
    wallboard_p95_ms: float | None
    asterisk_cpu_ms_per_call: float
    controller_cpu_ms_per_call: float | None
    controller_rss_mb: float | None

    def shortfalls(self, *, probe: bool, wallboard: bool) -> list[str]:
        """What kept this step from holding; empty when it held."""
        out = []
        if self.failed:
            out.append(f"{self.failed} failed calls")
        if self.answered < self.placed:
            out.append(f"{self.placed - self.answered} of {self.placed} calls not answered")
        if probe:
            if self.first_message_s is None:
                out.append("the probe heard no waiting message")
            elif abs(self.first_message_s - FIRST_MESSAGE_S) > MESSAGE_SLACK_S:
                out.append(f"the first waiting message came at {self.first_message_s:.2f} s")
        if wallboard:
            if self.wallboard_p95_ms is None:
                out.append("the wallboard showed no event")
            elif self.wallboard_p95_ms >= WALLBOARD_P95_MS:
                out.append(f"wallboard p95 {self.wallboard_p95_ms:.0f} ms")
        return out

    def held(self, *, probe: bool, wallboard: bool) -> bool:
        return not self.shortfalls(probe=probe, wallboard=wallboard)


def capacity(runs: Sequence[StepRun], *, probe: bool, wallboard: bool) -> StepRun | None:
    """The last step held before the first that was not (None: not even the first)."""
    best = None
    for run in sorted(runs, key=lambda r: r.rate_per_s):
        if not run.held(probe=probe, wallboard=wallboard):
            break
        best = run
    return best


def result_rows(ours: StepRun | None, base: StepRun | None) -> dict[str, dict[str, object]]:
    """``bench/results.json`` rows: capacity through the controller against app_queue's."""

    def row(value: float | None, unit: str, base_value: float | None) -> dict[str, object]:
        return {"value": value, "unit": unit, "baseline": BASELINE, "baseline_value": base_value}

    def of(run: StepRun | None, field: str) -> float | None:
        value = None if run is None else getattr(run, field)
        return None if value is None else round(float(value), 2)

    return {
        "load_concurrent_calls": row(
            of(ours, "peak_concurrent"), "calls held at once", of(base, "peak_concurrent")
        ),
        "load_cps": row(of(ours, "rate_per_s"), "new calls a second held", of(base, "rate_per_s")),
        "load_asterisk_cpu_ms_per_call": row(
            of(ours, "asterisk_cpu_ms_per_call"),
            "Asterisk CPU ms per call",
            of(base, "asterisk_cpu_ms_per_call"),
        ),
        "load_controller_cpu_ms_per_call": row(
            of(ours, "controller_cpu_ms_per_call"), "controller CPU ms per call", None
        ),
        "load_controller_rss_mb": row(of(ours, "controller_rss_mb"), "controller MB RSS", None),
        "load_wallboard_p95_ms": row(
            of(ours, "wallboard_p95_ms"), "event-to-wallboard ms p95 at capacity", None
        ),
    }
