"""The agents' desks: the controller's events folded for each agent's page, live.

Theory of operation
-------------------
``AgentDesks`` is an ``EventSink``: the controller hands it every event it publishes,
right after the publisher (``acd.controller`` tees them). It keeps a ``CallScreen`` per
call in progress (``acd.desk.screen``) and a ``Tally`` per agent (``acd.desk.tally``),
and wakes the agent's page whenever an event concerns them: the ``call.offered`` that
rings their phone is what pops the caller's screen, at the moment the controller rings
it. The agent's own state (state, since, position, the after-call-work end, a pending
pause) is read from the queue service each time, so it is the ACD's own.

A call's screen is dropped when the call has ended (``call.ended``, or Asterisk's
end of the call for a direct call to the back office: ``acd.desk.consumer``) and no
agent is still on it (talking or wrapping it up); the page keeps showing the call
through after-call work.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, time
from zoneinfo import ZoneInfo

from acd.changes import ChangeFeed
from acd.clock import Clock
from acd.core import AgentView, PositionView
from acd.desk import screen as screens
from acd.desk.history import CallerHistory
from acd.desk.screen import CallScreen
from acd.desk.tally import Tally, figures
from contract.events import (
    AgentStateChanged,
    BackOfficeRinging,
    CallAnnounced,
    CallAnswered,
    CallEnded,
    CallIvrStep,
    CallNotAnswered,
    CallOffered,
    CallQueued,
    CallStarted,
    CallTransferred,
    StreamEvent,
)
from ivr_flows.model import Flow, MenuNode
from site_config import SiteConfig

_GOING_ON = (CallIvrStep, CallQueued, CallAnnounced, CallOffered, CallNotAnswered, CallAnswered)
"""Events that say a call is going on, so they open a screen for a call not seen begin."""

LOCAL = ZoneInfo("Europe/Amsterdam")


@dataclass(frozen=True, slots=True)
class Names:
    """The site's Dutch names for what the screen shows by id."""

    site: str
    agents: Mapping[str, str]
    municipalities: Mapping[str, str]
    topics: Mapping[str, str]
    departments: Mapping[str, str]
    acw_s: float  # the site's after-call work, for the countdown's full length
    choices: Mapping[tuple[str, str], str]  # (menu node, digit) -> what the option says
    # Departments and their phones, to address a callback note: (id, name, ((ext, name),)).
    directory: tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...]

    @classmethod
    def of(cls, site: SiteConfig, flow: Flow) -> Names:
        menus = (n for n in flow.nodes.values() if isinstance(n, MenuNode))
        return cls(
            choices={(menu.id, o.digit): o.text for menu in menus for o in menu.options},
            directory=tuple(
                (d.id, d.name, tuple((e.extension, e.name) for e in d.extensions))
                for d in site.departments
            ),
            site=site.name,
            agents={a.id: a.name for a in site.agents},
            municipalities={m.id: m.name for m in site.municipalities},
            topics={t.id: t.name for t in site.topics},
            departments={d.id: d.name for d in site.departments},
            acw_s=float(site.norms.after_call_work_s),
        )


@dataclass(frozen=True, slots=True)
class Desk:
    """What one agent's page shows now."""

    agent: AgentView
    call: CallScreen | None
    today: dict[str, float | int | None]


