"""Erlang C staffing: how many TIC agents a forecast of calls needs (`kcc staffing` prints it).

Theory of operation: with calls arriving at random (Poisson) at `arrivals_per_hour`,
each holding an agent for the handle time (talk + after-call work), the offered traffic
is A = arrivals/h x handle s / 3600 Erlang. Erlang C gives the chance Pw that a caller
must queue when N agents serve an unlimited queue. It is computed from the Erlang B
recurrence B(0) = 1, B(k) = A.B(k-1) / (k + A.B(k-1)), then C = N.B / (N - A.(1 - B)),
which never forms A**N or N! and so stays exact to float precision for thousands of
agents. From Pw:

    service level(t) = 1 - Pw . exp(-(N - A) . t / handle)
    ASA              = Pw . handle / (N - A)
    occupancy        = A / N

With N <= A the queue grows without bound: Pw = 1, service level 0, ASA infinite,
occupancy 100 %. `required_agents` returns the smallest N that meets BOTH the
service-level target and the occupancy cap (60 % planning figure); the cap often needs
more agents than the service level alone.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

# See metrics._EPSILON: 6 Erlang over 10 agents must count as meeting a 0.6 cap.
_EPSILON = 1e-12


class StaffingInputError(ValueError):
    """An input out of range; `argument` names it so the CLI can point at the flag."""

    def __init__(self, argument: str, message: str) -> None:
        super().__init__(f"{argument} {message}")
        self.argument = argument
        self.message = message


def _finite(argument: str, value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise StaffingInputError(argument, f"must be a finite number, got {value!r}")
    return float(value)


def _at_least_zero(argument: str, value: float) -> float:
    if _finite(argument, value) < 0:
        raise StaffingInputError(argument, f"must be >= 0, got {value!r}")
    return float(value)


def _positive(argument: str, value: float) -> float:
    if _finite(argument, value) <= 0:
        raise StaffingInputError(argument, f"must be > 0, got {value!r}")
    return float(value)


def _fraction(argument: str, value: float) -> float:
    if not 0 < _finite(argument, value) <= 1:
        raise StaffingInputError(argument, f"must be in (0, 1], got {value!r}")
    return float(value)


def _agent_count(agents: int) -> int:
    if isinstance(agents, bool) or not isinstance(agents, int) or agents < 1:
        raise StaffingInputError("agents", f"must be a whole number >= 1, got {agents!r}")
    return agents


def traffic_erlangs(arrivals_per_hour: float, handle_s: float) -> float:
    """Offered traffic A in Erlang: the average number of calls in progress."""
    arrivals = _at_least_zero("arrivals_per_hour", arrivals_per_hour)
    return arrivals * _positive("handle_s", handle_s) / 3600.0


def _erlang_b_series(traffic: float) -> Iterator[tuple[int, float]]:
    """(N, Erlang B blocking for N servers) for N = 1, 2, ...; each step reuses the last."""
    blocking, agents = 1.0, 0
    while True:
        agents += 1
        blocking = traffic * blocking / (agents + traffic * blocking)
        yield agents, blocking


def _c_from_b(traffic: float, agents: int, blocking: float) -> float:
    if agents <= traffic:
        return 1.0
    return agents * blocking / (agents - traffic * (1.0 - blocking))


def erlang_c(traffic_erlangs: float, agents: int) -> float:
    """Probability that a caller has to wait, for `agents` agents and A Erlang offered."""
    traffic = _at_least_zero("traffic_erlangs", traffic_erlangs)
    agents = _agent_count(agents)
    for n, blocking in _erlang_b_series(traffic):
        if n == agents:
            return _c_from_b(traffic, agents, blocking)
    raise AssertionError("unreachable: the series is endless")  # pragma: no cover


def _predicted_level(traffic: float, agents: int, pw: float, handle: float, within: float) -> float:
    if agents <= traffic:
        return 0.0
    return 1.0 - pw * math.exp(-(agents - traffic) * within / handle)


def _asa(traffic: float, agents: int, pw: float, handle: float) -> float:
    return math.inf if agents <= traffic else pw * handle / (agents - traffic)


def predicted_service_level(
    arrivals_per_hour: float, handle_s: float, agents: int, within_s: float
) -> float:
    """Share of calls Erlang C predicts are answered within `within_s` seconds (no
    abandonment); what was measured is `metrics.measured_service_level`."""
    traffic = traffic_erlangs(arrivals_per_hour, handle_s)
    within = _at_least_zero("within_s", within_s)
    return _predicted_level(traffic, agents, erlang_c(traffic, agents), handle_s, within)


def asa(arrivals_per_hour: float, handle_s: float, agents: int) -> float:
    """Average speed of answer in seconds over all calls (those not queued count as 0)."""
    traffic = traffic_erlangs(arrivals_per_hour, handle_s)
    return _asa(traffic, agents, erlang_c(traffic, agents), handle_s)


def occupancy(arrivals_per_hour: float, handle_s: float, agents: int) -> float:
    """Share of staffed time spent handling calls: A / N, at most 1."""
    traffic = traffic_erlangs(arrivals_per_hour, handle_s)
    return min(1.0, traffic / _agent_count(agents))


@dataclass(frozen=True, slots=True, kw_only=True)
class StaffingResult:
    """The staffing answer and what it gives; `handle_seconds` is talk + after-call work."""

    agents: int
    traffic_erlangs: float
    handle_seconds: float
    probability_of_waiting: float
    service_level: float
    occupancy: float
    asa_seconds: float


def required_agents(
    arrivals_per_hour: float,
    handle_seconds: float,
    after_call_seconds: float = 0.0,
    service_level: float = 0.8,
    within: float = 20.0,
    max_occupancy: float = 0.6,
) -> StaffingResult:
    """Smallest number of agents meeting the service level AND staying under the occupancy cap.

    `handle_seconds` is the talk time (including hold); after-call work is added to it.
    At least one agent is returned, even with no calls forecast: the line is open.
    """
    handle = _positive("handle_seconds", handle_seconds) + _at_least_zero(
        "after_call_seconds", after_call_seconds
    )
    target = _fraction("service_level", service_level)
    within_s = _at_least_zero("within", within)
    cap = _fraction("max_occupancy", max_occupancy)
    traffic = traffic_erlangs(arrivals_per_hour, handle)
    for agents, blocking in _erlang_b_series(traffic):
        if traffic / agents > cap + _EPSILON:
            continue
        pw = _c_from_b(traffic, agents, blocking)
        reached = _predicted_level(traffic, agents, pw, handle, within_s)
        if reached >= target - _EPSILON:
            return StaffingResult(
                agents=agents,
                traffic_erlangs=traffic,
                handle_seconds=handle,
                probability_of_waiting=pw,
                service_level=reached,
                occupancy=traffic / agents,
                asa_seconds=_asa(traffic, agents, pw, handle),
            )
    raise AssertionError("unreachable: the series is endless")  # pragma: no cover
