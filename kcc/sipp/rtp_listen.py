"""What a caller hears, measured from the RTP Asterisk sends them.

A test's caller announces this listener's port in its SDP; the listener records
every PCMA packet with its arrival time and classifies each 20 ms frame as
silence, Dutch ringback (425 Hz dominant) or other sound (speech). From that it
finds when ringback started and when each spoken message began and ended, which
is how the waiting-message tests measure "20 s after joining the queue" at the
caller, from the audio itself.
"""

from __future__ import annotations

import math
import socket
import threading
import time
from dataclasses import dataclass
from enum import Enum
from types import TracebackType

RATE = 8000
RINGBACK_HZ = 425.0


def _alaw_table() -> list[int]:
    table = []
    for byte in range(256):
        a = byte ^ 0x55
        sign, exponent, mantissa = a & 0x80, (a >> 4) & 0x07, a & 0x0F
        value = (
            (mantissa << 4) + 8 if exponent == 0 else ((mantissa << 4) + 0x108) << (exponent - 1)
        )
        table.append(value if sign else -value)
    return table


_ALAW = _alaw_table()


class Sound(Enum):
    SILENCE = "silence"
    RINGBACK = "ringback"
    OTHER = "other"


def goertzel_power(samples: list[int], freq: float) -> float:
    coeff = 2 * math.cos(2 * math.pi * freq / RATE)
    s1 = s2 = 0.0
    for x in samples:
        s0 = x + coeff * s1 - s2
        s2, s1 = s1, s0
    return s1 * s1 + s2 * s2 - coeff * s1 * s2


def classify(samples: list[int]) -> Sound:
    """Silence, ringback (most energy at 425 Hz) or other sound, for one frame."""
    energy = sum(x * x for x in samples)
    if energy / max(len(samples), 1) < 200.0**2:
        return Sound.SILENCE
    # Goertzel power of a pure tone is about N/2 times the frame energy.
    tone_share = goertzel_power(samples, RINGBACK_HZ) / (energy * len(samples) / 2)
    return Sound.RINGBACK if tone_share > 0.6 else Sound.OTHER


@dataclass(frozen=True, slots=True)
class Segment:
    sound: Sound
    start: float  # time.monotonic() of the first frame
    end: float  # of the frame after the last


class RtpListener:
    """Receives one RTP stream on ``port`` in a thread; ``segments()`` summarises it."""

    def __init__(self, port: int, host: str = "127.0.0.1") -> None:
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._sock.bind((host, port))
        self._sock.settimeout(0.2)
        self.port = port
        self._frames: list[tuple[float, Sound]] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name=f"rtp-{port}", daemon=True)

    def __enter__(self) -> RtpListener:
        self._thread.start()
        return self

    def __exit__(self, *exc: object | TracebackType) -> None:
        self._stop.set()
        self._thread.join()
        self._sock.close()

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                packet = self._sock.recv(2048)
            except TimeoutError:
                continue
            now = time.monotonic()
            if len(packet) <= 12 or packet[1] & 0x7F != 8:  # PCMA only; skip events
                continue
            samples = [_ALAW[b] for b in packet[12:]]
            with self._lock:
                self._frames.append((now, classify(samples)))

    def segments(self, min_frames: int = 5) -> list[Segment]:
        """Runs of one sound; a run under ``min_frames`` frames joins the run before it."""
        with self._lock:
            frames = list(self._frames)
        runs: list[tuple[Sound, float, float, int]] = []  # sound, start, end, frames
        for at, sound in frames:
            if runs and runs[-1][0] is sound:
                kind, start, _, count = runs[-1]
                runs[-1] = (kind, start, at + 0.02, count + 1)
            else:
                runs.append((sound, at, at + 0.02, 1))
        merged: list[Segment] = []
        for sound, start, end, count in runs:
            if merged and (count < min_frames or merged[-1].sound is sound):
                merged[-1] = Segment(merged[-1].sound, merged[-1].start, end)
            else:
                merged.append(Segment(sound, start, end))
        return merged

    def wait_for(self, predicate: object, timeout_s: float) -> list[Segment]:
        """Poll the segments until ``predicate(segments)`` is true (event-driven by packets)."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            segs = self.segments()
            if predicate(segs):  # type: ignore[operator]
                return segs
            time.sleep(0.1)
        raise TimeoutError(f"audio at port {self.port} never matched; heard {self.segments()}")


def ringback_start(segments: list[Segment]) -> float | None:
    """When the caller first heard ringback (they entered the queue), if they did."""
    return next((s.start for s in segments if s.sound is Sound.RINGBACK), None)


def messages_after_ringback(segments: list[Segment]) -> list[tuple[float, float]]:
    """(start, end) of each spoken message after ringback began: the waiting messages a
    queued caller hears. One still playing when the audio stops ends with it."""
    out: list[tuple[float, float]] = []
    seen_ring = False
    start: float | None = None
    for seg in segments:
        if seg.sound is Sound.RINGBACK:
            if start is not None:
                out.append((start, seg.start))
                start = None
            seen_ring = True
        elif seg.sound is Sound.OTHER and seen_ring and start is None:
            start = seg.start
    if start is not None:
        out.append((start, segments[-1].end))
    return out
