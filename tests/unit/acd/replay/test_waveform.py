"""The peak envelopes: one slice per point, high where a voice spoke, from a stream."""

from __future__ import annotations

import io
import wave

import numpy as np
import pytest

from acd.replay.waveform import NotOurAudio, envelope
from tests.unit.recordings.takes import RATE, voice


def wav(agent: np.ndarray, caller: np.ndarray, *, channels: int = 2) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(2)
        w.setframerate(RATE)
        frames = np.column_stack((agent, caller))[:, :channels]
        w.writeframes(frames.astype("<i2").tobytes())
    return out.getvalue()


def pieces(data: bytes, size: int) -> list[bytes]:
    return [data[i : i + size] for i in range(0, len(data), size)]


def test_the_agents_envelope_is_high_where_the_agent_spoke() -> None:
    agent, caller = voice([(1.0, 4.0)], 10.0), voice([(6.0, 8.0)], 10.0, seed=2)
    found = envelope(pieces(wav(agent, caller), 65536), 100)  # ten points a second
    assert (len(found.agent), len(found.caller), found.duration_s) == (100, 100, 10.0)
    a, c = np.array(found.agent), np.array(found.caller)
    assert a[12:38].min() > 0.2 and c[62:78].min() > 0.2  # -12 dBFS: a peak of 0.25
    assert a[45:100].max() < 0.02 and a[:8].max() < 0.02
    assert c[:58].max() < 0.02 and c[82:].max() < 0.02
    assert a.min() >= 0 and a.max() <= 1


def test_odd_chunk_sizes_give_the_same_envelope() -> None:
    data = wav(voice([(0.5, 1.0)], 2.0), voice([(1.2, 1.8)], 2.0, seed=2))
    whole = envelope([data], 40)
    assert envelope(pieces(data, 7), 40) == whole
    assert envelope(pieces(data, 4099), 40) == whole


def test_a_call_shorter_than_the_points_leaves_slices_empty() -> None:
    found = envelope([wav(np.full(20, 16384, np.int16), np.zeros(20, np.int16))], 40)
    assert sum(1 for v in found.agent if v == 0.5) == 20 and found.frames == 20


def test_what_is_not_our_wav_is_refused() -> None:
    with pytest.raises(NotOurAudio, match="RIFF"):
        envelope([b"not a wav at all"], 100)
    mono = wav(voice([], 1.0), voice([], 1.0), channels=1)
    with pytest.raises(NotOurAudio, match="1 channel"):
        envelope([mono], 100)
    with pytest.raises(ValueError, match="points=5"):
        envelope([mono], 5)
