"""Takes made up for tests: MixMonitor-like raw segments whose talk is known, a key ring,
and the shelf they are kept on (real files, a real catalogue, in a temporary folder)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from recordings.keys import KeyRing, RecordingKey
from recordings.shelf import Shelf, open_shelf
from recordings.take import Mark, Piece, Take

RATE = 8000
Span = tuple[float, float]
RING = KeyRing((RecordingKey("test-1", bytes(range(32))),))


def voice(spans: Sequence[Span], total_s: float, *, level_dbfs: float = -12.0,
          seed: int = 1) -> NDArray[np.int16]:  # fmt: skip
    """A 440 Hz tone at ``level_dbfs`` during each span, over quiet noise (-60 dBFS)."""
    rng = np.random.default_rng(seed)
    t = np.arange(round(total_s * RATE)) / RATE
    out = rng.normal(0.0, 32768 / math.sqrt(2) * 1e-3, len(t))
    peak = 32767 * 10 ** (level_dbfs / 20)
    for start, end in spans:
        on = (t >= start) & (t < end)
        out[on] += peak * np.sin(2 * np.pi * 440.0 * t[on])
    return np.clip(np.round(out), -32768, 32767).astype(np.int16)


def raw_segment(path: Path, agent: NDArray[np.int16], caller: NDArray[np.int16]) -> Path:
    """Interleaved stereo signed linear as MixMonitor's ``D`` writes it: left the agent."""
    path.write_bytes(np.column_stack((agent, caller)).astype("<i2").tobytes())
    return path


def take(
    capture: Path,
    starts: Sequence[datetime],
    parts: Sequence[tuple[Sequence[Span], Sequence[Span], float]],
    *,
    call_id: str = "1718000000.7",
    agent_id: str | None = "1001",
    timeline: tuple[Mark, ...] = (),
    topic: str | None = "burgerzaken",
    municipality: str | None = "haarlem",
    extension: str = "201",
) -> Take:
    """A take of one segment per ``(agent spans, caller spans, seconds)``, started at
    ``starts``; its raw files in ``capture``."""
    capture.mkdir(parents=True, exist_ok=True)
    pieces = []
    for n, (start, (agent, caller, seconds)) in enumerate(zip(starts, parts, strict=True), 1):
        path = raw_segment(capture / f"{call_id}_{extension}_u1_{n}.raw",
                           voice(agent, seconds), voice(caller, seconds, seed=2))  # fmt: skip
        pieces.append(Piece(path, start, start + timedelta(seconds=seconds)))
    return Take(
        call_id=call_id, source=f"u-{call_id}", extension=extension, agent_id=agent_id,
        position_id="tic1", topic=topic, municipality=municipality,
        pieces=tuple(pieces), timeline=timeline,
    )  # fmt: skip


def shelf(folder: Path, now: datetime) -> Shelf:
    return open_shelf(folder, RING, now=lambda: now)
