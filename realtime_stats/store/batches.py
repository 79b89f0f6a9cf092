"""What the store writes for the event fold (`SaveBatch`) and gives back at a restart
(`FoldSnapshot`): the day's tracked records with the stream position they reach.

`realtime_stats.ingest` builds a batch from what a run of stream entries changed and
rebuilds its fold from a snapshot; the store writes a batch, position and the last
applied ``seq`` of each writer's run included, in one transaction, so the stored
position never runs ahead of the stored records.
"""

from __future__ import annotations

from dataclasses import dataclass

from realtime_stats.figures.backoffice_records import BackOfficeRing
from realtime_stats.figures.callback_records import CallbackNote
from realtime_stats.figures.tracked_records import IvrCall, TrackedCall, TrackedInterval
from realtime_stats.store.position import StreamId


@dataclass(frozen=True, slots=True)
class AppliedSeq:
    """The last ``seq`` of a writer's run (``origin``) the stored records include: an
    entry of that run at or below it is one written twice, and is skipped."""

    origin: str
    seq: int


@dataclass(frozen=True, slots=True, kw_only=True)
class FoldSnapshot:
    """What the store gives back to rebuild a fold after a restart."""

    calls: tuple[TrackedCall, ...] = ()
    ivr_calls: tuple[IvrCall, ...] = ()
    intervals: tuple[TrackedInterval, ...] = ()
    rings: tuple[BackOfficeRing, ...] = ()
    notes: tuple[CallbackNote, ...] = ()  # callback notes
    last_stream_id: StreamId | None = None
    applied: tuple[AppliedSeq, ...] = ()  # per writer's run, the last entry folded in


@dataclass(frozen=True, slots=True, kw_only=True)
class SaveBatch:
    """The records to write for what some stream entries changed, with the position they reach."""

    stream_id: StreamId | None
    calls: tuple[TrackedCall, ...] = ()
    ivr_calls: tuple[IvrCall, ...] = ()
    intervals: tuple[TrackedInterval, ...] = ()
    rings: tuple[BackOfficeRing, ...] = ()
    notes: tuple[CallbackNote, ...] = ()
    applied: tuple[AppliedSeq, ...] = ()
