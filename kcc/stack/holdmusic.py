"""A soft hold tune, generated, so the rootfs needs no music package.

Callers on hold during a warm transfer hear it. Signed 16-bit linear PCM at
8 kHz (Asterisk's `.sln`).
"""

from __future__ import annotations

import math
import struct
from pathlib import Path

RATE = 8000
# A slow, quiet arpeggio (C major, then A minor), each note 0.5 s with a fade.
NOTES_HZ = (523.25, 659.25, 783.99, 659.25, 440.0, 523.25, 659.25, 523.25)


def hold_music_pcm(*, amplitude: float = 0.12, note_s: float = 0.5) -> bytes:
    samples = []
    per_note = int(RATE * note_s)
    for freq in NOTES_HZ:
        for i in range(per_note):
            envelope = math.sin(math.pi * i / per_note)  # fade in and out: no clicks
            value = amplitude * envelope * math.sin(2 * math.pi * freq * i / RATE)
            samples.append(int(value * 32767))
    return struct.pack(f"<{len(samples)}h", *samples)


def write_hold_music(path: Path) -> None:
    path.write_bytes(hold_music_pcm())
