"""A test driver for the ACD core: a hand-moved clock, short helpers, effect filters."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from acd.core import inputs as ev
from acd.core.acd import Acd
from acd.core.effects import Effect, Publish, Reject, RingAgent
from acd.core.states import AgentState, PauseReason
from acd.core.views import AgentView, PositionView, WaitingCall
from acd.waiting.handling import HandlingTimes
from site_config import SiteConfig, load_site_config

SAMPLE = Path(__file__).resolve().parents[4] / "config" / "site.yaml"
T0 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)

E = TypeVar("E")


def sample_site() -> SiteConfig:
    return load_site_config(SAMPLE)


@dataclass(frozen=True)
class FloorState:
    """Everything the core shows; equal before and after an input that changed nothing."""

    agents: list[AgentView]
    waiting: list[WaitingCall]
    positions: list[PositionView]


@dataclass
class Driver:
    """Feeds an ``Acd`` with inputs stamped by a clock the test moves by hand."""

    site: SiteConfig
    handling: HandlingTimes = field(default_factory=HandlingTimes)
    now: datetime = T0

    def __post_init__(self) -> None:
        self.acd = Acd(self.site, handling=self.handling)

    def wait(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)

    def feed(self, kind: type[Any], **fields: Any) -> list[Effect]:
        fields.setdefault("at", self.now)
        return self.acd.feed(kind(**fields))

    def login(self, agent_id: str, position_id: str) -> list[Effect]:
        return self.feed(ev.AgentLogin, agent_id=agent_id, position_id=position_id)

    def on_duty_paused(self, agent_id: str, position_id: str) -> None:
        """``agent_id`` logged in and on a break: their topics are on duty, they take no
        calls (so callers of those topics wait for a skilled agent until they overflow)."""
        self.login(agent_id, position_id)
        self.feed(ev.AgentPause, agent_id=agent_id, reason=PauseReason.BREAK)

    def queue(self, call_id: str, topic: str, municipality: str | None = "haarlem") -> list[Effect]:
        return self.feed(
            ev.CallQueued,
            call_id=call_id,
            topic=topic,
            municipality=municipality,
            fell_back_from=None,
        )

    def answer(self, call_id: str, agent_id: str) -> list[Effect]:
        return self.feed(ev.OfferAnswered, call_id=call_id, agent_id=agent_id)

    def complete(self, call_id: str, agent_id: str) -> list[Effect]:
        return self.feed(ev.CallCompleted, call_id=call_id, agent_id=agent_id)

    def fail(self, call_id: str, agent_id: str, reason: str = "no_answer") -> list[Effect]:
        return self.feed(ev.OfferFailed, call_id=call_id, agent_id=agent_id, reason=reason)

    def agent(self, agent_id: str) -> AgentView:
        return next(a for a in self.acd.agents() if a.agent_id == agent_id)

    def state(self, agent_id: str) -> AgentState:
        return self.agent(agent_id).state

    def seen(self) -> FloorState:
        return FloorState(self.acd.agents(), self.acd.waiting(), self.acd.positions())


def of_type(effects: Iterable[Effect], kind: type[E]) -> list[E]:
    return [e for e in effects if isinstance(e, kind)]


def published(effects: Iterable[Effect], type_: str) -> list[Publish]:
    return [e for e in of_type(effects, Publish) if e.type == type_]


def rings(effects: Iterable[Effect]) -> list[tuple[str, str]]:
    """(call, agent) of every RingAgent, in order."""
    return [(r.call_id, r.agent_id) for r in of_type(effects, RingAgent)]


def rejected(effects: list[Effect]) -> Reject:
    """The single Reject an input that was not allowed must produce."""
    assert len(effects) == 1 and isinstance(effects[0], Reject), effects
    return effects[0]
