"""The board's snapshot from figures kept from push to push, safe across threads.

`KeptSnapshot` is what the wallboard's shared snapshot and the Prometheus export render
with: the figures from a `DayBoard` (running sums, the live part computed afresh), or,
for inputs it cannot follow, from a fresh pass; the layout is `snapshot.snapshot_of`
either way. Renders run in the thread pool, and several at once (screens, requests,
scrapes), so the running sums are changed under a lock.
"""

from __future__ import annotations

import threading
from typing import Any

from realtime_stats.wallboard.day_board import DayBoard
from realtime_stats.wallboard.feed import BoardInputs
from realtime_stats.wallboard.snapshot import figures_from_scratch, snapshot_of
from site_config.config import SiteConfig


class KeptSnapshot:
    """`board_snapshot`, exactly, at the cost of what changed since the last call."""

    def __init__(self, site: SiteConfig) -> None:
        self._site = site
        self._board = DayBoard(site)
        self._lock = threading.Lock()

    def snapshot(self, inputs: BoardInputs) -> dict[str, Any]:
        with self._lock:
            figures = self._board.figures(inputs)
        if figures is None:
            figures = figures_from_scratch(self._site, inputs)
        return snapshot_of(self._site, inputs, figures)
