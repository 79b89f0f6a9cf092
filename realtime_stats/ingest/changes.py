"""What the event fold changed: `Changes` names the records one entry, or a merged run of
entries, moved, and the stream position reached.

The consumer merges the changes of a batch of entries, has the fold collect those records
for the store, and hands the same changes to its subscribers (the wallboard), which merge
what they have not read yet.
"""

from __future__ import annotations

from dataclasses import dataclass

from realtime_stats.figures.backoffice_records import RingKey
from realtime_stats.figures.tracked_records import IntervalKey
from realtime_stats.store.position import StreamId


@dataclass(frozen=True, slots=True)
class Changes:
    """What one event (or a merged batch) changed; `stream_id` None means a no-op replay."""

    stream_id: StreamId | None = None
    calls: frozenset[str] = frozenset()
    intervals: frozenset[IntervalKey] = frozenset()
    finalized: frozenset[str] = frozenset()
    rings: frozenset[RingKey] = frozenset()
    notes: frozenset[str] = frozenset()  # callback note ids
    origins: frozenset[str] = frozenset()  # writers' runs whose last applied seq moved

    @property
    def agents(self) -> frozenset[str]:
        return frozenset(key.agent_id for key in self.intervals)

    @property
    def records_changed(self) -> bool:
        return bool(self.calls or self.intervals or self.rings or self.notes)

    def __or__(self, other: Changes) -> Changes:
        ids = [i for i in (self.stream_id, other.stream_id) if i is not None]
        return Changes(
            max(ids) if ids else None,
            self.calls | other.calls,
            self.intervals | other.intervals,
            self.finalized | other.finalized,
            self.rings | other.rings,
            self.notes | other.notes,
            self.origins | other.origins,
        )
