"""Keeping a take: joined, signals computed, sealed, catalogued with its timeline; a
failure of the signals never loses the recording; the reader gives it back by range."""

from __future__ import annotations

import dataclasses
import io
import logging
import wave
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from recordings import shelf as shelves
from recordings.catalog_rows import RecordingFilter
from recordings.shelf import open_reader
from recordings.take import Mark, Take
from tests.unit.recordings.takes import RING, shelf, take

T0 = datetime(2026, 6, 15, 9, 0, tzinfo=UTC)
NOW = T0 + timedelta(minutes=5)
MARKS = (
    Mark(T0 - timedelta(seconds=20), "call.queued", "In de wachtrij"),
    Mark(T0, "call.answered", "Aangenomen"),
)


def a_take(tmp_path: Path) -> Take:
    # Agent talks 0-3 s, the caller 4-6 s, in a 10 s segment; then a second one of 5 s.
    return take(
        tmp_path / "capture",
        [T0, T0 + timedelta(seconds=30)],
        [([(0.0, 3.0)], [(4.0, 6.0)], 10.0), ([(1.0, 2.0)], [], 5.0)],
        timeline=MARKS,
    )


def test_a_kept_take_has_its_timeline_and_signals_in_the_catalogue(tmp_path: Path) -> None:
    kept = shelf(tmp_path / "recordings", NOW)
    recording_id = kept.keep(a_take(tmp_path))
    catalog = kept.catalog
    assert recording_id == "1718000000.7"
    assert catalog.timeline(recording_id) == list(MARKS)
    signals = catalog.signals(recording_id)
    assert signals is not None
    assert signals.agent_talk_s == pytest.approx(4.0, abs=0.3)
    assert signals.caller_talk_s == pytest.approx(2.0, abs=0.3)
    assert signals.agent_talk_share == pytest.approx(4 / 6, abs=0.05)
    assert signals.overtalk_count == 0
    assert [(s.offset_s, s.duration_s) for s in catalog.segments(recording_id)] == [
        (0.0, 10.0), (10.0, 5.0),
    ]  # fmt: skip
    assert list((tmp_path / "capture").iterdir()) == []
    kept.close()


def test_signals_that_fail_leave_the_recording_kept_without_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*_: object, **__: object) -> object:
        raise FloatingPointError("made up")

    monkeypatch.setattr(shelves, "analyse", broken)
    kept = shelf(tmp_path / "recordings", NOW)
    with caplog.at_level(logging.ERROR, logger="recordings.shelf"):
        recording_id = kept.keep(a_take(tmp_path))
    assert kept.catalog.get(recording_id) is not None
    assert kept.catalog.signals(recording_id) is None
    assert kept.catalog.timeline(recording_id) == list(MARKS)
    assert "signals not computed; kept without them" in caplog.text
    kept.close()


def test_a_recording_too_long_to_analyse_is_kept_without_signals(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(shelves, "SIGNALS_MAX_S", 12.0)
    kept = shelf(tmp_path / "recordings", NOW)
    recording_id = kept.keep(a_take(tmp_path))
    assert kept.catalog.signals(recording_id) is None
    kept.close()


def test_the_reader_gives_the_wav_back_by_range_on_its_own_connection(tmp_path: Path) -> None:
    folder = tmp_path / "recordings"
    kept = shelf(folder, NOW)
    reader = open_reader(folder, RING, now=lambda: NOW)
    recording_id = kept.keep(a_take(tmp_path))
    [row] = reader.list(RecordingFilter(agent_id="1001"))
    assert row.id == recording_id and reader.get(recording_id) == row
    size = reader.audio_size(row)
    whole = b"".join(reader.audio(row, 0, size))
    assert len(whole) == size == row.size
    with wave.open(io.BytesIO(whole)) as wav:
        assert (wav.getnchannels(), wav.getframerate(), wav.getnframes()) == (2, 8000, 15 * 8000)
    assert b"".join(reader.audio(row, 100, 200)) == whole[100:200]
    assert reader.timeline(recording_id) == list(MARKS)
    assert reader.signals(recording_id) == kept.catalog.signals(recording_id)
    assert [s.number for s in reader.segments(recording_id)] == [1, 2]
    reader.close()
    kept.close()


def test_a_mark_without_a_time_zone_is_left_out_not_the_recording(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    naive = Mark(datetime(2026, 6, 15, 9, 0, 5), "call.ended", "Opgehangen")
    kept = shelf(tmp_path / "recordings", NOW)
    with caplog.at_level(logging.ERROR, logger="recordings.shelf"):
        recording_id = kept.keep(dataclasses.replace(a_take(tmp_path), timeline=(*MARKS, naive)))
    assert kept.catalog.timeline(recording_id) == list(MARKS)
    assert "1 timeline mark(s) without a time zone left out" in caplog.text
    kept.close()


def test_a_consult_in_the_timeline_is_hold_time_of_the_recorded_part(tmp_path: Path) -> None:
    kept = shelf(tmp_path / "recordings", NOW)
    consult = (
        *MARKS,
        Mark(T0 + timedelta(seconds=6), "backoffice.ringing", "Collega 321 gaat over"),
        Mark(T0 + timedelta(seconds=20), "backoffice.ended", "Overleg beëindigd"),
    )
    # Segments run 0-10 s and 30-35 s: 4 s of the 6-20 s consult were recorded.
    recording_id = kept.keep(dataclasses.replace(a_take(tmp_path), timeline=consult))
    signals = kept.catalog.signals(recording_id)
    assert signals is not None and signals.hold_s == pytest.approx(4.0, abs=0.05)
    kept.close()
