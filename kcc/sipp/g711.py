"""G.711 A-law (PCMA, RTP payload type 8), vectorised in numpy.

The SIPp pcaps carry PCMA, and what the tests hear back from Asterisk is PCMA too, so
both directions are here: ``alaw_encode`` for the audio we make, ``alaw_decode`` for
the audio we check. Both follow ITU-T G.711 bit for bit (the classic ``linear2alaw`` /
``alaw2linear`` of the reference implementation): 13-bit magnitude in eight segments,
even bits inverted (``^ 0x55``), sign bit set for positive values.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

_SEGMENT_ENDS = np.array([0x1F, 0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF])
"""The largest 13-bit magnitude of each segment."""


def alaw_encode(samples: NDArray[np.int16]) -> NDArray[np.uint8]:
    """16-bit PCM to A-law codes, one byte per sample."""
    linear = samples.astype(np.int32) >> 3  # G.711 works on 13 bits
    negative = linear < 0
    magnitude = np.where(negative, -linear - 1, linear)  # 0..4095: never past segment 7
    segment = np.searchsorted(_SEGMENT_ENDS, magnitude)
    mantissa = (magnitude >> np.maximum(segment, 1)) & 0x0F
    code = (segment << 4) | mantissa
    codes: NDArray[np.uint8] = (code ^ np.where(negative, 0x55, 0xD5)).astype(np.uint8)
    return codes


def _decode_table() -> NDArray[np.int16]:
    code = np.arange(256) ^ 0x55
    mantissa = (code & 0x0F) << 4
    segment = (code >> 4) & 0x07
    magnitude = np.where(
        segment == 0, mantissa + 8, (mantissa + 0x108) << np.maximum(segment - 1, 0)
    )
    table: NDArray[np.int16] = np.where(code & 0x80, magnitude, -magnitude).astype(np.int16)
    table.setflags(write=False)
    return table


_DECODE = _decode_table()


def alaw_decode(codes: NDArray[np.uint8]) -> NDArray[np.int16]:
    """A-law codes to 16-bit PCM (each code's segment midpoint)."""
    samples: NDArray[np.int16] = _DECODE[codes]
    return samples
