"""Accuracy of announced waits against the caller's real remaining wait.

For one announcement with estimate ``e`` and real remaining wait ``a`` (both seconds):

* relative error ``(e - a) / max(a, FLOOR_S)``; the floor keeps a caller answered two
  seconds later from turning a harmless "under a minute" into an error of 1400 %;
* "within tolerance" when ``|e - a| <= max(TOLERANCE_SHARE * a, FLOOR_S)``.

``ErrorTally.rrmse`` is the root of the mean squared relative error over all
announcements of a scenario.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

FLOOR_S = 30.0
TOLERANCE_SHARE = 0.20


@dataclass(slots=True)
class ErrorTally:
    """Running sums for one estimator in one scenario."""

    count: int = 0
    squared_relative: float = 0.0
    within: int = 0
    signed_relative: float = 0.0

    def add(self, estimate_s: float, actual_s: float) -> None:
        error = estimate_s - actual_s
        relative = error / max(actual_s, FLOOR_S)
        self.count += 1
        self.squared_relative += relative * relative
        self.signed_relative += relative
        if abs(error) <= max(TOLERANCE_SHARE * actual_s, FLOOR_S):
            self.within += 1

    @property
    def rrmse(self) -> float:
        return math.sqrt(self.squared_relative / self.count) if self.count else math.nan

    @property
    def within_share(self) -> float:
        return self.within / self.count if self.count else math.nan

    @property
    def mean_relative(self) -> float:
        """Mean signed relative error: > 0 means the estimator says too long."""
        return self.signed_relative / self.count if self.count else math.nan
