"""The norms a figure is judged against, and the rules every figure is computed with.

Answer rate, service level and direct handling are "higher is better" against the 80 %
norm (green, amber within a band below, red); occupancy is "lower is safer" against the
60 % planning figure. docs/metrics.md states the thresholds; `metric_rules` reads them
from the site configuration.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from site_config.norms import Norms

# Thresholds are sums of decimals (0.67 - 0.10 is 0.5700000000000001 in floating point);
# this keeps a value that sits exactly on a threshold on the kind side of it.
_EPSILON = 1e-9


class MetricsError(ValueError):
    """A rule or threshold that makes no sense."""


class NormStatus(enum.Enum):
    GREEN = "green"
    AMBER = "amber"
    RED = "red"


@dataclass(frozen=True, slots=True, kw_only=True)
class Norm:
    """A higher-is-better norm: green at/above target, amber within the band below, else red."""

    target: float = 0.80
    amber_band: float = 0.05

    def __post_init__(self) -> None:
        if not 0 < self.target <= 1:
            raise MetricsError(f"Norm.target must be in (0, 1], got {self.target}")
        if not 0 <= self.amber_band <= self.target:
            raise MetricsError(f"Norm.amber_band must be in [0, target], got {self.amber_band}")

    def status(self, value: float | None) -> NormStatus | None:
        if value is None:
            return None
        if value >= self.target - _EPSILON:
            return NormStatus.GREEN
        if value >= self.target - self.amber_band - _EPSILON:
            return NormStatus.AMBER
        return NormStatus.RED


@dataclass(frozen=True, slots=True, kw_only=True)
class OccupancyNorm:
    """Occupancy is "lower is safer": planned at 60 %; above 70-75 % absence and turnover rise."""

    planning: float = 0.60
    amber_above: float = 0.70
    red_above: float = 0.75

    def __post_init__(self) -> None:
        if not 0 < self.planning <= self.amber_above <= self.red_above <= 1:
            raise MetricsError(
                "OccupancyNorm needs 0 < planning <= amber_above <= red_above <= 1, got "
                f"{self.planning}, {self.amber_above}, {self.red_above}"
            )

    def status(self, value: float | None) -> NormStatus | None:
        if value is None:
            return None
        if value <= self.amber_above + _EPSILON:
            return NormStatus.GREEN
        if value <= self.red_above + _EPSILON:
            return NormStatus.AMBER
        return NormStatus.RED


@dataclass(frozen=True, slots=True)
class Rated:
    """A figure with its colour; both None when there was nothing to count."""

    value: float | None
    status: NormStatus | None


@dataclass(frozen=True, slots=True, kw_only=True)
class MetricRules:
    """The thresholds every figure is computed with; boundaries are inclusive ("within")."""

    short_abandon_seconds: float = 5.0
    answer_threshold_seconds: float = 20.0  # 4 Dutch ring cycles of 5 s
    norm: Norm = field(default_factory=Norm)
    occupancy_norm: OccupancyNorm = field(default_factory=OccupancyNorm)

    def __post_init__(self) -> None:
        for name in ("short_abandon_seconds", "answer_threshold_seconds"):
            if getattr(self, name) < 0:
                raise MetricsError(f"MetricRules.{name} must be >= 0, got {getattr(self, name)}")


def metric_rules(norms: Norms) -> MetricRules:
    """The site's norms as metric rules; occupancy keeps the documented 70/75 % colours
    unless the site plans above them."""
    planning = norms.max_occupancy
    amber_above = max(planning, 0.70)
    return MetricRules(
        answer_threshold_seconds=float(norms.answer_within_s),
        norm=Norm(target=norms.target, amber_band=min(0.05, norms.target)),
        occupancy_norm=OccupancyNorm(
            planning=planning, amber_above=amber_above, red_above=max(amber_above, 0.75)
        ),
    )
