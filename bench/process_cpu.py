"""A process's CPU time from /proc, and what bench/bench_recording_cpu.py makes of it.

``/proc/<pid>/stat`` of a process (its thread group leader) counts the CPU time of
all its threads, those that have exited included (proc(5): utime, stime), in clock
ticks (``SC_CLK_TCK``, 100 a second on Linux). Asterisk runs a thread per channel and
one per MixMonitor, so the leader's two figures are the whole of Asterisk's work. The
children's times (cutime, cstime) are left out: they are the ``touch`` a recording
runs once it is closed, after the measured window.
"""

from __future__ import annotations

import os
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

TICKS_PER_S = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True, slots=True)
class CpuTicks:
    """User and system CPU time of a process, in clock ticks."""

    user: int
    system: int

    @property
    def total(self) -> int:
        return self.user + self.system

    def __sub__(self, earlier: CpuTicks) -> CpuTicks:
        return CpuTicks(self.user - earlier.user, self.system - earlier.system)


def parse_proc_stat(text: str) -> CpuTicks:
    """utime and stime (fields 14 and 15) of one ``/proc/<pid>/stat`` line.

    The second field, the command name in parentheses, may itself hold spaces and
    parentheses, so the fields are counted from its last ``)``.
    """
    close = text.rfind(")")
    if close < 0:
        raise ValueError(f"not a /proc/<pid>/stat line: {text[:80]!r}")
    rest = text[close + 1 :].split()  # rest[0] is field 3, the state
    if len(rest) < 13:
        raise ValueError(f"a /proc/<pid>/stat line with {len(rest) + 2} fields; need 15")
    return CpuTicks(user=int(rest[11]), system=int(rest[12]))


def read_cpu_ticks(pid: int, proc: Path = Path("/proc")) -> CpuTicks:
    return parse_proc_stat((proc / str(pid) / "stat").read_text())


def command_name(pid: int, proc: Path = Path("/proc")) -> str:
    return (proc / str(pid) / "comm").read_text().strip()


def ms_per_call_second(
    used: CpuTicks, *, calls: int, window_s: float, ticks_per_s: int = TICKS_PER_S
) -> float:
    """CPU milliseconds per second of one call: ``used`` over ``calls`` for ``window_s``."""
    if calls < 1 or window_s <= 0:
        raise ValueError(f"need at least one call and a window; got {calls} calls, {window_s} s")
    return used.total / ticks_per_s * 1000 / (calls * window_s)


@dataclass(frozen=True, slots=True)
class Spread:
    """Repeats of one figure: the best (lowest), the median and the worst."""

    best: float
    median: float
    worst: float
    count: int

    @classmethod
    def of(cls, values: Sequence[float]) -> Spread:
        if not values:
            raise ValueError("a spread of no values")
        return cls(min(values), statistics.median(values), max(values), len(values))
