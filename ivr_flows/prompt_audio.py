"""Speech synthesis with espeak-ng and conversion to Asterisk's 8 kHz signed-linear audio.

Asterisk plays ``.sln`` files as raw 16-bit little-endian mono PCM at 8 kHz with no
header, so the converted audio is written as bare samples. Conversion uses pydub
(rate, channels, sample width) on WAV data only; pydub never needs ffmpeg for that.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
import warnings
import wave
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

SLIN_RATE = 8000
SLIN_WIDTH = 2  # bytes per sample: 16-bit signed linear
SLIN_BYTES_PER_SECOND = SLIN_RATE * SLIN_WIDTH
# Part of every cache key: bump it when the conversion itself changes.
CONVERSION_VERSION = "slin8k-pydub-1"


class PromptBuildError(RuntimeError):
    """A prompt could not be rendered; the message says which and why."""


class SpeechSynthesizer(Protocol):
    """Renders text to a WAV file; ``identity`` changes whenever the sound would."""

    def identity(self) -> str: ...

    def synthesize(self, text: str, wav_path: Path) -> None: ...


@dataclass(frozen=True, slots=True)
class EspeakVoice:
    """espeak-ng with a Dutch voice: ``espeak-ng -v nl -s 150 -w out.wav``."""

    voice: str = "nl"
    speed: int = 150
    executable: str = "espeak-ng"

    def identity(self) -> str:
        return f"{self.voice}|{self.speed}|{_espeak_version(self._path())}"

    def synthesize(self, text: str, wav_path: Path) -> None:
        # Text goes in on stdin, so text starting with '-' is never read as an option.
        command = [self._path(), "-v", self.voice, "-s", str(self.speed), "-w", str(wav_path)]
        result = subprocess.run(
            [*command, "--stdin"], input=text.encode(), capture_output=True, check=False
        )
        if result.returncode != 0 or not wav_path.is_file() or wav_path.stat().st_size <= 44:
            detail = result.stderr.decode(errors="replace").strip() or "no audio written"
            raise PromptBuildError(f"{self.executable} failed for {text[:60]!r}: {detail}")

    def _path(self) -> str:
        path = shutil.which(self.executable)
        if path is None:
            raise PromptBuildError(f"{self.executable} not found: run make deps")
        return path


def _espeak_version(path: str) -> str:
    result = subprocess.run([path, "--version"], capture_output=True, check=False, text=True)
    return result.stdout.strip() or f"unknown version of {path}"


def synthesize_to_slin(synthesizer: SpeechSynthesizer, text: str) -> bytes:
    """Speak ``text`` and return 8 kHz mono 16-bit signed-linear samples."""
    with tempfile.TemporaryDirectory(prefix="ivr-tts-") as tmp:
        wav_path = Path(tmp) / "speech.wav"
        synthesizer.synthesize(text, wav_path)
        return wav_to_slin(wav_path.read_bytes(), source=f"speech for {text[:60]!r}")


def wav_to_slin(wav_bytes: bytes, *, source: str) -> bytes:
    """Any PCM WAV (rate, channels, width) to 8 kHz mono 16-bit signed-linear samples."""
    audio_segment = _pydub_audio_segment()
    try:
        segment = audio_segment(data=wav_bytes)
    except Exception as exc:  # pydub raises several types for undecodable data
        allowed = "a PCM WAV file (any rate, mono or stereo)"
        raise PromptBuildError(
            f"{source}: cannot read it as WAV ({exc}); allowed: {allowed}"
        ) from exc
    converted = segment.set_sample_width(SLIN_WIDTH).set_channels(1).set_frame_rate(SLIN_RATE)
    return bytes(converted.raw_data)


def wav_bytes(slin: bytes) -> bytes:
    """Signed-linear samples wrapped as an 8 kHz mono 16-bit WAV file."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(SLIN_WIDTH)
        out.setframerate(SLIN_RATE)
        out.writeframes(slin)
    return buffer.getvalue()


def _pydub_audio_segment() -> Any:
    with warnings.catch_warnings():
        # pydub looks for ffmpeg when imported and warns if it is missing; we only
        # hand it WAV bytes, which it decodes itself, so the warning does not apply.
        warnings.filterwarnings(
            "ignore", message="Couldn't find ffmpeg or avconv", category=RuntimeWarning
        )
        from pydub import AudioSegment
    return AudioSegment
