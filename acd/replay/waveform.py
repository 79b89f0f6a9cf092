"""The player's two waveforms: each channel's peak level in ``points`` equal slices.

Theory of operation
-------------------
The decrypted WAV arrives as a stream of byte chunks (``recordings.vault.open_range``,
64 KiB each), so a long call is never held whole: the RIFF header is read first (the
``fmt `` chunk must say 16-bit stereo, left the agent and right the caller, as
``recordings.audio`` writes it; the ``data`` chunk gives the frame count), then every
block of frames is folded into the slices it covers. Frame ``i`` of ``n`` belongs to
slice ``i * points // n``; within a block the frames of one slice are contiguous, so
``np.maximum.reduceat`` takes each slice's peak at once and the block's few slices are
merged into the running peaks.

A peak is ``|sample| / 32768``, 0 to 1 of full scale, per channel, unscaled: the page
scales both by the louder one, so the two voices stay comparable. A call shorter than
``points`` frames leaves slices empty (0).
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

FRAME_BYTES = 4  # two channels of 16 bit
MIN_POINTS, MAX_POINTS = 10, 4000


class NotOurAudio(ValueError):
    """The decrypted bytes are not a WAV as the recordings library writes them."""


@dataclass(frozen=True, slots=True)
class Envelope:
    agent: tuple[float, ...]
    caller: tuple[float, ...]
    rate: int
    frames: int

    @property
    def duration_s(self) -> float:
        return self.frames / self.rate if self.rate else 0.0


def envelope(chunks: Iterable[bytes], points: int) -> Envelope:
    """The peak envelope of the WAV in ``chunks``, ``points`` slices per channel."""
    if not MIN_POINTS <= points <= MAX_POINTS:
        raise ValueError(f"points={points}; allowed: {MIN_POINTS} to {MAX_POINTS}")
    stream = _Reader(iter(chunks))
    rate, data_bytes = _header(stream)
    frames = data_bytes // FRAME_BYTES
    peaks = np.zeros((points, 2), dtype=np.int32)
    done, carry = 0, b""
    for block in stream.rest():
        block = carry + block
        whole = len(block) - len(block) % FRAME_BYTES
        carry = block[whole:]
        samples = np.frombuffer(block[:whole], dtype="<i2").reshape(-1, 2)[: frames - done]
        if len(samples):
            _fold(peaks, samples, done, frames)
            done += len(samples)
    scaled = np.round(peaks / 32768.0, 4)
    return Envelope(
        agent=tuple(float(v) for v in scaled[:, 0]),
        caller=tuple(float(v) for v in scaled[:, 1]),
        rate=rate,
        frames=done,
    )


def _fold(peaks: NDArray[np.int32], samples: NDArray[np.int16], first: int, frames: int) -> None:
    points = len(peaks)
    slices = (np.arange(first, first + len(samples), dtype=np.int64) * points) // frames
    starts = np.flatnonzero(np.concatenate(([True], slices[1:] != slices[:-1])))
    block_peaks = np.maximum.reduceat(np.abs(samples.astype(np.int32)), starts, axis=0)
    which = slices[starts]
    peaks[which] = np.maximum(peaks[which], block_peaks)


def _header(stream: _Reader) -> tuple[int, int]:
    """(sample rate, bytes of audio) from the RIFF header; the stream is left at the audio."""
    riff = stream.take(12)
    if len(riff) < 12 or riff[:4] != b"RIFF" or riff[8:12] != b"WAVE":
        raise NotOurAudio("not a RIFF WAVE file")
    rate = 0
    while True:
        head = stream.take(8)
        if len(head) < 8:
            raise NotOurAudio("no data chunk")
        kind, size = head[:4], struct.unpack("<I", head[4:])[0]
        if kind == b"data":
            if not rate:
                raise NotOurAudio("the data chunk comes before the fmt chunk")
            return rate, size
        body = stream.take(size + size % 2)  # chunks are padded to an even length
        if kind == b"fmt ":
            if len(body) < 16:
                raise NotOurAudio("a short fmt chunk")
            audio_format, channels, rate, _, _, bits = struct.unpack("<HHIIHH", body[:16])
            if (audio_format, channels, bits) != (1, 2, 16) or not rate:
                raise NotOurAudio(
                    f"{channels} channel(s) of {bits} bit (format {audio_format}); "
                    "allowed: 16-bit PCM stereo"
                )


class _Reader:
    """Exact reads from the front of a chunk stream, then the rest as it comes."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks, self._buffer = chunks, b""

    def take(self, size: int) -> bytes:
        while len(self._buffer) < size:
            piece = next(self._chunks, None)
            if piece is None:
                break
            self._buffer += piece
        out, self._buffer = self._buffer[:size], self._buffer[size:]
        return out

    def rest(self) -> Iterator[bytes]:
        if self._buffer:
            yield self._buffer
            self._buffer = b""
        yield from self._chunks
