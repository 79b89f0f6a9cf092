"""Per-caller memory that keeps the announced wait from going up without a real reason.

The no-increase rule
--------------------
A caller who was told "ongeveer 4 minuten" and then hears "ongeveer 5 minuten" while
the queue moved normally loses trust in every later message. So each caller has one
``CallerWaitAnnouncer`` that remembers what it last told them, and:

1. The first estimate is told as computed.
2. After that, each value told (expected, low, high) is the *minimum* of the new
   estimate and the value told last time - unless the situation really changed since
   the last announcement, defined as exactly one of:
   a. fewer agents serve the topic than at the last announcement (agents went off
      duty or logged out of the topic), or
   b. the caller's position is higher than at the last announcement (someone was
      put ahead of them).
   Then the new estimate is told as computed, and it becomes the new reference.
3. With nobody serving the topic the caller is told so (``NobodyServing``); the first
   estimate after agents return is told as computed, like rule 1.

Because the spoken rounding is monotone, capping the seconds also keeps the spoken
phrase from going up. Not a "real change": the learned handling time drifting upwards,
or a long wait in itself - a caller's wait is never raised just for waiting long.

The state machine (Enum + transition table) only decides which memory applies; the
announcer performs no I/O.
"""

from __future__ import annotations

from enum import Enum

from acd.waiting.estimate import NobodyServing, QueueSnapshot, WaitEstimate, expected_wait


class TellState(Enum):
    """What this caller has heard so far."""

    NOTHING_TOLD = "nothing-told"
    TOLD_WAIT = "told-wait"
    TOLD_NOBODY_SERVING = "told-nobody-serving"


class Outcome(Enum):
    """What the estimator says now."""

    WAIT = "wait"
    NOBODY_SERVING = "nobody-serving"


_TRANSITIONS: dict[tuple[TellState, Outcome], TellState] = {
    (TellState.NOTHING_TOLD, Outcome.WAIT): TellState.TOLD_WAIT,
    (TellState.NOTHING_TOLD, Outcome.NOBODY_SERVING): TellState.TOLD_NOBODY_SERVING,
    (TellState.TOLD_WAIT, Outcome.WAIT): TellState.TOLD_WAIT,
    (TellState.TOLD_WAIT, Outcome.NOBODY_SERVING): TellState.TOLD_NOBODY_SERVING,
    (TellState.TOLD_NOBODY_SERVING, Outcome.WAIT): TellState.TOLD_WAIT,
    (TellState.TOLD_NOBODY_SERVING, Outcome.NOBODY_SERVING): TellState.TOLD_NOBODY_SERVING,
}


class CallerWaitAnnouncer:
    """Decides what one waiting caller is told at each announcement."""

    def __init__(self) -> None:
        self._state = TellState.NOTHING_TOLD
        # What was told last time, and the agents and position it was told with.
        self._last_wait: WaitEstimate | None = None
        self._last_agents = 0
        self._last_position = 0

    @property
    def state(self) -> TellState:
        return self._state

    def tell(self, snapshot: QueueSnapshot) -> WaitEstimate | NobodyServing:
        """The estimate to announce now, with the no-increase rule applied."""
        estimate = expected_wait(snapshot)
        outcome = Outcome.NOBODY_SERVING if isinstance(estimate, NobodyServing) else Outcome.WAIT
        previous_state = self._state
        self._state = _TRANSITIONS[(previous_state, outcome)]
        if isinstance(estimate, NobodyServing):
            self._last_wait = None
            return estimate
        told = estimate
        last = self._last_wait
        if previous_state is TellState.TOLD_WAIT and last is not None:
            really_changed = (
                snapshot.agents_serving < self._last_agents
                or snapshot.position > self._last_position
            )
            if not really_changed:
                told = estimate.no_higher_than(last)
        self._last_wait = told
        self._last_agents = snapshot.agents_serving
        self._last_position = snapshot.position
        return told
