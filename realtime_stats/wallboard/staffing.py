"""The wallboard trend's staffing advice: Erlang C agents advised against agents staffed.

Each half hour of the wallboard trend carries the Erlang C advice for the calls measured
in it (:func:`realtime_stats.figures.staffing.required_agents`, no formula of its own), planned
with the day's measured handle time or, before any call is completed, the defaults here.
Beside it goes the average number of agents actually staffed in that half hour, so the
team lead sees advised against staffed. :mod:`realtime_stats.wallboard.snapshot` puts both in the
snapshot; this module only computes them.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from realtime_stats.figures.agent_time import team_time
from realtime_stats.figures.metrics import Figures
from realtime_stats.figures.periods import Period
from realtime_stats.figures.records import AgentInterval
from realtime_stats.figures.staffing import required_agents
from site_config.norms import Norms

# The site config has no talk-time norm. Until a call has been completed today, plan with
# 180 s of talk (the `kcc staffing` example): with the 60 s after-call norm that is the
# 4 minutes seed 003 allows for a contact by phone, so the advice errs on the safe side.
DEFAULT_TALK_SECONDS = 180.0


@dataclass(frozen=True, slots=True)
class HandleTime:
    """Talk and after-call seconds per call the staffing advice plans with, and whether
    they were ``"measured"`` today or are the ``"default"`` figures."""

    talk_s: float
    acw_s: float
    basis: Literal["measured", "default"]


def handle_time(day: Figures, norms: Norms) -> HandleTime:
    """The day's mean handle time over its completed calls, or the defaults before any."""
    talk, acw = day.average_talk_seconds, day.average_after_call_seconds
    # Completed calls of 0 s talk only (not yet seen) would leave Erlang C no handle time.
    if talk is None or acw is None or talk <= 0:
        return HandleTime(DEFAULT_TALK_SECONDS, float(norms.after_call_work_s), "default")
    return HandleTime(talk, acw, "measured")


@dataclass(frozen=True, slots=True)
class StaffingAdvice:
    """What the trend's staffing advice is computed against."""

    norms: Norms
    handle: HandleTime

    def for_offered(self, offered: int) -> dict[str, Any] | None:
        """Erlang C advice for a half hour's calls, at their measured rate per hour."""
        if not offered:
            return None
        result = required_agents(
            offered * 2.0,
            self.handle.talk_s,
            after_call_seconds=self.handle.acw_s,
            service_level=self.norms.target,
            within=float(self.norms.answer_within_s),
            max_occupancy=self.norms.max_occupancy,
        )
        return {
            "agents": result.agents,
            "service_level": result.service_level,
            "occupancy": result.occupancy,
            # Only infinite when N = A at a 100 % cap and a near-zero target; JSON has no inf.
            "asa_seconds": result.asa_seconds if math.isfinite(result.asa_seconds) else None,
            "basis": self.handle.basis,
        }


def staffed_agents(
    intervals: Iterable[AgentInterval], bucket: Period, now: datetime
) -> float | None:
    """Agents staffed (logged in, not paused) on average over the half hour so far: the
    number Erlang C's advice is comparable with. None for a half hour not yet begun."""
    elapsed = (min(bucket.end, now) - bucket.start).total_seconds()
    if elapsed <= 0:
        return None
    # Only the half hour's own intervals: team_time clips each one, which over the whole
    # day's intervals for every half hour would double the snapshot's cost.
    overlapping = (i for i in intervals if i.start < bucket.end and (i.end or now) > bucket.start)
    return team_time(overlapping, bucket, now).staffed_seconds / elapsed
