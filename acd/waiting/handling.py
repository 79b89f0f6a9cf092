"""Online learner of the mean handling time (talk + after-call work) per topic.

Theory of operation
-------------------
The waiting-time estimate needs ``h``, the mean time an agent is occupied by one call:
talk time plus after-call work (nawerktijd). Nobody knows ``h`` on day one, so the
learner starts from a prior built from the staffing norms (after-call work 60 s per
front-line contact, domain.md; a talk time of 180 s) and lets measured calls take over.

The update is a weighted mean whose weight on a new observation is
``max(alpha, 1 / (n + prior_weight))``: for the first calls that is the plain mean of
the prior (counted as ``prior_weight`` pseudo-calls) and the observations, so a few
calls already move the estimate most of the way; once ``n + prior_weight`` exceeds
``1 / alpha`` it becomes an exponentially weighted mean with memory of roughly
``1 / alpha`` calls, so the estimate follows slow drifts (a new topic, a new form).

One forgotten "ready" button can leave a single call with an hour of after-call work.
Each observation is therefore capped at ``cap_factor`` times the current mean before it
is used, so once past the first calls one outlier moves the mean by at most
``alpha * (cap_factor - 1)`` of it.

The learner also keeps an exponentially weighted variance (same weights), from which the
coefficient of variation follows; the estimator uses it to decide how much the time an
agent has already spent on a call tells about when that call will end.

Everything here is a pure value: ``HandlingTime.observe`` returns a new value.
``HandlingTimes`` is the small owned, per-topic container the composition root creates.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace


def _require_finite(name: str, value: float, *, minimum: float, allow_equal: bool) -> None:
    """Raise a ValueError naming ``name`` unless ``value`` is finite and above ``minimum``."""
    ok = math.isfinite(value) and (value >= minimum if allow_equal else value > minimum)
    if not ok:
        relation = ">=" if allow_equal else ">"
        raise ValueError(f"{name} must be a finite number {relation} {minimum}, got {value!r}")


@dataclass(frozen=True, slots=True, kw_only=True)
class HandlingPrior:
    """What we believe about handling time before any call has been measured."""

    talk_s: float = 180.0
    after_call_work_s: float = 60.0
    weight: float = 3.0
    """How many measured calls the prior is worth."""
    cv: float = 1.0
    """Assumed coefficient of variation (std / mean); 1.0 is the exponential case."""

    def __post_init__(self) -> None:
        _require_finite("HandlingPrior.talk_s", self.talk_s, minimum=0.0, allow_equal=True)
        _require_finite(
            "HandlingPrior.after_call_work_s", self.after_call_work_s, minimum=0.0, allow_equal=True
        )
        _require_finite("HandlingPrior.weight", self.weight, minimum=0.0, allow_equal=False)
        _require_finite("HandlingPrior.cv", self.cv, minimum=0.0, allow_equal=True)
        if self.talk_s + self.after_call_work_s <= 0.0:
            raise ValueError("HandlingPrior: talk_s + after_call_work_s must be > 0")

    @property
    def mean_s(self) -> float:
        return self.talk_s + self.after_call_work_s


@dataclass(frozen=True, slots=True, kw_only=True)
class LearnerSettings:
    """How fast the learner forgets and how hard it clips outliers."""

    alpha: float = 0.02
    """Steady-state weight of one call: memory of about 1 / alpha = 50 calls."""
    cap_factor: float = 5.0
    """A single observation counts as at most cap_factor * current mean."""

    def __post_init__(self) -> None:
        if not (math.isfinite(self.alpha) and 0.0 < self.alpha <= 1.0):
            raise ValueError(f"LearnerSettings.alpha must be in (0, 1], got {self.alpha!r}")
        _require_finite(
            "LearnerSettings.cap_factor", self.cap_factor, minimum=1.0, allow_equal=False
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class HandlingObservation:
    """One finished call as measured: talk time and after-call work, in seconds."""

    talk_s: float
    after_call_work_s: float

    def __post_init__(self) -> None:
        _require_finite("HandlingObservation.talk_s", self.talk_s, minimum=0.0, allow_equal=True)
        _require_finite(
            "HandlingObservation.after_call_work_s",
            self.after_call_work_s,
            minimum=0.0,
            allow_equal=True,
        )

    @property
    def handling_s(self) -> float:
        return self.talk_s + self.after_call_work_s


@dataclass(frozen=True, slots=True, kw_only=True)
class HandlingTime:
    """The learned handling time of one topic; ``observe`` returns the updated value."""

    mean_s: float
    variance_s2: float
    calls_seen: int
    prior_weight: float
    settings: LearnerSettings

    @classmethod
    def from_prior(
        cls, prior: HandlingPrior, settings: LearnerSettings | None = None
    ) -> HandlingTime:
        return cls(
            mean_s=prior.mean_s,
            variance_s2=(prior.cv * prior.mean_s) ** 2,
            calls_seen=0,
            prior_weight=prior.weight,
            settings=settings or LearnerSettings(),
        )

    @property
    def cv(self) -> float:
        """Coefficient of variation (std / mean) of the handling time."""
        return math.sqrt(self.variance_s2) / self.mean_s

    def observe(self, observation: HandlingObservation) -> HandlingTime:
        """Fold one finished call into the estimate (capped against outliers)."""
        sample = min(observation.handling_s, self.settings.cap_factor * self.mean_s)
        weight = max(self.settings.alpha, 1.0 / (self.calls_seen + 1 + self.prior_weight))
        delta = sample - self.mean_s
        mean = self.mean_s + weight * delta
        # West's incremental form of the exponentially weighted variance.
        variance = (1.0 - weight) * (self.variance_s2 + weight * delta * delta)
        # Guard the divisor of later estimates: a run of zero-length calls must not
        # drive the mean to zero.
        mean = max(mean, 1.0)
        return replace(self, mean_s=mean, variance_s2=variance, calls_seen=self.calls_seen + 1)


@dataclass(slots=True, kw_only=True)
class HandlingTimes:
    """Per-topic learned handling times, created and owned by the composition root."""

    prior: HandlingPrior = field(default_factory=HandlingPrior)
    settings: LearnerSettings = field(default_factory=LearnerSettings)
    _by_topic: dict[str, HandlingTime] = field(default_factory=dict)

    def for_topic(self, topic: str) -> HandlingTime:
        """The current estimate for ``topic`` (the prior if no call has been seen)."""
        known = self._by_topic.get(topic)
        return known if known is not None else HandlingTime.from_prior(self.prior, self.settings)

    def observe(self, topic: str, observation: HandlingObservation) -> HandlingTime:
        """Record one finished call of ``topic`` and return the new estimate."""
        if not topic:
            raise ValueError("HandlingTimes.observe: topic must be a non-empty string")
        updated = self.for_topic(topic).observe(observation)
        self._by_topic[topic] = updated
        return updated
