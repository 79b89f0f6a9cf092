"""How much memory the stats service's day's records take, measured in the soak's own
process: the baseline its RSS growth is held against (bench/soak_figures.py).

The stats service keeps the day's records in memory for the wallboard: at start its
consumer rebuilds its fold from ``Store.snapshot(local_day_start(now))`` and from then on
keeps what the events add, dropping the day before's finished records at the local day's
start (realtime_stats/ingest/consumer.py). So within one day it grows with the day's
calls, by design. Here the same snapshot is read from the run's store with the same
functions, and tracemalloc counts the bytes still held once it is loaded: what those
records take as Python objects. A growth of RSS beyond theirs is what a leak looks like.
"""

from __future__ import annotations

import time
import tracemalloc
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from soak_figures import Records

from realtime_stats.ingest.consumer import local_day_start
from realtime_stats.store import open_store


@dataclass(frozen=True, slots=True)
class RecordsGauge:
    """Reads the day's records from one stats service's SQLite store."""

    database: Path

    def measure(self, at_s: float) -> Records:
        """The day's records' size now; ``at_s`` is the load's clock, for the figures."""
        with open_store(self.database) as store:  # opened outside the count
            day = local_day_start(datetime.now(UTC))
            started = time.monotonic()
            was_tracing = tracemalloc.is_tracing()
            if not was_tracing:
                tracemalloc.start()
            try:
                before = tracemalloc.get_traced_memory()[0]
                kept = [store.snapshot(day)]  # a fresh list: nothing else holds them
                held = tracemalloc.get_traced_memory()[0] - before
            finally:
                if not was_tracing:
                    tracemalloc.stop()
        snapshot = kept[0]
        return Records(
            at_s=round(at_s, 1),
            mb=held / 2**20,  # MiB, as rss_mb reads VmRSS
            calls=len(snapshot.calls),
            ivr_calls=len(snapshot.ivr_calls),
            intervals=len(snapshot.intervals),
            load_s=round(time.monotonic() - started, 2),
        )
