"""Coaching signals on synthesized calls whose talk, silence and overtalk are known."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pytest
from numpy.typing import NDArray

from recordings.signals import CallSignals, Thresholds, analyse

RATE = 8000
FULL_SCALE_SINE_RMS = 32768 / math.sqrt(2)
Span = tuple[float, float]


def channel(
    spans: Sequence[Span],
    *,
    total_s: float = 20.0,
    frequency_hz: float = 440.0,
    level_dbfs: float = -12.0,
    noise_dbfs: float = -60.0,
    seed: int = 1,
) -> NDArray[np.float64]:
    """A tone at ``level_dbfs`` during each span, over white noise at ``noise_dbfs``."""
    rng = np.random.default_rng(seed)
    t = np.arange(round(total_s * RATE)) / RATE
    out = rng.normal(0.0, FULL_SCALE_SINE_RMS * 10 ** (noise_dbfs / 20), len(t))
    peak = 32767 * 10 ** (level_dbfs / 20)
    for start, end in spans:
        on = (t >= start) & (t < end)
        out[on] += peak * np.sin(2 * np.pi * frequency_hz * t[on])
    return out


def pcm(samples: NDArray[np.float64]) -> NDArray[np.int16]:
    return np.clip(np.round(samples), -32768, 32767).astype(np.int16)


def echo(source: NDArray[np.float64], *, loss_db: float, delay_s: float) -> NDArray[np.float64]:
    """The line echo of ``source``: ``loss_db`` quieter and ``delay_s`` late."""
    delay = round(delay_s * RATE)
    late = np.concatenate((np.zeros(delay), source[: len(source) - delay]))
    return late * 10 ** (-loss_db / 20)


def signals(agent: NDArray[np.float64], caller: NDArray[np.float64], **kw: float) -> CallSignals:
    return analyse(pcm(agent), pcm(caller), RATE, thresholds=Thresholds(**kw))


# The brief's call: agent 0-4 s, caller 5-9 s, both 10-12 s, then 8 s of silence.
AGENT_SPANS = [(0.0, 4.0), (10.0, 12.0)]
CALLER_SPANS = [(5.0, 9.0), (10.0, 12.0)]


def test_a_call_of_known_turns_gives_its_talk_silence_and_overtalk() -> None:
    found = signals(
        channel(AGENT_SPANS, frequency_hz=440.0, seed=1),
        channel(CALLER_SPANS, frequency_hz=700.0, seed=2),
    )
    assert found.agent_talk_s == pytest.approx(6.0, abs=0.1)
    assert found.caller_talk_s == pytest.approx(6.0, abs=0.1)
    assert found.agent_talk_share == pytest.approx(0.5, abs=0.01)
    assert found.longest_silence_s == pytest.approx(8.0, abs=0.1)
    assert found.overtalk_count == 1
    assert found.overtalk_s == pytest.approx(2.0, abs=0.1)
    assert found.duration_s == 20.0


def test_noise_bursts_count_like_tones() -> None:
    rng = np.random.default_rng(7)
    t = np.arange(20 * RATE) / RATE

    def noisy(spans: Sequence[Span]) -> NDArray[np.float64]:
        on = np.zeros(len(t), dtype=bool)
        for start, end in spans:
            on |= (t >= start) & (t < end)
        return np.where(on, rng.normal(0, 3000, len(t)), rng.normal(0, 20, len(t)))

    found = signals(noisy([(0.0, 3.0)]), noisy([(2.0, 6.0)]))
    assert found.agent_talk_s == pytest.approx(3.0, abs=0.1)
    assert found.caller_talk_s == pytest.approx(4.0, abs=0.1)
    assert found.agent_talk_share == pytest.approx(3 / 7, abs=0.02)
    assert found.overtalk_count == 1
    assert found.overtalk_s == pytest.approx(1.0, abs=0.1)
    assert found.longest_silence_s == pytest.approx(14.0, abs=0.1)


def test_syllable_gaps_are_bridged_but_a_real_pause_is_not() -> None:
    # Syllables of 0.24 s with 0.1 s gaps from 0 to 3.3 s, a 0.7 s pause, 2 s more.
    syllables = [(0.34 * i, 0.34 * i + 0.24) for i in range(10)]
    found = signals(channel([*syllables, (4.0, 6.0)]), channel([]))
    assert found.agent_talk_s == pytest.approx(3.3 + 2.0, abs=0.1)
    assert found.longest_silence_s == pytest.approx(14.0, abs=0.1)
    no_hangover = signals(channel(syllables), channel([]), hangover_s=0.0)
    assert no_hangover.agent_talk_s == pytest.approx(2.4, abs=0.1)


def test_overtalk_shorter_than_the_minimum_is_a_blip() -> None:
    agent = channel([(0.0, 4.0)])
    caller = channel([(1.0, 1.2), (2.0, 2.5), (3.8, 6.0)], frequency_hz=700.0, seed=2)
    found = signals(agent, caller)
    assert found.overtalk_count == 1  # 2.0-2.5; the 0.2 s "hm" and the 0.2 s edge are not
    assert found.overtalk_s == pytest.approx(0.5, abs=0.1)
    assert signals(agent, caller, min_overtalk_s=0.1).overtalk_count == 3


def test_line_echo_of_the_agent_is_not_caller_speech_nor_overtalk() -> None:
    agent = channel([(0.0, 4.0), (12.0, 15.0)], level_dbfs=-10.0)
    caller_voice = channel([(6.0, 8.0)], frequency_hz=700.0, level_dbfs=-14.0, seed=2)
    caller = caller_voice + echo(agent, loss_db=12.0, delay_s=0.06)
    found = signals(agent, caller)
    assert found.caller_talk_s == pytest.approx(2.0, abs=0.1)
    assert found.overtalk_count == 0
    assert found.overtalk_s == 0.0
    # Without the level-difference rule the echo reads as the caller talking throughout.
    fooled = signals(agent, caller, echo_loss_db=math.inf)
    assert fooled.caller_talk_s == pytest.approx(9.0, abs=0.2)
    assert fooled.overtalk_count == 2


def test_a_caller_talking_over_the_agent_counts_despite_the_echo() -> None:
    agent = channel([(0.0, 6.0)], level_dbfs=-10.0)
    caller_voice = channel([(2.0, 3.5)], frequency_hz=700.0, level_dbfs=-13.0, seed=2)
    found = signals(agent, caller_voice + echo(agent, loss_db=12.0, delay_s=0.06))
    assert found.caller_talk_s == pytest.approx(1.5, abs=0.1)
    assert found.overtalk_count == 1
    assert found.overtalk_s == pytest.approx(1.5, abs=0.1)


def test_the_floor_adapts_to_a_noisy_line() -> None:
    # Noise at -38 dBFS is above the fixed minimum (-45) but far under the speech.
    found = signals(channel([(2.0, 5.0)], noise_dbfs=-38.0), channel([], noise_dbfs=-38.0))
    assert found.agent_talk_s == pytest.approx(3.0, abs=0.1)
    assert found.caller_talk_s == 0.0


def test_speech_longer_than_the_floor_window_still_counts() -> None:
    found = signals(channel([(0.0, 30.0)], total_s=30.0), channel([], total_s=30.0))
    assert found.agent_talk_s == pytest.approx(30.0, abs=0.1)
    assert found.agent_talk_share == 1.0


def test_one_channel_only() -> None:
    found = signals(channel([]), channel([(3.0, 7.0)], frequency_hz=700.0))
    assert found.agent_talk_s == 0.0
    assert found.caller_talk_s == pytest.approx(4.0, abs=0.1)
    assert found.agent_talk_share == 0.0
    assert found.longest_silence_s == pytest.approx(13.0, abs=0.1)
    assert found.overtalk_count == 0


@pytest.mark.parametrize("noise_dbfs", [-60.0, -200.0])  # low noise, digital silence
def test_all_silence(noise_dbfs: float) -> None:
    found = signals(channel([], noise_dbfs=noise_dbfs), channel([], noise_dbfs=noise_dbfs))
    assert found == CallSignals(
        agent_talk_s=0.0,
        caller_talk_s=0.0,
        agent_talk_share=None,
        longest_silence_s=20.0,
        overtalk_count=0,
        overtalk_s=0.0,
        duration_s=20.0,
    )


def test_empty_channels() -> None:
    empty = np.zeros(0, dtype=np.int16)
    assert analyse(empty, empty, RATE) == CallSignals(
        agent_talk_s=0.0,
        caller_talk_s=0.0,
        agent_talk_share=None,
        longest_silence_s=0.0,
        overtalk_count=0,
        overtalk_s=0.0,
        duration_s=0.0,
    )


def test_a_partial_last_frame_counts_in_the_duration_only() -> None:
    found = analyse(np.zeros(8100, np.int16), np.zeros(8100, np.int16), RATE)
    assert found.duration_s == pytest.approx(8100 / RATE)
    assert found.longest_silence_s == 1.0


def test_mismatched_lengths_are_refused() -> None:
    with pytest.raises(ValueError, match="differ in length: agent 8000 samples, caller 7999"):
        analyse(np.zeros(8000, np.int16), np.zeros(7999, np.int16), RATE)


@pytest.mark.parametrize(
    ("agent", "message"),
    [
        (np.zeros(8000, np.float64), "agent channel must be a 1-D int16 array, got 1-D float64"),
        (np.zeros((2, 4000), np.int16), "agent channel must be a 1-D int16 array, got 2-D"),
    ],
)
def test_other_arrays_than_int16_pcm_are_refused(agent: NDArray[np.generic], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        analyse(agent, np.zeros(8000, np.int16), RATE)  # type: ignore[arg-type]


def test_a_rate_must_be_positive_and_give_whole_frames() -> None:
    silence = np.zeros(10, np.int16)
    with pytest.raises(ValueError, match="sample rate must be above 0, got 0"):
        analyse(silence, silence, 0)
    with pytest.raises(ValueError, match="holds no sample"):
        analyse(silence, silence, 10)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("frame_s", 0.0, "frame_s must be above 0"),
        ("hangover_s", -0.1, "hangover_s must be 0 or more"),
        ("echo_loss_db", math.nan, "echo_loss_db must be 0 or more"),
        ("min_speech_dbfs", -20.0, r"min_speech_dbfs \(-20.0\) must not be above"),
    ],
)
def test_thresholds_are_checked_when_made(field: str, value: float, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Thresholds(**{field: value})
