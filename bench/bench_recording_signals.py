"""Benchmark: coaching-signal analysis speed, in seconds of audio per CPU second.

Measures ``recordings.signals.analyse`` (numpy, vectorised) on a synthesized call of
--minutes (10) of two-channel, speech-like 8 kHz audio, against a baseline in this file:
the same computation written as a straightforward pure-Python loop over frames and
samples (``python_loop_analyse``: per-frame sum of squares, the floor as ``min`` over each
frame's window, the echo reference as ``max`` over its last frames, gaps and runs walked
frame by frame). Both must give the same ``CallSignals``, or the run fails: the figures
compare equal work. Times are CPU time (``time.process_time``), best of --repeat.

The synthesized call (``speech_like_call``, seeded) alternates turns of syllables
(a harmonic complex on a random pitch under a smooth envelope, 80-300 ms, with 40-160 ms
gaps), pauses between turns, now and then a long silence, a short backchannel or a turn
started over the other; the caller's channel carries the agent's line echo 18 dB down
and 40 ms late, and both carry low background noise. The aim is at least 200x real time.

    .venv/bin/python bench/bench_recording_signals.py [--minutes M] [--repeat N] [--no-write]
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from results_file import merge_results  # noqa: E402

from recordings.signals import (  # noqa: E402
    DEFAULT_THRESHOLDS,
    FULL_SCALE_SINE_POWER,
    CallSignals,
    Thresholds,
    analyse,
)

RESULTS_PATH = ROOT / "bench" / "results.json"
RATE = 8000
AIM = 200.0
Pcm = NDArray[np.int16]


def _syllable(rng: np.random.Generator, seconds: float, level_dbfs: float) -> NDArray[np.float64]:
    """A voiced syllable: five harmonics of a random pitch under a half-sine envelope."""
    t = np.arange(round(seconds * RATE)) / RATE
    pitch = rng.uniform(100.0, 240.0)
    voice = sum(np.sin(2 * np.pi * pitch * k * t + rng.uniform(0, 6.3)) / k for k in range(1, 6))
    voice = voice / np.sqrt(np.mean(voice**2))
    envelope = np.sin(np.pi * t / seconds)
    rms = math.sqrt(FULL_SCALE_SINE_POWER) * 10 ** (level_dbfs / 20)
    out: NDArray[np.float64] = rms * voice * envelope
    return out


def _say(out: NDArray[np.float64], rng: np.random.Generator, start_s: float, turn_s: float) -> None:
    """Syllables with short gaps from ``start_s`` for about ``turn_s``, added into ``out``."""
    at, end, level = start_s, start_s + turn_s, rng.uniform(-26.0, -16.0)
    while at < end:
        piece = _syllable(rng, rng.uniform(0.08, 0.3), level + rng.uniform(-6.0, 3.0))
        first = round(at * RATE)
        piece = piece[: max(len(out) - first, 0)]
        out[first : first + len(piece)] += piece
        at += len(piece) / RATE + rng.uniform(0.04, 0.16)


def speech_like_call(minutes: float, seed: int = 14023) -> tuple[Pcm, Pcm]:
    """(agent, caller) int16 channels of a synthesized conversation (see the docstring)."""
    rng = np.random.default_rng(seed)
    length = round(minutes * 60 * RATE)
    agent, caller = np.zeros(length), np.zeros(length)
    at, speaker = 0.5, 0
    while at < length / RATE:
        turn = rng.uniform(1.5, 10.0)
        _say((agent, caller)[speaker], rng, at, turn)
        if rng.random() < 0.3:  # a "ja" or "hm" from the listener
            _say((agent, caller)[1 - speaker], rng, at + rng.uniform(0.5, turn), 0.2)
        gap = rng.uniform(-0.8, 1.5) if rng.random() < 0.9 else rng.uniform(5.0, 15.0)
        at, speaker = at + turn + gap, 1 - speaker
    delay = round(0.04 * RATE)
    caller[delay:] += agent[:-delay] * 10 ** (-18 / 20)
    for channel in (agent, caller):
        channel += rng.normal(0.0, math.sqrt(FULL_SCALE_SINE_POWER) * 1e-3, length)  # -60 dBFS
    return _pcm(agent), _pcm(caller)


def _pcm(samples: NDArray[np.float64]) -> Pcm:
    return np.clip(np.round(samples), -32768, 32767).astype(np.int16)


# The baseline: the same computation as recordings.signals, one frame at a time.


def _py_levels(samples: list[int], frame_len: int) -> list[float]:
    levels = []
    for start in range(0, len(samples) - frame_len + 1, frame_len):
        energy = 0
        for x in samples[start : start + frame_len]:
            energy += x * x
        power = energy / frame_len / FULL_SCALE_SINE_POWER
        levels.append(10 * math.log10(max(power, 1e-12)))
    return levels


def _py_speech(levels: list[float], th: Thresholds, echo_of: list[float] | None) -> list[bool]:
    half, back = th.frames(th.floor_window_s) // 2, th.frames(th.echo_delay_s)
    speech = []
    for i, level in enumerate(levels):
        floor = min(levels[max(i - half, 0) : i + half + 1])
        threshold = min(max(floor + th.floor_margin_db, th.min_speech_dbfs), th.max_threshold_dbfs)
        is_speech = level > threshold
        if echo_of is not None:
            source = max(echo_of[max(i - back, 0) : i + 1])
            is_speech = is_speech and level >= source - th.echo_loss_db
        speech.append(is_speech)
    return _py_bridge(speech, th.frames(th.hangover_s))


def _py_runs(mask: list[bool]) -> list[tuple[int, int]]:
    out, start = [], None
    for i, value in enumerate([*mask, False]):
        if value and start is None:
            start = i
        elif not value and start is not None:
            out.append((start, i))
            start = None
    return out


def _py_bridge(speech: list[bool], max_gap: int) -> list[bool]:
    out = list(speech)
    for start, end in _py_runs([not s for s in speech]):
        if start > 0 and end < len(speech) and end - start <= max_gap:
            out[start:end] = [True] * (end - start)
    return out


def python_loop_analyse(
    agent: Pcm, caller: Pcm, rate: int, *, thresholds: Thresholds = DEFAULT_THRESHOLDS
) -> CallSignals:
    """The baseline: ``analyse`` as a plain loop, on Python ints and floats."""
    th, frame_len = thresholds, round(rate * thresholds.frame_s)
    agent_levels = _py_levels(agent.tolist(), frame_len)
    caller_levels = _py_levels(caller.tolist(), frame_len)
    a = _py_speech(agent_levels, th, None)
    c = _py_speech(caller_levels, th, agent_levels)
    silence = [e - s for s, e in _py_runs([not (x or y) for x, y in zip(a, c, strict=True)])]
    both = [e - s for s, e in _py_runs([x and y for x, y in zip(a, c, strict=True)])]
    overtalk = [n for n in both if n >= max(th.frames(th.min_overtalk_s), 1)]
    talk = sum(a) + sum(c)
    return CallSignals(
        agent_talk_s=round(sum(a) * th.frame_s, 3),
        caller_talk_s=round(sum(c) * th.frame_s, 3),
        agent_talk_share=sum(a) / talk if talk else None,
        longest_silence_s=round(max(silence, default=0) * th.frame_s, 3),
        overtalk_count=len(overtalk),
        overtalk_s=round(sum(overtalk) * th.frame_s, 3),
        duration_s=len(agent) / rate,
    )


Analyse = Callable[[Pcm, Pcm, int], CallSignals]


def best_cpu_s(run: Callable[[], CallSignals], repeat: int) -> tuple[float, CallSignals]:
    """The shortest CPU time of ``repeat`` runs, and what the run found."""
    times, found = [], None
    for _ in range(repeat):
        started = time.process_time()
        found = run()
        times.append(time.process_time() - started)
    assert found is not None
    return min(times), found


def result_entries(audio_s: float, ours_s: float, base_s: float) -> dict[str, dict[str, Any]]:
    unit = "audio s per CPU s"
    return {
        "recording_signals_numpy": {
            "value": round(audio_s / ours_s),
            "unit": unit,
            "baseline": "recording_signals_python_loop",
            "baseline_value": round(audio_s / base_s, 1),
        },
        "recording_signals_python_loop": {
            "value": round(audio_s / base_s, 1),
            "unit": unit,
            "baseline": None,
            "baseline_value": None,
        },
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0, help="length of the call")
    parser.add_argument("--repeat", type=int, default=5, help="runs of each, best counts")
    parser.add_argument("--no-write", action="store_true", help="do not touch results.json")
    parser.add_argument("--results", type=Path, default=RESULTS_PATH)
    args = parser.parse_args(argv)
    agent, caller = speech_like_call(args.minutes)
    audio_s = len(agent) / RATE
    ours_s, ours = best_cpu_s(lambda: analyse(agent, caller, RATE), args.repeat)
    base_s, base = best_cpu_s(lambda: python_loop_analyse(agent, caller, RATE), args.repeat)
    print(f"{audio_s:.0f} s of two-channel audio: {ours}")
    if base != ours:
        print(f"the baseline found {base}: not the same computation", file=sys.stderr)
        return 1
    print(f"{'variant':<14}{'best CPU s':>12}{'audio s / CPU s':>18}")
    for name, cpu_s in (("numpy", ours_s), ("python loop", base_s)):
        print(f"{name:<14}{cpu_s:>12.4f}{audio_s / cpu_s:>18,.1f}")
    print(f"numpy / python loop: {base_s / ours_s:,.0f}x; aim >= {AIM:.0f}x real time")
    if not args.no_write:
        merge_results(args.results, result_entries(audio_s, ours_s, base_s))
        print(f"merged 2 figures into {args.results}")
    if audio_s / ours_s < AIM:
        print(f"below the aim of {AIM:.0f}x real time", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