class AgentDesks:
    def __init__(
        self,
        clock: Clock,
        history: CallerHistory,
        names: Names,
        *,
        agents: Callable[[], list[AgentView]],
        positions: Callable[[], list[PositionView]],
    ) -> None:
        self._clock, self._history, self.names = clock, history, names
        self._agents, self._positions = agents, positions
        self._calls: dict[str, CallScreen] = {}
        self._ended: set[str] = set()
        self._tallies: dict[str, Tally] = {}
        self._feed: ChangeFeed[str] = ChangeFeed()

    # ------------------------------------------------------------ the sink

    def publish(self, event: StreamEvent) -> None:
        if isinstance(event, AgentStateChanged):
            self._agent_moved(event)
        elif event.call_id:
            self._call_step(event)
        if event.agent_id:
            self._wake(event.agent_id)
        screen = self._calls.get(event.call_id) if event.call_id else None
        if screen is not None and screen.offered_to and screen.offered_to != event.agent_id:
            self._wake(screen.offered_to)

    def _call_step(self, event: StreamEvent) -> None:
        screen = self._calls.get(event.call_id)
        if screen is None:
            if isinstance(event, CallStarted | BackOfficeRinging):
                count = self._history.seen(event.caller, event.at) if event.caller else None
                self._calls[event.call_id] = screens.begin(event, count)
            elif isinstance(event, _GOING_ON):
                # A call whose start this controller did not see (a restart): no history.
                # An event after a call's end (its recording stored) opens nothing.
                self._calls[event.call_id] = screens.begin(event, None)
            screen = self._calls.get(event.call_id)
            if screen is None:
                return
        self._calls[event.call_id] = screens.fold(screen, event)
        tally = self._tally(event.agent_id, event.at) if event.agent_id else None
        if isinstance(event, CallAnswered) and tally is not None:
            self._tallies[event.agent_id] = _counted(tally, answered=1)
        if isinstance(event, CallTransferred) and tally is not None:
            self._tallies[event.agent_id] = _counted(tally, transferred=1)
        if isinstance(event, CallEnded):
            self._ended.add(event.call_id)
            self._forget_ended()

    def call_over(self, call_id: str) -> None:
        """Asterisk ended the call (its first channel hung up, or is gone after an
        outage): its screen goes once no agent holds it. A direct call to the back
        office ends so, as it has no ``call.ended``."""
        if call_id in self._calls:
            self._ended.add(call_id)
            self._forget_ended()

    def calls(self) -> frozenset[str]:
        """The calls a screen is kept for."""
        return frozenset(self._calls)

    def call_entries(self) -> dict[str, int]:
        """The screens (and ended calls) kept for calls no agent is in any more: a screen
        an agent is still ringing, talking or wrapping up for is the page's, not a
        leftover (``acd.call_tables``)."""
        held = {a.call_id for a in self._agents() if a.call_id}
        return {
            "calls": sum(1 for c in self._calls if c not in held),
            "ended": sum(1 for c in self._ended if c not in held),
        }

    def _agent_moved(self, event: AgentStateChanged) -> None:
        tally = self._tally(event.agent_id, event.at)
        self._tallies[event.agent_id] = tally.moved(event.state, event.at)
        self._forget_ended()

    def _forget_ended(self) -> None:
        held = {a.call_id for a in self._agents() if a.call_id}
        for call_id in [c for c in self._ended if c not in held]:
            self._ended.discard(call_id)
            self._calls.pop(call_id, None)

    def _tally(self, agent_id: str, at: datetime) -> Tally:
        day = at.astimezone(LOCAL).date()
        tally = self._tallies.get(agent_id) or Tally(day)
        if tally.day != day:
            midnight = datetime.combine(day, time(0), LOCAL)
            tally = tally.next_day(day, midnight)
        return tally

    # ------------------------------------------------------------ reading

    def desk(self, agent_id: str) -> Desk | None:
        """The agent's page now; ``None`` for an agent the site does not have."""
        agent = next((a for a in self._agents() if a.agent_id == agent_id), None)
        if agent is None:
            return None
        now = self._clock.now()
        call = self._calls.get(agent.call_id) if agent.call_id else None
        tally = self._tally(agent_id, now)
        return Desk(agent, call, figures(tally, now))

    def positions(self) -> list[PositionView]:
        return self._positions()

    def now(self) -> datetime:
        return self._clock.now()

    def changes(self, agent_id: str) -> AsyncGenerator[None]:
        """Yields once per change for ``agent_id`` (changes in between merged)."""
        return self._feed.changes(agent_id)

    def touch(self, agent_id: str) -> None:
        """Wake the agent's page after a change no event says (an extended wrap-up)."""
        self._wake(agent_id)

    def _wake(self, agent_id: str) -> None:
        self._feed.wake(agent_id)

    def close(self) -> None:
        self._history.close()


def _counted(tally: Tally, *, answered: int = 0, transferred: int = 0) -> Tally:
    return replace(
        tally, answered=tally.answered + answered, transferred=tally.transferred + transferred
    )
