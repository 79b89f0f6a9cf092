"""The call's timeline on the recording's own time axis.

A mark has a wall-clock moment (``recordings.take.Mark``); the audio has seconds from
its first byte, made of segments one after another with the pauses between them cut
out. A mark inside segment ``s`` (``s.started_at <= at <= s.started_at +
s.duration_s``) is at ``s.offset_s + (at - s.started_at)`` in the audio. A mark
outside every segment (the call was queued before the recording began, or hung up
after it stopped, or something happened while it was paused) has no audio time; it is
still listed, at the nearest segment boundary (``near_s``), so the player shows it in
order and a click goes to where the recording comes closest.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from recordings.catalog_rows import SegmentRow
from recordings.take import Mark


@dataclass(frozen=True, slots=True)
class PlacedMark:
    mark: Mark
    audio_s: float | None  # None: outside every segment
    near_s: float  # audio_s, or the audio time of the nearest segment boundary
    segment: int | None  # the number of the segment it falls in


def place(marks: Sequence[Mark], segments: Sequence[SegmentRow]) -> list[PlacedMark]:
    """Each mark with its audio time, in the order given."""
    return [_placed(mark, segments) for mark in marks]


def _placed(mark: Mark, segments: Sequence[SegmentRow]) -> PlacedMark:
    for s in segments:
        into = (mark.at - s.started_at).total_seconds()
        if 0 <= into <= s.duration_s:
            audio = round(s.offset_s + into, 3)
            return PlacedMark(mark, audio, audio, s.number)
    return PlacedMark(mark, None, _nearest_boundary(mark.at, segments), None)


def _nearest_boundary(at: datetime, segments: Sequence[SegmentRow]) -> float:
    boundaries = [
        (s.started_at + timedelta(seconds=seconds), s.offset_s + seconds)
        for s in segments
        for seconds in (0.0, s.duration_s)
    ]
    if not boundaries:
        return 0.0
    _, audio = min(boundaries, key=lambda b: abs((at - b[0]).total_seconds()))
    return round(audio, 3)
