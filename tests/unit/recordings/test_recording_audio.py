"""MixMonitor's raw segments into one stereo WAV: parts placed one after another at the
offsets their byte counts give, each voice kept on its own side, and a WAV that is not
16-bit stereo refused."""

from __future__ import annotations

import io
import re
import wave
from pathlib import Path

import numpy as np
import pytest

from recordings.audio import (
    BLOCK_BYTES,
    RATE,
    AudioError,
    Joined,
    JoinedSegment,
    join_segments,
    raw_duration_s,
    read_channels,
)

AGENT_HZ, CALLER_HZ = 440.0, 1200.0


def tone(hz: float, seconds: float, amplitude: int) -> np.ndarray:
    t = np.arange(round(seconds * RATE)) / RATE
    return np.round(amplitude * np.sin(2 * np.pi * hz * t)).astype(np.int16)


def raw_segment(
    path: Path, seconds: float, *, agent: float = AGENT_HZ, caller: float = CALLER_HZ
) -> Path:
    """A MixMonitor 'D' file: left (from the agent's channel) and right (to it) interleaved."""
    left, right = tone(agent, seconds, 8000), tone(caller, seconds, 3000)
    path.write_bytes(np.column_stack([left, right]).astype("<i2").tobytes())
    return path


def dominant_hz(samples: np.ndarray) -> float:
    spectrum = np.abs(np.fft.rfft(samples.astype(np.float64)))
    return float(np.fft.rfftfreq(len(samples), 1 / RATE)[int(np.argmax(spectrum))])


def test_segments_are_joined_in_order_at_their_offsets(tmp_path: Path) -> None:
    parts = [
        raw_segment(tmp_path / "a.raw", 1.5),
        raw_segment(tmp_path / "b.raw", 0.25),
        raw_segment(tmp_path / "c.raw", 2.0),
    ]
    target = io.BytesIO()
    joined = join_segments(parts, target)
    assert joined == Joined(
        segments=(
            JoinedSegment(offset_s=0.0, duration_s=1.5),
            JoinedSegment(offset_s=1.5, duration_s=0.25),
            JoinedSegment(offset_s=1.75, duration_s=2.0),
        ),
        frames=round(3.75 * RATE),
    )
    assert joined.duration_s == 3.75
    target.seek(0)
    with wave.open(target, "rb") as wav:
        assert (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) == (2, 2, RATE)
        assert wav.getnframes() == joined.frames
    target.seek(0)
    raws = b"".join(p.read_bytes() for p in parts)
    assert target.getvalue()[-len(raws) :] == raws  # the frames, byte for byte


def test_each_voice_stays_on_its_side(tmp_path: Path) -> None:
    parts = [
        raw_segment(tmp_path / "a.raw", 1.0),
        raw_segment(tmp_path / "b.raw", 1.0, agent=600.0),
    ]
    target = io.BytesIO()
    join_segments(parts, target)
    target.seek(0)
    agent, caller, rate = read_channels(target)
    assert rate == RATE
    assert agent.dtype == caller.dtype == np.int16
    assert len(agent) == len(caller) == 2 * RATE
    assert dominant_hz(agent[:RATE]) == AGENT_HZ
    assert dominant_hz(agent[RATE:]) == 600.0
    assert dominant_hz(caller) == CALLER_HZ
    assert (int(agent.max()), int(caller.max())) == (8000, 3000)


def test_a_silent_caller_leaves_the_right_channel_silent(tmp_path: Path) -> None:
    path = tmp_path / "a.raw"
    left = tone(AGENT_HZ, 0.5, 5000)
    path.write_bytes(np.column_stack([left, np.zeros_like(left)]).astype("<i2").tobytes())
    target = io.BytesIO()
    join_segments([path], target)
    target.seek(0)
    agent, caller, _ = read_channels(target)
    assert np.array_equal(agent, left)
    assert not caller.any()


