"""Service norms and staffing figures the ACD and the wallboard measure against.

Defaults are the requirements' own figures: 80% answered within 20 s, a waiting
message every 4 Dutch rings (1 s tone + 4 s silence = 5 s per ring), 60 s after-call
work, plan for 60% occupancy, back office answers within 3 rings, a callback note is
done by the end of the next working day (003 app. 6: callback requests within 1 working
day).
"""

from __future__ import annotations

from typing import Annotated

from site_config.fields import FrozenModel, fraction, in_range


class Norms(FrozenModel, frozen=True):
    """Service levels and timing; every field has the requirements' default."""

    target: Annotated[float, fraction(allow_zero=False)] = 0.80
    answer_within_s: Annotated[int, in_range(1, 600, "seconds")] = 20
    ring_cycle_s: Annotated[int, in_range(1, 30, "seconds")] = 5
    waiting_message_every_rings: Annotated[int, in_range(1, 60, "rings")] = 4
    after_call_work_s: Annotated[int, in_range(0, 3600, "seconds")] = 60
    ring_no_answer_s: Annotated[int, in_range(5, 300, "seconds")] = 15
    max_occupancy: Annotated[float, fraction(allow_zero=False)] = 0.60
    back_office_answer_within_rings: Annotated[int, in_range(1, 20, "rings")] = 3
    # A callback note is due at the close of this many working days after it is written.
    callback_within_working_days: Annotated[int, in_range(1, 10, "working days")] = 1
    # No caller waits longer than this in a queue: then they are told and the call ends
    # (docs/decisions.md, "Maximum time in the queue").
    max_wait_s: Annotated[int, in_range(60, 7200, "seconds")] = 1800

    @property
    def waiting_message_interval_s(self) -> int:
        """Seconds between waiting messages (first one after the same time)."""
        return self.ring_cycle_s * self.waiting_message_every_rings
