"""What Asterisk's app_queue would tell a waiting caller (the benchmark baseline).

Modelled on apps/app_queue.c (Asterisk master, read 2026-08):

* ``recalc_holdtime`` runs when a queued caller is *answered*, with that caller's own
  hold time ``now - qe->start`` in whole seconds (time_t). It keeps one value per queue:
  ``holdtime = ((holdtime << 2) - holdtime + new) >> 2``, i.e. (3 old + new) / 4 with
  integer floor. While ``callscompleted + callsabandoned == 0`` - and ``callscompleted``
  is only incremented in ``update_queue`` when a call *ends* - each answer overwrites
  ``holdtime`` with its own hold time instead.
* ``say_position`` computes ``avgholdmins = labs(((holdtime + 30) - (now - qe->start)) / 60)``
  with C integer division (truncates towards zero). With the default
  ``roundingseconds = 0`` no seconds are said, so when ``avgholdmins`` is 0 the hold
  time is not announced at all (the caller only hears the position); otherwise the
  caller hears "the estimated hold time is N minute(s)". Once the caller has waited past
  ``holdtime + 90`` s the ``labs`` makes N grow again with the caller's own wait.

Abandoned calls are not modelled (the simulation has none), so ``callsabandoned`` is 0.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class AsteriskHeard:
    """What the caller hears: ``minutes`` > 0, or nothing about the hold time."""

    minutes: int

    @property
    def announced(self) -> bool:
        return self.minutes > 0


class AsteriskQueueModel:
    """The per-queue hold-time average of app_queue and its announcement."""

    def __init__(self) -> None:
        self.holdtime = 0
        self.calls_completed = 0

    def on_answer(self, hold_s: int) -> None:
        """recalc_holdtime(qe, now - qe->start) when a queued caller is bridged."""
        if hold_s < 0:
            raise ValueError(f"hold_s must be >= 0, got {hold_s}")
        if self.calls_completed == 0:
            self.holdtime = hold_s
        else:
            self.holdtime = ((self.holdtime << 2) - self.holdtime + hold_s) >> 2

    def on_call_end(self) -> None:
        """update_queue(): q->callscompleted++ when the agent's call is over."""
        self.calls_completed += 1

    def heard(self, waited_s: int) -> AsteriskHeard:
        """say_position()'s hold-time part for a caller who has waited ``waited_s``."""
        remaining = (self.holdtime + 30) - waited_s
        # C long division truncates towards zero; Python's // floors, so use abs first.
        return AsteriskHeard(abs(remaining) // 60)
