"""The IVR's live switches and the context the flow is run in.

What the floor manager switches while calls come in: a calamity message played before
the menus, and the topic menu itself (off once every agent handles every topic). The
IVR reads both at the moment a caller reaches them, together with the IVR's clock
(which a test of opening hours may start at a chosen moment) and each municipality's
opening hours. Every change is saved in a ``LiveSettingsFile`` with who made it and
when, and read back when the controller starts.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from acd.ivr.settings_file import Change, KeptSettings, LiveSettingsFile
from acd.prompts import Prompts
from ivr_flows.inputs import LiveSwitches
from ivr_flows.runner import IvrContext
from ivr_flows.site_check import site_opening_hours
from site_config import SiteConfig

log = logging.getLogger(__name__)


def wall_clock(start: datetime | None) -> Callable[[], datetime]:
    """The clock the IVR's opening hours use; a test can start it at a chosen moment."""
    if start is None:
        return lambda: datetime.now(UTC)
    offset = start - datetime.now(UTC)
    return lambda: datetime.now(UTC) + offset


@dataclass
class LiveSettings:
    """What the floor manager switches live: the calamity message, the topic menu; per
    switch, when it last changed and by whom."""

    calamity_text: str | None = None
    calamity_prompt: str | None = None
    topic_menu_enabled: bool = True
    changed_at: dict[str, datetime] = field(default_factory=dict)
    changed_by: dict[str, str] = field(default_factory=dict)


class IvrSwitches:
    """The live settings, the prompts they render into, and the IVR's context."""

    def __init__(
        self,
        site: SiteConfig,
        prompts: Prompts,
        *,
        now: Callable[[], datetime],
        kept: LiveSettingsFile,
    ) -> None:
        self._site, self._prompts, self._now, self._kept = site, prompts, now, kept
        self.settings = _restored(kept.load(), site, prompts)
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

    async def calamity_on(self, text: str, *, by: str) -> str:
        """Render ``text`` (the speech synthesiser runs in a thread) and play it from now
        on; returns its prompt id."""
        prompt = await asyncio.to_thread(self._prompts.render_live, text.strip())
        self.settings.calamity_text, self.settings.calamity_prompt = text, prompt
        self._changed("calamity", by)
        return prompt

    def calamity_off(self, *, by: str) -> None:
        self.settings.calamity_text = self.settings.calamity_prompt = None
        self._changed("calamity", by)

    def topic_menu(self, enabled: bool, *, by: str) -> None:
        self.settings.topic_menu_enabled = enabled
        self._changed("topic_menu", by)

    def _changed(self, switch: str, by: str) -> None:
        s = self.settings
        s.changed_at[switch], s.changed_by[switch] = self._now(), by
        changes = {name: Change(at, s.changed_by[name]) for name, at in s.changed_at.items()}
        try:
            self._kept.save(KeptSettings(s.calamity_text, s.topic_menu_enabled, changes))
        except OSError as exc:
            # The switch is in force all the same: during an outage the calamity message
            # must play even on a full disk; only a restart would lose it.
            log.error(
                "IVR live settings not saved to %s (%s): %s is switched, but a restart "
                "of the controller will not remember it",
                self._kept.path,
                exc,
                switch,
            )


def _restored(kept: KeptSettings | None, site: SiteConfig, prompts: Prompts) -> LiveSettings:
    """The settings in force at start: as saved, else the site's defaults. A kept
    calamity text is rendered again here, once, before the first caller: the live
    prompts of the previous run are not carried over."""
    if kept is None:
        return LiveSettings(topic_menu_enabled=site.ivr.topic_menu_enabled)
    text = kept.calamity_text
    return LiveSettings(
        calamity_text=text,
        calamity_prompt=None if text is None else prompts.render_live(text.strip()),
        topic_menu_enabled=kept.topic_menu_enabled,
        changed_at={name: c.at for name, c in kept.changes.items()},
        changed_by={name: c.by for name, c in kept.changes.items()},
    )
