"""bench/bench_recording_first_byte.py: both variants send the same bytes; the figures."""

from __future__ import annotations

import importlib
import json
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from recordings.vault import CHUNK_SIZE

BENCH_DIR = Path(__file__).resolve().parents[3] / "bench"


@pytest.fixture
def bench(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """bench/ is not an installed package; import it the way the benchmark does."""
    monkeypatch.syspath_prepend(str(BENCH_DIR))
    return importlib.import_module("bench_recording_first_byte")


@pytest.fixture
def kept(bench: ModuleType, tmp_path: Path) -> Iterator[Any]:
    found = bench.keep_recording(tmp_path, 0.25)
    yield found
    found.catalog.close()


def test_the_recording_is_kept_sealed_and_catalogued_as_the_controller_keeps_one(
    bench: ModuleType, kept: Any, tmp_path: Path
) -> None:
    row = kept.catalog.get(kept.recording_id)
    assert row is not None and row.duration_s == 15.0 and row.size == kept.size
    sealed = (kept.catalog.directory / row.file).read_bytes()
    assert sealed[:8] == b"KCCREC1\n" and b"RIFF" not in sealed
    assert kept.plain.read_bytes()[:4] == b"RIFF"
    assert list((tmp_path / "capture").iterdir()) == [], "the raw segment was tidied away"


def test_both_variants_answer_a_range_with_the_same_bytes_up_to_the_chunk_end(
    bench: ModuleType, kept: Any
) -> None:
    offsets = [0, 1, CHUNK_SIZE - 1, CHUNK_SIZE, kept.size // 2, kept.size - 1]
    bench.check_same_bytes(bench.variants(kept), offsets)
    middle = bench.library_first_byte(kept, CHUNK_SIZE + 10)
    assert len(middle) == CHUNK_SIZE - 10
    assert middle == kept.plain.read_bytes()[CHUNK_SIZE + 10 : 2 * CHUNK_SIZE]


def test_a_disagreement_stops_the_run(bench: ModuleType) -> None:
    found = [bench.Variant("a", lambda n: b"x"), bench.Variant("b", lambda n: b"y")]
    with pytest.raises(SystemExit, match="disagree"):
        bench.check_same_bytes(found, [5])


def test_offsets_are_from_the_middle_half_and_the_same_every_run(bench: ModuleType) -> None:
    offsets = bench.middle_offsets(1000, 200)
    assert offsets == bench.middle_offsets(1000, 200)
    assert all(250 <= n < 750 for n in offsets) and len(set(offsets)) > 100


def test_every_variant_is_timed_at_every_offset(bench: ModuleType) -> None:
    found = [bench.Variant("a", lambda n: b"x"), bench.Variant("b", lambda n: b"x")]
    times = bench.time_first_bytes(found, [1, 2, 3])
    assert sorted(times) == ["a", "b"] and all(len(t) == 3 and min(t) >= 0 for t in times.values())


def test_summary_and_figures(bench: ModuleType) -> None:
    ours = bench.Summary.of([0.2] * 18 + [0.5, 0.9])
    plain = bench.Summary.of([0.02] * 19 + [0.07])
    assert (ours.median_ms, ours.p95_ms, ours.count) == (0.2, 0.5, 20)
    entries = bench.result_entries(ours, plain)
    assert entries["recording_first_audio_byte_ms"] == {
        "value": 0.2,
        "unit": "ms (median)",
        "baseline": "plain WAV read from disk",
        "baseline_value": 0.02,
    }
    assert entries["recording_first_audio_byte_p95_ms"]["baseline_value"] == 0.02


def test_no_write_leaves_the_results_alone(bench: ModuleType, tmp_path: Path) -> None:
    results = tmp_path / "results.json"
    argv = ["--minutes", "0.1", "--requests", "10", "--no-write", "--results", str(results)]
    assert bench.main(argv) == 0
    assert not results.exists()


def test_a_run_merges_its_two_figures(bench: ModuleType, tmp_path: Path) -> None:
    results = tmp_path / "results.json"
    results.write_text('{"other": {"value": 1}}\n')
    assert bench.main(["--minutes", "0.1", "--requests", "10", "--results", str(results)]) == 0
    assert sorted(json.loads(results.read_text())) == [
        "other",
        "recording_first_audio_byte_ms",
        "recording_first_audio_byte_p95_ms",
    ]
