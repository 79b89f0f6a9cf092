"""What each call adds to the counts of the TIC figures (`CallTally`), and their sums.

Theory of operation: a call first becomes its contribution, what it adds to each field
of a `CallTally`; tallies of a period, a topic, an agent or a half hour are sums of
contributions. `CallTallySum` keeps such a sum as it goes, a call added or taken out
at a time, with its seconds summed exactly (`exact_sum`): a tally of the same calls is
the same to the last bit whatever order they came in, so the wallboard can fold each
call in once (`realtime_stats.wallboard.day_board`) and still equal a fresh pass.
`realtime_stats.figures.metrics` takes the ratios from the tallies.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields
from typing import Self

from realtime_stats.figures.exact_sum import ExactSum, exact_sum
from realtime_stats.figures.norms import MetricRules
from realtime_stats.figures.periods import Period
from realtime_stats.figures.records import CallRecord


class Summable:
    """Field-wise addition for the tallies, so groups are sums of smaller groups."""

    __slots__ = ()

    def __add__(self, other: Self) -> Self:
        names = (f.name for f in fields(self))  # type: ignore[arg-type]
        return type(self)(**{n: getattr(self, n) + getattr(other, n) for n in names})


@dataclass(frozen=True, slots=True, kw_only=True)
class CallTally(Summable):
    """Counts over the calls that entered the queue in a period and have an outcome.

    `completed` counts answered calls that have ended (their handling is known);
    `transferred` is the part of those warm-transferred to a back office. Talk and
    after-call sums are over completed calls, the answer-wait sum over answered calls.
    `unknown_end` counts calls whose end the stream never told (a controller restart):
    answered ones are counted as answered, never completed; unanswered ones only there.
    """

    offered: int = 0
    answered: int = 0
    abandoned: int = 0
    short_abandoned: int = 0
    answered_within_threshold: int = 0
    completed: int = 0
    transferred: int = 0
    fell_back: int = 0
    recorded: int = 0
    unknown_end: int = 0
    answer_wait_seconds: float = 0.0
    talk_seconds: float = 0.0
    after_call_seconds: float = 0.0


_SECONDS_FIELDS = ("answer_wait_seconds", "talk_seconds", "after_call_seconds")
_COUNT_FIELDS = tuple(f.name for f in fields(CallTally) if f.name not in _SECONDS_FIELDS)


def call_contribution(call: CallRecord, rules: MetricRules) -> dict[str, float]:
    """What one call adds to each `CallTally` field; a call still waiting adds nothing yet."""
    wait = call.wait_seconds()
    if wait is None:
        return {}
    fell_back = int(call.fell_back)
    if call.end_unknown and not call.answered:
        # Neither answered nor abandoned: what became of it is unknown, so it stays out
        # of the offered calls that the answer rate and the service level are over.
        return {"unknown_end": 1}
    if call.abandoned:
        short = int(wait <= rules.short_abandon_seconds)
        return {"offered": 1, "abandoned": 1, "short_abandoned": short, "fell_back": fell_back}
    completed = call.ended_at is not None and not call.end_unknown
    return {
        "offered": 1,
        "answered": 1,
        "answered_within_threshold": int(wait <= rules.answer_threshold_seconds),
        "completed": int(completed),
        "transferred": int(completed and call.transferred),
        "fell_back": fell_back,
        "recorded": int(call.recorded),
        "unknown_end": int(call.end_unknown),
        "answer_wait_seconds": wait,
        "talk_seconds": call.talk_seconds if completed else 0.0,
        "after_call_seconds": call.after_call_seconds if completed else 0.0,
    }


class CallTallySum:
    """A `CallTally` kept as it goes: contributions added and taken out, in any order."""

    __slots__ = ("_counts", "_seconds", "_tally")

    def __init__(self) -> None:
        self._counts = dict.fromkeys(_COUNT_FIELDS, 0)
        self._seconds = {name: ExactSum() for name in _SECONDS_FIELDS}
        self._tally: CallTally | None = None  # read on every push, changed on few

    def add(self, contribution: dict[str, float], sign: int = 1) -> None:
        """Add one call's `call_contribution` (``sign`` -1: take it out again)."""
        self._tally = None
        for name, value in contribution.items():
            seconds = self._seconds.get(name)
            if seconds is None:
                self._counts[name] += sign * int(value)
            elif sign > 0:
                seconds.add(value)
            else:
                seconds.remove(value)

    def tally(self) -> CallTally:
        if self._tally is None:
            # 0, not 0.0, for a sum of no calls: the reports' cells have always shown it so.
            seconds = {n: s.value if s.terms else 0 for n, s in self._seconds.items()}
            self._tally = CallTally(**self._counts, **seconds)  # type: ignore[arg-type]
        return self._tally


def tally_call(call: CallRecord, rules: MetricRules) -> CallTally:
    return CallTally(**call_contribution(call, rules))  # type: ignore[arg-type]


def tally_calls(calls: Iterable[CallRecord], period: Period, rules: MetricRules) -> CallTally:
    """The calls that entered the queue in ``period``, tallied: what a `CallTallySum` of
    them gives, in one pass (this runs over every call of the day for a report)."""
    counts = dict.fromkeys(_COUNT_FIELDS, 0)
    seconds: dict[str, list[float]] = {name: [] for name in _SECONDS_FIELDS}
    for call in calls:
        # Record times are UTC already, so compare directly.
        if period.start <= call.entered_at < period.end:
            for name, value in call_contribution(call, rules).items():
                terms = seconds.get(name)
                if terms is None:
                    counts[name] += int(value)
                else:
                    terms.append(value)
    sums = {name: exact_sum(terms) if terms else 0 for name, terms in seconds.items()}
    return CallTally(**counts, **sums)  # type: ignore[arg-type]
