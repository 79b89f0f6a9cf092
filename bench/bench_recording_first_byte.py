"""Benchmark: time to the first audio byte of an encrypted recording, against a plain file.

A team lead's player seeks: the browser asks for ``Range: bytes=N-`` somewhere in the
middle of the call, and what counts is how soon the first byte is there. Measured on a
realistic recording: --minutes (10) of two-channel 8 kHz speech-like audio
(bench/bench_recording_signals.py's synthesized call) written as MixMonitor's raw
segment and kept by the product's own path (``recordings.shelf``: joined into a WAV,
sealed with ``vault.seal_file`` in 64 KiB AES-256-GCM chunks, catalogued).

* ours      what the replay API does for one Range request: find the row in the
            catalogue, read the stated length (``plaintext_size``), and pull the first
            piece of ``vault.open_range(path, ring, N, length)``: the header, the key,
            the last chunk (it authenticates the length) and the chunk holding N;
* plain     the baseline: the same bytes read unencrypted from disk, the joined WAV
            opened, seeked to N and read up to the same chunk end.

The replay API (``GET /api/recordings/{id}/audio``, acd/replay/) is not in this branch
yet, so the library path it will call is measured: ``library_first_byte``. Measuring
through the controller's HTTP stack is one more ``Variant`` in ``variants``, a
function of the offset that sends the Range request and returns the first body bytes.

Both variants read the same --requests (2000) offsets, drawn (seeded) from the middle
half of the file, one of each in turn; every answer is checked against the plain file
first. Files are in the page cache (just written): this is the software's latency, not
the disk's. Figures are the median and the 95th percentile (nearest rank).

    .venv/bin/python bench/bench_recording_first_byte.py [--minutes M] [--requests N] [--no-write]
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench_recording_signals import speech_like_call  # noqa: E402
from latency import percentile  # noqa: E402
from results_file import merge_results  # noqa: E402

from recordings.audio import join_segments  # noqa: E402
from recordings.catalog import Catalog  # noqa: E402
from recordings.keys import ENVIRONMENT_VARIABLE, KeyRing, generate_key  # noqa: E402
from recordings.shelf import open_shelf  # noqa: E402
from recordings.take import Piece, Take  # noqa: E402
from recordings.vault import CHUNK_SIZE, open_range, plaintext_size  # noqa: E402

RESULTS_PATH = ROOT / "bench" / "results.json"
CALL_ID = "bench-first-byte"
BASELINE, OURS = "plain WAV read from disk", "encrypted recording (library)"


@dataclass(frozen=True, slots=True)
class Kept:
    """The recording as the replay API finds it, and the same audio in plain."""

    catalog: Catalog
    ring: KeyRing
    recording_id: str
    plain: Path
    size: int


@dataclass(frozen=True, slots=True)
class Variant:
    """A way to answer ``bytes=N-``: a function of N returning the first bytes sent."""

    name: str
    first_byte: Callable[[int], bytes]


def keep_recording(folder: Path, minutes: float) -> Kept:
    """The synthesized call kept as the controller keeps one, and its plain WAV."""
    agent, caller = speech_like_call(minutes)
    raw = folder / "capture" / f"{CALL_ID}_301_1.1_1.raw"
    raw.parent.mkdir()
    raw.write_bytes(np.column_stack((agent, caller)).astype("<i2").tobytes())
    plain = folder / "plain.wav"
    with plain.open("wb") as out:
        join_segments([raw], out)
    ring = KeyRing.from_environ({ENVIRONMENT_VARIABLE: generate_key("bench1")})
    shelf = open_shelf(folder / "recordings", ring, now=lambda: datetime.now(UTC))
    started = datetime.now(UTC)
    piece = Piece(path=raw, started_at=started, stopped_at=started)
    take = Take(
        call_id=CALL_ID, source="bench-1.1", extension="301", agent_id=None,
        position_id=None, topic="burgerzaken", municipality=None, pieces=(piece,),
    )  # fmt: skip
    recording_id = shelf.keep(take)
    return Kept(shelf.catalog, ring, recording_id, plain, plain.stat().st_size)


def library_first_byte(kept: Kept, offset: int) -> bytes:
    """What the replay API does for ``bytes=offset-`` before its first body byte."""
    row = kept.catalog.get(kept.recording_id)
    if row is None:
        raise LookupError(f"recording {kept.recording_id} is not in the catalogue")
    path = kept.catalog.directory / row.file
    pieces = open_range(path, kept.ring, offset, plaintext_size(path))
    try:
        return next(pieces)
    finally:
        pieces.close()


def plain_first_byte(path: Path, offset: int) -> bytes:
    """The baseline: the same bytes from the plain file, up to the same chunk end."""
    with path.open("rb") as file:
        file.seek(offset)
        return file.read(CHUNK_SIZE - offset % CHUNK_SIZE)


def variants(kept: Kept) -> list[Variant]:
    return [
        Variant(OURS, lambda offset: library_first_byte(kept, offset)),
        Variant(BASELINE, lambda offset: plain_first_byte(kept.plain, offset)),
    ]


def middle_offsets(size: int, count: int, seed: int = 14023) -> list[int]:
    """``count`` byte offsets drawn from the middle half of a ``size``-byte file."""
    rng = random.Random(seed)
    return [rng.randrange(size // 4, 3 * size // 4) for _ in range(count)]


def check_same_bytes(found: Sequence[Variant], offsets: Sequence[int]) -> None:
    """Every variant answers each offset with the same bytes, or the run stops."""
    for offset in offsets:
        answers = {v.name: v.first_byte(offset) for v in found}
        if len(set(answers.values())) != 1 or not next(iter(answers.values())):
            raise SystemExit(f"bytes={offset}-: the variants disagree (or sent nothing)")


def time_first_bytes(found: Sequence[Variant], offsets: Sequence[int]) -> dict[str, list[float]]:
    """Milliseconds to the first bytes of each variant at each offset, in turn."""
    times: dict[str, list[float]] = {v.name: [] for v in found}
    for offset in offsets:
        for variant in found:
            started = time.perf_counter()
            variant.first_byte(offset)
            times[variant.name].append((time.perf_counter() - started) * 1000)
    return times


@dataclass(frozen=True, slots=True)
class Summary:
    median_ms: float
    p95_ms: float
    count: int

    @classmethod
    def of(cls, times_ms: Sequence[float]) -> Summary:
        return cls(percentile(times_ms, 50), percentile(times_ms, 95), len(times_ms))


def result_entries(ours: Summary, plain: Summary) -> dict[str, dict[str, Any]]:
    return {
        "recording_first_audio_byte_ms": {
            "value": round(ours.median_ms, 3),
            "unit": "ms (median)",
            "baseline": BASELINE,
            "baseline_value": round(plain.median_ms, 3),
        },
        "recording_first_audio_byte_p95_ms": {
            "value": round(ours.p95_ms, 3),
            "unit": "ms (95th percentile)",
            "baseline": BASELINE,
            "baseline_value": round(plain.p95_ms, 3),
        },
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0, help="length of the call")
    parser.add_argument("--requests", type=int, default=2000, help="Range requests of each")
    parser.add_argument("--no-write", action="store_true", help="do not touch results.json")
    parser.add_argument("--results", type=Path, default=RESULTS_PATH)
    args = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="kcc-bench-firstbyte-"))
    try:
        kept = keep_recording(folder, args.minutes)
        try:
            found = variants(kept)
            offsets = middle_offsets(kept.size, args.requests)
            check_same_bytes(found, offsets)
            summaries = {n: Summary.of(t) for n, t in time_first_bytes(found, offsets).items()}
        finally:
            kept.catalog.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(f"{kept.size / 1e6:.1f} MB recording, {args.requests} requests bytes=N- in its middle")
    print(f"{'variant':<32}{'median ms':>11}{'p95 ms':>9}")
    for name, s in summaries.items():
        print(f"{name:<32}{s.median_ms:>11.3f}{s.p95_ms:>9.3f}")
    if not args.no_write:
        merge_results(args.results, result_entries(summaries[OURS], summaries[BASELINE]))
        print(f"merged 2 figures into {args.results}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
