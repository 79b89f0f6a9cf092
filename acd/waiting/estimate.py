"""Expected remaining wait of one queued caller, as a pure function of a queue snapshot.

Theory of operation
-------------------
A caller at position ``k`` (1 = next) in a topic queue is answered when ``k`` agents
serving that topic have become free for them. Agents that are free right now take the
first callers at once, so the caller needs ``d = k - free`` *departures* (an agent
finishing talk + after-call work) among the ``s`` agents serving the topic.

* The first departure comes from the agents busy now. Agent ``i`` has been busy for
  ``a_i`` seconds; its expected remaining time is ``r(a_i)`` (see ``residual_s``). Treating
  the agents as racing, the first of them is free after about ``1 / sum(1 / r_i)``.
* Every later departure comes from ``s`` agents, each freeing up at rate ``1 / h``, so
  they are ``h / s`` apart on average (``h`` = learned mean handling time).

Hence ``E[wait] = T1 + (d - 1) * h / s``; with nothing known about elapsed service
(``r_i = h``) this is the classic ``d * h / s``. The band is one standard deviation
either side, taking each gap as exponential (variance ``T1^2 + (d - 1) (h / s)^2``).

``r(a)`` interpolates between the two textbook cases by the coefficient of variation
``c`` of the handling time: exponential calls (``c = 1``) are memoryless, so elapsed
time says nothing (``r = h``); fixed-length calls (``c = 0``) have ``r = h - a``. For
``c`` in between we use ``h * (c^2 + (1 - c^2) * max(0, 1 - a / h))``, which starts at
``h`` and falls to ``c^2 h`` - the limit of the residual life of a gamma distribution
with that mean and ``c``. ``c`` above 1 is treated as 1 so the estimate for a caller
never grows just because the calls ahead of them take long.

Nobody serving the topic (``s = 0``) is not a division by zero but its own outcome,
``NobodyServing``: there is no honest number to say.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

_MIN_RESIDUAL_S = 5.0
"""An overdue call (fixed-length model) still needs a moment to end and to reach us."""


@dataclass(frozen=True, slots=True, kw_only=True)
class QueueSnapshot:
    """What is known about one caller's queue at one moment."""

    position: int
    """1-based position of the caller in the topic queue (1 = next to be answered)."""
    agents_serving: int
    """Agents on duty and logged in to this topic (busy or not)."""
    agents_busy: int
    """How many of them are in a call or in after-call work."""
    mean_handling_s: float
    """Learned mean talk + after-call work of the topic."""
    handling_cv: float = 1.0
    """Learned coefficient of variation of the handling time."""
    busy_for_s: tuple[float, ...] | None = None
    """Per busy agent, seconds since that call started; None when unknown."""

    def __post_init__(self) -> None:
        if self.position < 1:
            raise ValueError(f"QueueSnapshot.position must be >= 1, got {self.position!r}")
        if self.agents_serving < 0:
            raise ValueError(
                f"QueueSnapshot.agents_serving must be >= 0, got {self.agents_serving!r}"
            )
        if not 0 <= self.agents_busy <= self.agents_serving:
            raise ValueError(
                "QueueSnapshot.agents_busy must be between 0 and agents_serving "
                f"({self.agents_serving}), got {self.agents_busy!r}"
            )
        if not (math.isfinite(self.mean_handling_s) and self.mean_handling_s > 0.0):
            raise ValueError(
                "QueueSnapshot.mean_handling_s must be finite and > 0, "
                f"got {self.mean_handling_s!r}"
            )
        if not (math.isfinite(self.handling_cv) and self.handling_cv >= 0.0):
            raise ValueError(
                f"QueueSnapshot.handling_cv must be finite and >= 0, got {self.handling_cv!r}"
            )
        self._check_busy_for()

    def _check_busy_for(self) -> None:
        if self.busy_for_s is None:
            return
        if len(self.busy_for_s) != self.agents_busy:
            raise ValueError(
                f"QueueSnapshot.busy_for_s has {len(self.busy_for_s)} entries but agents_busy "
                f"is {self.agents_busy}; give one elapsed time per busy agent"
            )
        # 0 <= a < inf is False for NaN as well.
        if not all(0.0 <= a < math.inf for a in self.busy_for_s):
            bad = [a for a in self.busy_for_s if not 0.0 <= a < math.inf]
            raise ValueError(f"QueueSnapshot.busy_for_s must be finite and >= 0, got {bad!r}")

    @property
    def agents_free(self) -> int:
        return self.agents_serving - self.agents_busy


@dataclass(frozen=True, slots=True, kw_only=True)
class WaitEstimate:
    """Expected remaining wait in seconds with a low/high band (about one sigma)."""

    expected_s: float
    low_s: float
    high_s: float

    def no_higher_than(self, earlier: WaitEstimate) -> WaitEstimate:
        """This estimate with each value capped at the one in ``earlier``."""
        if (
            self.expected_s <= earlier.expected_s
            and self.low_s <= earlier.low_s
            and self.high_s <= earlier.high_s
        ):
            return self
        return WaitEstimate(
            expected_s=min(self.expected_s, earlier.expected_s),
            low_s=min(self.low_s, earlier.low_s),
            high_s=min(self.high_s, earlier.high_s),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class NobodyServing:
    """No agent is on duty for the topic, so no wait can be estimated."""


def residual_s(elapsed_s: float, mean_handling_s: float, cv: float) -> float:
    """Expected remaining handling time of a call that has lasted ``elapsed_s`` so far."""
    return _residual_s(elapsed_s, mean_handling_s, min(cv, 1.0) ** 2)


def _residual_s(elapsed_s: float, h: float, c2: float) -> float:
    remaining_share = max(0.0, 1.0 - elapsed_s / h)
    return max(h * (c2 + (1.0 - c2) * remaining_share), _MIN_RESIDUAL_S)


def _first_departure_s(snapshot: QueueSnapshot) -> float:
    """Expected time until the first of the agents (as they are now) becomes free."""
    h = snapshot.mean_handling_s
    # Free agents will have just picked up a caller ahead of us: a fresh call each.
    rate = snapshot.agents_free / h
    busy = snapshot.busy_for_s
    if busy is None or snapshot.handling_cv >= 1.0:
        # Unknown elapsed times, or memoryless calls: each busy agent is a fresh call.
        return 1.0 / (rate + snapshot.agents_busy / h)
    c2 = snapshot.handling_cv**2
    for elapsed in busy:
        rate += 1.0 / _residual_s(elapsed, h, c2)
    return 1.0 / rate


def expected_wait(snapshot: QueueSnapshot) -> WaitEstimate | NobodyServing:
    """Expected remaining wait of the caller described by ``snapshot``."""
    if snapshot.agents_serving == 0:
        return NobodyServing()
    departures = snapshot.position - snapshot.agents_free
    if departures <= 0:
        return WaitEstimate(expected_s=0.0, low_s=0.0, high_s=0.0)
    first = _first_departure_s(snapshot)
    gap = snapshot.mean_handling_s / snapshot.agents_serving
    expected = first + (departures - 1) * gap
    sigma = math.sqrt(first * first + (departures - 1) * gap * gap)
    return WaitEstimate(
        expected_s=expected, low_s=max(0.0, expected - sigma), high_s=expected + sigma
    )
