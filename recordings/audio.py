"""A recording's audio: MixMonitor's raw segments joined into one stereo WAV, and read back.

Theory of operation
-------------------
The recording button runs MixMonitor on the agent's channel with option ``D``: each
part of a call (a recording paused and resumed is several) is one ``.raw`` file of
interleaved stereo signed linear, 16 bit, 8000 Hz, left = what comes *from* the
recorded channel, right = what goes *to* it. Recorded on the agent's channel, that is
left = agent, right = caller, and this module keeps it so: the coaching replay and the
signal analysis (who spoke when, talk-over, silence) need the two voices apart.

``join_segments`` puts the parts one after another into one WAV (stdlib ``wave``),
copying in blocks, so a long call never sits in memory (pydub would load it all). Each
part's offset and duration in the result come from its byte count: ``size // 4``
frames, a trailing partial frame (a crash mid-write) dropped. The frame total is known
before the first byte, so the WAV header is right from the start and the target need
not be seekable (it may be the start of a pipe into ``vault.seal``).

Signed linear is in the host's byte order, as ``wave`` assumes for the frames it is
given; on every machine this runs on (x86-64, arm64) that is little-endian.
"""

from __future__ import annotations

import wave
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np
import numpy.typing as npt

RATE = 8000
CHANNELS = 2
SAMPLE_BYTES = 2
FRAME_BYTES = CHANNELS * SAMPLE_BYTES
BLOCK_BYTES = 64 * 1024  # a whole number of frames

Samples = npt.NDArray[np.int16]


class AudioError(ValueError):
    """Audio this module cannot use; the message names the file and what is wrong."""


@dataclass(frozen=True, slots=True)
class JoinedSegment:
    """Where one part sits in the joined WAV, in seconds."""

    offset_s: float
    duration_s: float


@dataclass(frozen=True, slots=True)
class Joined:
    """What ``join_segments`` wrote: each part's place, and the whole."""

    segments: tuple[JoinedSegment, ...]
    frames: int

    @property
    def duration_s(self) -> float:
        return self.frames / RATE


def raw_frames(path: Path) -> int:
    """Whole stereo frames in a MixMonitor ``.raw`` file (a partial last frame dropped)."""
    return path.stat().st_size // FRAME_BYTES


def raw_duration_s(path: Path) -> float:
    return raw_frames(path) / RATE


def join_segments(segment_paths: Sequence[Path], target: BinaryIO) -> Joined:
    """Write the raw segments, in order, as one 16-bit stereo 8000 Hz WAV into ``target``.

    The segments must be finished (MixMonitor stopped): their sizes are taken first.
    """
    counts = [raw_frames(path) for path in segment_paths]
    placed: list[JoinedSegment] = []
    before = 0
    for frames in counts:
        placed.append(JoinedSegment(offset_s=before / RATE, duration_s=frames / RATE))
        before += frames
    with wave.open(target, "wb") as out:
        out.setnchannels(CHANNELS)
        out.setsampwidth(SAMPLE_BYTES)
        out.setframerate(RATE)
        out.setnframes(before)  # so the header is written once, right, without a seek
        for path, frames in zip(segment_paths, counts, strict=True):
            _copy(path, frames * FRAME_BYTES, out)
    return Joined(segments=tuple(placed), frames=before)


def _copy(path: Path, size: int, out: wave.Wave_write) -> None:
    with path.open("rb") as raw:
        left = size
        while left:
            block = raw.read(min(BLOCK_BYTES, left))
            if not block:
                raise AudioError(f"{path}: shorter than when it was measured; still recording?")
            # writeframesraw: writeframes would rewrite the header after every block.
            out.writeframesraw(block)
            left -= len(block)


def read_channels(wav: BinaryIO) -> tuple[Samples, Samples, int]:
    """(agent, caller, sample rate): the left and right channels of a 16-bit stereo WAV.

    Reads the whole file: for the analysis of one call, not for streaming.
    """
    name = str(getattr(wav, "name", "<stream>"))
    try:
        with wave.open(wav, "rb") as source:
            channels, width = source.getnchannels(), source.getsampwidth()
            rate, frames = source.getframerate(), source.getnframes()
            if (channels, width) != (CHANNELS, SAMPLE_BYTES):
                raise AudioError(
                    f"{name}: {channels} channel(s) of {8 * width} bit; allowed: 16-bit "
                    "stereo (left the agent, right the caller)"
                )
            data = source.readframes(frames)
    except (wave.Error, EOFError) as exc:
        raise AudioError(f"{name}: not a WAV file this code reads: {exc}") from None
    whole = len(data) - len(data) % FRAME_BYTES  # a file cut short mid-frame
    interleaved = np.frombuffer(data[:whole], dtype=np.int16).reshape(-1, CHANNELS)
    return interleaved[:, 0].copy(), interleaved[:, 1].copy(), rate