def test_an_empty_segment_has_no_duration_and_a_partial_frame_is_dropped(tmp_path: Path) -> None:
    empty = tmp_path / "empty.raw"
    empty.write_bytes(b"")
    cut = raw_segment(tmp_path / "cut.raw", 0.5)
    with cut.open("ab") as file:
        file.write(b"\x01\x02\x03")  # a crash mid-frame
    after = raw_segment(tmp_path / "after.raw", 0.5)
    assert (raw_duration_s(empty), raw_duration_s(cut)) == (0.0, 0.5)
    target = io.BytesIO()
    joined = join_segments([empty, cut, after], target)
    assert joined.segments == (
        JoinedSegment(offset_s=0.0, duration_s=0.0),
        JoinedSegment(offset_s=0.0, duration_s=0.5),
        JoinedSegment(offset_s=0.5, duration_s=0.5),
    )
    target.seek(0)
    agent, caller, _ = read_channels(target)
    assert len(agent) == RATE
    assert dominant_hz(caller[RATE // 2 :]) == CALLER_HZ  # the dropped bytes shifted nothing


def test_no_segments_make_an_empty_wav() -> None:
    target = io.BytesIO()
    assert join_segments([], target) == Joined(segments=(), frames=0)
    target.seek(0)
    agent, caller, rate = read_channels(target)
    assert (len(agent), len(caller), rate) == (0, 0, RATE)


class WriteOnly:
    """A target that cannot seek, like a pipe; notes the largest write."""

    def __init__(self) -> None:
        self.buffer, self.largest = io.BytesIO(), 0

    def write(self, data: bytes) -> int:
        self.largest = max(self.largest, len(data))
        return self.buffer.write(data)

    def tell(self) -> int:
        raise OSError("not seekable")

    def seek(self, offset: int, whence: int = 0) -> int:
        raise AssertionError("join_segments must not seek its target")

    def flush(self) -> None:
        pass


def test_joining_streams_in_blocks_into_a_target_that_cannot_seek(tmp_path: Path) -> None:
    parts = [raw_segment(tmp_path / f"{n}.raw", 10.0) for n in range(3)]  # 320 000 bytes each
    target = WriteOnly()
    joined = join_segments(parts, target)  # type: ignore[arg-type]
    assert joined.duration_s == 30.0
    assert target.largest <= BLOCK_BYTES
    target.buffer.seek(0)
    agent, _, _ = read_channels(target.buffer)
    assert len(agent) == 30 * RATE


def test_a_segment_that_shrank_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    part = raw_segment(tmp_path / "a.raw", 1.0)
    monkeypatch.setattr("recordings.audio.raw_frames", lambda path: 2 * RATE)
    with pytest.raises(AudioError, match=r"a\.raw: shorter than when it was measured"):
        join_segments([part], io.BytesIO())


def wav_bytes(channels: int, width: int) -> io.BytesIO:
    target = io.BytesIO()
    with wave.open(target, "wb") as wav:
        wav.setnchannels(channels)
        wav.setsampwidth(width)
        wav.setframerate(RATE)
        wav.writeframes(b"\0" * channels * width * 10)
    target.seek(0)
    return target


@pytest.mark.parametrize(
    ("channels", "width", "what"),
    [(1, 2, "1 channel(s) of 16 bit"), (2, 1, "2 channel(s) of 8 bit")],
)
def test_a_wav_that_is_not_16_bit_stereo_is_refused(channels: int, width: int, what: str) -> None:
    with pytest.raises(AudioError, match=re.escape(f"<stream>: {what}; allowed: 16-bit stereo")):
        read_channels(wav_bytes(channels, width))


@pytest.mark.parametrize("content", [b"", b"not a wav at all, just some bytes"])
def test_a_file_that_is_not_a_wav_is_refused(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "x.wav"
    path.write_bytes(content)
    with (
        path.open("rb") as file,
        pytest.raises(AudioError, match=re.escape(f"{path}: not a WAV file")),
    ):
        read_channels(file)
