"""One step of the event fold: what an event's handler reads (`FoldState`) and returns
(`FoldUpdate`).

A handler looks at the records as they are before its event and builds the new versions
of those the event changes, without touching the fold; `realtime_stats.ingest.fold`
then installs them all at once. So an event that would make an impossible record
(`RecordError`) is skipped whole.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from realtime_stats.figures.backoffice_records import BackOfficeRing, RingKey
from realtime_stats.figures.callback_records import CallbackNote
from realtime_stats.figures.tracked_records import IvrCall, TrackedCall, TrackedInterval


@dataclass(frozen=True, slots=True)
class FoldState:
    """The fold's records as one event finds them; handlers only read it."""

    calls: Mapping[str, TrackedCall]  # queued calls, by call id
    ivr: Mapping[str, IvrCall]  # calls in or ended in the IVR, by call id
    # Per agent, intervals by start in time order; the last one may still be open. A dict,
    # not a Mapping: the last one is found from the end (`reversed`), which Mapping lacks.
    intervals: Mapping[str, dict[datetime, TrackedInterval]]
    handling: Mapping[str, str]  # agent -> the answered call they are not yet done with
    rings: Mapping[RingKey, BackOfficeRing]
    notes: Mapping[str, CallbackNote]  # callback notes, by note id


@dataclass
class FoldUpdate:
    """The records one event changes; the handler fills it in, the fold installs it."""

    calls: dict[str, TrackedCall] = field(default_factory=dict)
    ivr: dict[str, IvrCall | None] = field(default_factory=dict)  # None: the call left the IVR
    intervals: list[TrackedInterval] = field(default_factory=list)
    handling: dict[str, str | None] = field(default_factory=dict)  # agent -> call (None: done)
    rings: dict[RingKey, BackOfficeRing] = field(default_factory=dict)
    notes: dict[str, CallbackNote] = field(default_factory=dict)
    note: str | None = None  # a part of the event that had nothing to attach to
