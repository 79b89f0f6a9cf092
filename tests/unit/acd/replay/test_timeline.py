"""Marks of the call's wall-clock timeline put on the audio's own time axis."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from acd.replay.timeline import place
from recordings.catalog_rows import SegmentRow
from recordings.take import Mark

T0 = datetime(2026, 6, 15, 9, 0, tzinfo=UTC)


def at(seconds: float, kind: str = "call.answered") -> Mark:
    return Mark(T0 + timedelta(seconds=seconds), kind, kind)


# Recorded 10-40 s of the call (audio 0-30), paused, then 60-80 s (audio 30-50).
SEGMENTS = [
    SegmentRow(recording_id="r", number=1, started_at=T0 + timedelta(seconds=10), offset_s=0.0,
               duration_s=30.0),
    SegmentRow(recording_id="r", number=2, started_at=T0 + timedelta(seconds=60), offset_s=30.0,
               duration_s=20.0),
]  # fmt: skip


def test_a_mark_inside_a_segment_is_at_its_offset_plus_its_time_into_it() -> None:
    placed = place([at(10), at(25.5), at(40), at(60), at(75)], SEGMENTS)
    assert [(p.audio_s, p.near_s, p.segment) for p in placed] == [
        (0.0, 0.0, 1), (15.5, 15.5, 1), (30.0, 30.0, 1), (30.0, 30.0, 2), (45.0, 45.0, 2),
    ]  # fmt: skip


def test_a_mark_outside_every_segment_is_listed_at_the_nearest_boundary() -> None:
    placed = place([at(-20), at(45), at(57), at(95)], SEGMENTS)
    assert [(p.audio_s, p.near_s, p.segment) for p in placed] == [
        (None, 0.0, None),  # before the recording: its start
        (None, 30.0, None),  # in the pause, nearer its start: where the pause was cut
        (None, 30.0, None),  # nearer its end: the same place in the audio
        (None, 50.0, None),  # after: the end
    ]
    assert [p.mark for p in placed] == [at(-20), at(45), at(57), at(95)]


def test_a_recording_without_segments_puts_every_mark_at_zero() -> None:
    assert [(p.audio_s, p.near_s) for p in place([at(5)], [])] == [(None, 0.0)]
