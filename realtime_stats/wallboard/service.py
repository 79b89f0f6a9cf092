"""What the wallboard does for its routes: the board as JSON, rendered once for every
screen and request (`SharedSnapshot`), its pages and its event stream (`WallboardService`).
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncGenerator, Callable
from dataclasses import dataclass

from realtime_stats.wallboard.feed import BoardFeed
from realtime_stats.wallboard.kept_snapshot import KeptSnapshot
from realtime_stats.wallboard.page import WallboardPage
from realtime_stats.wallboard.stream import StreamTiming, snapshot_events
from site_config.config import SiteConfig


@dataclass(frozen=True, slots=True)
class _Rendered:
    records: tuple[object, ...]
    at: float
    text: str


class SharedSnapshot:
    """The board as JSON, rendered once for every stream and request alike.

    The figures are kept from push to push (`KeptSnapshot`), so a push costs what
    changed since the last one plus the live part (about 9 ms on a day of 10,000
    calls, where computing them afresh takes 0.3 s; docs/benchmarks.md). The streams
    of several screens still share one rendering: the last is reused while the feed's
    records are unchanged (compared by value; tuples of the same records compare by
    identity, in microseconds) for up to ``max_age_s``: the page counts waits on from
    the snapshot's own ``now``, so a slightly older one is still exact on screen.
    """

    def __init__(
        self,
        site: SiteConfig,
        feed: BoardFeed,
        *,
        max_age_s: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        kept: KeptSnapshot | None = None,
    ) -> None:
        self._site, self._feed, self._max_age_s, self._clock = site, feed, max_age_s, clock
        self._kept = kept or KeptSnapshot(site)
        self._last: _Rendered | None = None  # replaced whole, so threads need no lock

    def render(self) -> str:
        inputs = self._feed.inputs()
        records = (
            inputs.calls,
            inputs.intervals,
            inputs.callback_notes,
            inputs.agent_names,
            inputs.agent_positions,
        )
        last = self._last
        if (
            last is not None
            and last.records == records
            and self._clock() - last.at < self._max_age_s
        ):
            return last.text
        snapshot = self._kept.snapshot(inputs)
        text = json.dumps(snapshot, separators=(",", ":"), allow_nan=False)
        self._last = _Rendered(records, self._clock(), text)
        return text


class WallboardService:
    """The wallboard of one site over one feed: its two pages, its snapshot, its stream."""

    def __init__(
        self,
        site: SiteConfig,
        feed: BoardFeed,
        *,
        page: WallboardPage | None = None,
        timing: StreamTiming | None = None,
        kept: KeptSnapshot | None = None,
    ) -> None:
        self.site = site
        self.page = page or WallboardPage.load(site_name=site.name)
        self.teamlead = WallboardPage.load(site_name=site.name, name="teamlead.html")
        self._feed, self._timing = feed, timing or StreamTiming()
        self._snapshot = SharedSnapshot(site, feed, kept=kept)

    def render(self) -> str:
        """The snapshot as JSON; milliseconds of CPU on a busy day, so callers use a thread."""
        return self._snapshot.render()

    def events(self) -> AsyncGenerator[bytes, None]:
        """The event stream's bytes, for as long as the client listens."""
        return snapshot_events(self._feed, self.render, self._timing)
