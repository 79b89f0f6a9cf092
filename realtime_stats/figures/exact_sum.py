"""Sums of seconds that do not depend on the order they are added in.

Theory of operation: a float sum taken left to right rounds after every addition, so
the same seconds added in another order can differ in the last digit. The wallboard
folds a record's seconds in once and takes them out again when the record changes
(`realtime_stats.wallboard.day_board`), in whatever order records change, and must
give exactly the figures a fresh pass over the day gives. So every sum of seconds in
the figures is kept exactly: each float is an integer multiple of 2**-1074, so the
sum is held as that integer, and rounded to the nearest float only when read (Python
divides integers correctly rounded). A fresh pass sums with `math.fsum`, which is
correctly rounded too and runs in C: the two agree to the last bit, and both are as
exact as a float can be.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

_SHIFT = 1074  # 2**-1074 is the smallest positive float


def scaled(value: float) -> int:
    """``value`` as an exact integer count of 2**-1074."""
    numerator, denominator = value.as_integer_ratio()
    return numerator << (_SHIFT + 1 - denominator.bit_length())


def to_float(total: int) -> float:
    """The float nearest to ``total`` * 2**-1074."""
    return total / (1 << _SHIFT)


class ExactSum:
    """A running exact sum of floats that terms can be added to and taken out of."""

    __slots__ = ("_terms", "_total")

    def __init__(self, values: Iterable[float] = ()) -> None:
        self._total = 0
        self._terms = 0
        for value in values:
            self.add(value)

    def add(self, value: float) -> None:
        self._total += scaled(value)
        self._terms += 1

    def remove(self, value: float) -> None:
        self._total -= scaled(value)
        self._terms -= 1

    def copy(self) -> ExactSum:
        twin = ExactSum()
        twin._total, twin._terms = self._total, self._terms
        return twin

    @property
    def terms(self) -> int:
        """How many terms are in the sum now."""
        return self._terms

    @property
    def value(self) -> float:
        return to_float(self._total)


def exact_sum(values: Iterable[float]) -> float:
    """The sum of ``values`` rounded once: the same whatever their order (0.0 when none),
    and the same as an `ExactSum` of them."""
    return math.fsum(values)
