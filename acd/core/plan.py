"""The floor plan: what the ACD core takes from the site configuration, once.

Positions and their extensions, the agents and their rostered topics, the topics,
municipalities and departments callers and transfers may name, and the two timings the
core works with: the ring-no-answer time and the after-call work (``norms``), and each
topic's overflow time.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from types import MappingProxyType

from acd.core.agent_steps import AgentSettings
from acd.core.rejection import Rejected, unknown
from site_config import Position, SiteConfig


@dataclass(frozen=True, slots=True, kw_only=True)
class FloorPlan:
    """The static facts of the floor, checked lookups that reject unknown ids."""

    positions: Mapping[str, Position]
    agent_names: Mapping[str, str]
    agent_topics: Mapping[str, frozenset[str]]
    topics: frozenset[str]
    municipalities: frozenset[str]
    department_extensions: Mapping[str, str]
    after_call_work_s: float
    ring_timeout_s: float
    agent_settings: AgentSettings
    overflow_after: Mapping[str, timedelta]
    """Per topic: how long a caller waits for a skilled agent before any may take them."""

    @classmethod
    def from_site(cls, site: SiteConfig) -> FloorPlan:
        acw_s = float(site.norms.after_call_work_s)
        extensions = MappingProxyType({p.id: p.extension for p in site.positions})
        return cls(
            positions=MappingProxyType({p.id: p for p in site.positions}),
            agent_names=MappingProxyType({a.id: a.name for a in site.agents}),
            agent_topics=MappingProxyType({a.id: frozenset(a.topics) for a in site.agents}),
            topics=frozenset(t.id for t in site.topics),
            municipalities=frozenset(m.id for m in site.municipalities),
            department_extensions=MappingProxyType(
                {d.id: d.extensions[0].extension for d in site.departments}
            ),
            after_call_work_s=acw_s,
            ring_timeout_s=float(site.norms.ring_no_answer_s),
            agent_settings=AgentSettings(after_call_work_s=acw_s, extensions=extensions),
            overflow_after=MappingProxyType(
                {t.id: timedelta(seconds=t.overflow_after_s) for t in site.topics}
            ),
        )

    def position(self, position_id: str) -> Position:
        found = self.positions.get(position_id)
        if found is None:
            raise unknown("position", position_id, self.positions)
        return found

    def extension(self, position_id: str | None) -> str:
        found = self.positions.get(position_id or "")
        return found.extension if found is not None else ""

    def check_topics(self, topics: Iterable[str]) -> None:
        wrong = sorted(set(topics) - self.topics)
        if wrong:
            named = ", ".join(map(repr, wrong))
            raise Rejected(f"unknown topic {named}; known: {', '.join(sorted(self.topics))}")

    def check_municipality(self, municipality: str | None) -> None:
        if municipality is not None and municipality not in self.municipalities:
            raise unknown("municipality", municipality, self.municipalities)

    def check_department(self, department: str | None) -> None:
        if department is not None and department not in self.department_extensions:
            raise unknown("department", department, self.department_extensions)
