"""The IVR's live switches and the context the flow is run in.

What the floor manager switches while calls come in: a calamity message played before
the menus, and the topic menu itself (off once every agent handles every topic). The
IVR reads both at the moment a caller reaches them, together with the IVR's clock
(which a test of opening hours may start at a chosen moment) and each municipality's
opening hours.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from acd.prompts import Prompts
from ivr_flows.inputs import LiveSwitches
from ivr_flows.runner import IvrContext
from ivr_flows.site_check import site_opening_hours
from site_config import SiteConfig


def wall_clock(start: datetime | None) -> Callable[[], datetime]:
    """The clock the IVR's opening hours use; a test can start it at a chosen moment."""
    if start is None:
        return lambda: datetime.now(UTC)
    offset = start - datetime.now(UTC)
    return lambda: datetime.now(UTC) + offset


@dataclass
class LiveSettings:
    """What the floor manager switches live: the calamity message, the topic menu."""

    calamity_text: str | None = None
    calamity_prompt: str | None = None
    topic_menu_enabled: bool = True
    changed_at: dict[str, datetime] = field(default_factory=dict)


class IvrSwitches:
    """The live settings, the prompts they render into, and the IVR's context."""

    def __init__(self, site: SiteConfig, prompts: Prompts, *, now: Callable[[], datetime]) -> None:
        self._site, self._prompts, self._now = site, prompts, now
        self.settings = LiveSettings(topic_menu_enabled=site.ivr.topic_menu_enabled)
        self._opening = site_opening_hours(site)

    def context(self) -> IvrContext:
        """What the IVR's adapter reads, once per input, while a caller goes through the
        flow: the clock, the switches in force, the opening hours."""
        return IvrContext(opening=self._opening, now=self._now, switches=self.switches)

    def switches(self) -> LiveSwitches:
        return LiveSwitches(
            calamity_prompt=self.settings.calamity_prompt,
            topic_menu_enabled=self.settings.topic_menu_enabled,
        )

    async def calamity_on(self, text: str) -> str:
        """Render ``text`` (the speech synthesiser runs in a thread) and play it from now
        on; returns its prompt id."""
        prompt = await asyncio.to_thread(self._prompts.render_live, text.strip())
        self.settings.calamity_text, self.settings.calamity_prompt = text, prompt
        self.settings.changed_at["calamity"] = self._now()
        return prompt

    def calamity_off(self) -> None:
        self.settings.calamity_text = self.settings.calamity_prompt = None
        self.settings.changed_at["calamity"] = self._now()

    def topic_menu(self, enabled: bool) -> None:
        self.settings.topic_menu_enabled = enabled
        self.settings.changed_at["topic_menu"] = self._now()
