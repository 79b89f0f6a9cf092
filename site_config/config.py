"""The one site configuration object every part of the backend is built from.

``SiteConfig`` is frozen and fully validated: field checks first, then the cross-checks
in :mod:`site_config.crosscheck`. Build it with :func:`site_config.load_site_config`; building
it directly (tests) runs the same checks.
"""

from __future__ import annotations

import zoneinfo
from pathlib import Path
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, model_validator

from site_config.access import Access
from site_config.callback_notes import CallbackNotes
from site_config.crosscheck import cross_check
from site_config.errors import CrossCheckFailed
from site_config.fields import Digits, FrozenModel, matches, not_allowed, text
from site_config.municipality import Municipality
from site_config.norms import Norms
from site_config.organisation import Agent, Department, Position, Topic
from site_config.recording import Recording
from site_config.services import Ivr, Services
from site_config.trunk import Trunk

_TZ_ALLOWED = "an IANA time zone name such as 'Europe/Amsterdam'"


def _timezone(value: Any) -> Any:
    if not isinstance(value, str):
        raise not_allowed(_TZ_ALLOWED)
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise not_allowed(_TZ_ALLOWED, f"{value!r} is not a known time zone") from None
    return value


class SiteConfig(FrozenModel, frozen=True):
    """Everything site-specific: who is served, who answers, norms, access, services."""

    name: Annotated[str, text(80)]
    timezone: Annotated[str, BeforeValidator(_timezone)]
    public_number: Digits
    sip_realm: Annotated[
        str, matches(r"[A-Za-z0-9._-]{1,64}", "letters, digits, '.', '_' and '-' (1-64 chars)")
    ]
    municipalities: Annotated[tuple[Municipality, ...], Field(min_length=1)]
    topics: Annotated[tuple[Topic, ...], Field(min_length=1)]
    positions: Annotated[tuple[Position, ...], Field(min_length=1)]
    agents: Annotated[tuple[Agent, ...], Field(min_length=1)]
    departments: tuple[Department, ...] = ()
    norms: Norms = Norms()
    recording: Recording
    access: Access
    services: Services = Services()
    trunk: Trunk = Trunk()
    ivr: Ivr
    callback_notes: CallbackNotes = CallbackNotes()
    # Set by the loader, never written in the YAML (the loader refuses the key).
    source_path: Annotated[Path, Field(exclude=True)]

    @model_validator(mode="after")
    def _consistent(self) -> SiteConfig:
        problems = cross_check(self)
        if problems:
            raise CrossCheckFailed(problems)
        return self

    def topic(self, topic_id: str) -> Topic:
        """The topic with ``topic_id``; ``KeyError`` if there is none."""
        for topic in self.topics:
            if topic.id == topic_id:
                return topic
        raise KeyError(f"unknown topic {topic_id!r}")

    def agents_for_topic(self, topic_id: str) -> tuple[Agent, ...]:
        """Agents rostered on ``topic_id``, in config order; ``KeyError`` for an unknown topic."""
        self.topic(topic_id)
        return tuple(agent for agent in self.agents if topic_id in agent.topics)

    def position_by_extension(self, extension: str) -> Position | None:
        """The TIC position with this extension, or ``None`` (e.g. a back-office phone)."""
        return next((p for p in self.positions if p.extension == extension), None)
