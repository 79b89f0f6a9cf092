"""The ACD core: one object that takes inputs and returns effects, and nothing else.

Theory of operation
-------------------
``Acd.feed`` is the only way the state changes. It routes the input (``routes``) on a
working copy of the floor: the agent and call machines check their transition tables,
the routes check what needs the whole floor (a free, open position; a known topic).
Then the dispatcher (``dispatch``) offers waiting callers to free agents until no
offer is possible. If anything rejects the input, the copy is dropped and the only
effect is one ``Reject``: the floor is exactly as before. If it is accepted, the copy
becomes the floor and the calls whose after-call work ended are fed to the handling
learner.

There is no clock, socket or task here: every input carries ``at``, and timers are
effects (``StartTimer``) that come back as inputs (``TimerFired``).
"""

from __future__ import annotations

from datetime import datetime
from typing import cast

from acd.core.dispatch import dispatch
from acd.core.effects import Effect, Reject
from acd.core.floor import Floor
from acd.core.inputs import Input, Offer
from acd.core.plan import FloorPlan
from acd.core.rejection import Rejected
from acd.core.routes import ROUTES
from acd.core.snapshot import queue_snapshot
from acd.core.views import (
    AgentView,
    PositionView,
    WaitingCall,
    agent_views,
    position_views,
    waiting_calls,
)
from acd.waiting.estimate import QueueSnapshot
from acd.waiting.handling import HandlingTimes
from site_config import SiteConfig

_FED = sorted(kind.__name__ for kind in ROUTES if kind.__name__ != "Offer")


class Acd:
    """Sans-I/O automatic call distributor for the TIC: skills, queue order, agents."""

    def __init__(self, site: SiteConfig, *, handling: HandlingTimes | None = None) -> None:
        self._plan = FloorPlan.from_site(site)
        self._floor = Floor.from_plan(self._plan)
        self._handling = handling if handling is not None else HandlingTimes()

    @property
    def handling(self) -> HandlingTimes:
        """The per-topic handling-time learner the core feeds."""
        return self._handling

    def feed(self, event: object) -> list[Effect]:
        """Apply one input; returns the effects to carry out, in order."""
        route = ROUTES.get(type(event))
        if route is None:
            return [
                Reject(
                    input_name=type(event).__name__,
                    why=f"not an ACD input; expected one of {', '.join(_FED)}",
                )
            ]
        at = cast(Input | Offer, event).at  # every routed type is one of these
        work = self._floor.copy()
        try:
            effects = route(work, self._plan, event)
            effects += dispatch(work, self._plan, at)
        except Rejected as refused:
            return [Reject(input_name=type(event).__name__, why=refused.why)]
        self._commit(work)
        return effects

    def _commit(self, work: Floor) -> None:
        for handled in work.handled:
            self._handling.observe(handled.topic, handled.observation)
        work.handled.clear()
        self._floor = work

    def call_entries(self) -> dict[str, int]:
        """What the floor holds per call: a record from its offer until its after-call
        work ends (``acd.call_tables``)."""
        return {"calls": len(self._floor.calls)}

    def snapshot_for(self, call_id: str, at: datetime) -> QueueSnapshot | None:
        """The waiting caller's queue for the estimate; ``None`` if not waiting."""
        return queue_snapshot(self._floor, self._handling, call_id, at, self._plan.overflow_after)

    def waiting(self) -> list[WaitingCall]:
        """Callers waiting for an agent, longest waiting first."""
        return waiting_calls(self._floor)

    def agents(self) -> list[AgentView]:
        """Every configured agent, by agent id."""
        return agent_views(self._floor)

    def topics(self) -> frozenset[str]:
        """The ids of the site's topics."""
        return frozenset(self._plan.topics)

    def positions(self) -> list[PositionView]:
        """Every TIC position, open or closed, with its agent."""
        return position_views(self._floor, self._plan)
