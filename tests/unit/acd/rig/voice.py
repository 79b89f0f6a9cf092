"""Prompts without espeak-ng: a synthesiser that writes a short tone for any text."""

from __future__ import annotations

import math
import struct
from pathlib import Path

from ivr_flows.prompt_audio import wav_bytes

_TONE = wav_bytes(
    b"".join(struct.pack("<h", int(8000 * math.sin(2 * math.pi * n / 18))) for n in range(800))
)


class ToneVoice:
    """A speech synthesiser that writes a tenth of a second of tone for any text.

    ``identity`` is what the prompt cache keys on: give espeak-ng's own
    (``EspeakVoice().identity()``) to fill a prompt folder that a real build then finds
    complete and reuses, without running espeak-ng per text.
    """

    def __init__(self, identity: str = "tone-voice|1") -> None:
        self._identity = identity
        self.spoken: list[str] = []

    def identity(self) -> str:
        return self._identity

    def synthesize(self, text: str, wav_path: Path) -> None:
        self.spoken.append(text)
        wav_path.write_bytes(_TONE)
