"""One step of the event fold: what an event's handler returns, `FoldUpdate`.

A handler builds the new versions of the records one event changes, without touching the
fold; `realtime_stats.ingest.fold.EventFold` then installs them all at once. So an event
that would make an impossible record (`RecordError`) is skipped whole.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from realtime_stats.figures.backoffice_records import BackOfficeRing, RingKey
from realtime_stats.figures.tracked_records import IvrCall, TrackedCall, TrackedInterval


@dataclass
class FoldUpdate:
    """The records one event changes; the handler fills it in, the fold installs it."""

    calls: dict[str, TrackedCall] = field(default_factory=dict)
    ivr: dict[str, IvrCall | None] = field(default_factory=dict)  # None: the call left the IVR
    intervals: list[TrackedInterval] = field(default_factory=list)
    handling: dict[str, str | None] = field(default_factory=dict)  # agent -> call (None: done)
    rings: dict[RingKey, BackOfficeRing] = field(default_factory=dict)
    note: str | None = None  # a part of the event that had nothing to attach to
