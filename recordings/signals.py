"""Coaching signals from a two-channel call recording: who talked, how long, over whom.

Theory of operation. Each channel (the agent's, the caller's) is cut into frames of
``Thresholds.frame_s`` (20 ms) and each frame gets its level in dBFS: the RMS relative to
that of a full-scale sine (AES17), so a tone at -12 dBFS reads -12 here. A frame is
*speech* when its level is above the channel's threshold, which adapts to the line:

* the noise floor at a frame is the quietest frame within ``floor_window_s`` around it
  (minimum statistics: a talker pauses for breath far more often than every few seconds,
  so the window always holds some noise-only frames);
* the threshold is that floor plus ``floor_margin_db``, but never below
  ``min_speech_dbfs`` (digital silence has no floor to stand on) and never above
  ``max_threshold_dbfs`` (a tone or monologue longer than the window raises the floor to
  its own level; what is that loud is speech however the floor reads).

Line echo. The caller's channel carries the agent's voice back at a lower level (the
echo of the hybrid or the caller's handset, G.168 allows as little as 6 dB loss), a few
tens of milliseconds late. Counted as caller speech it would turn every agent sentence
into overtalk. So a caller frame counts as speech only if it is no more than
``echo_loss_db`` below the loudest agent frame of the last ``echo_delay_s``: an echo is
always at least that much quieter than what made it, while a caller talking over the
agent speaks at a comparable level. A caller far quieter than the agent while both talk
is lost to this rule; that is the price, and ``echo_loss_db=math.inf`` turns it off.

Syllable gaps. A pause of up to ``hangover_s`` inside speech is bridged, so a sentence is
one stretch, not a dozen. Only gaps between speech are filled: a classic hangover that
holds speech on after its end would add its length to every turn's talk time.

Overtalk is where both channels speak at once for at least ``min_overtalk_s``; shorter
coincidences are a "hm" or a turn-taking edge, not talking over someone. Silence is
where neither speaks, the recording's start and end included.

Everything is vectorised in numpy: an hour of audio is a few tens of thousands of frames.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from numpy.typing import NDArray

Levels = NDArray[np.float64]
Mask = NDArray[np.bool_]

FULL_SCALE_SINE_POWER = 32768.0**2 / 2
SILENCE_DBFS = -120.0
"""The level of digital silence; a finite floor keeps the arithmetic free of -inf."""


@dataclass(frozen=True, kw_only=True, slots=True)
class Thresholds:
    """How speech is told from noise, echo and blips; the defaults suit 8 kHz telephony."""

    frame_s: float = 0.02
    """One RTP packet's worth: short enough for turn edges, long enough for a level."""
    min_speech_dbfs: float = -45.0
    """Quieter is never speech, however quiet the line."""
    max_threshold_dbfs: float = -30.0
    """Louder is always speech, however loud the floor estimate."""
    floor_margin_db: float = 10.0
    """How far speech stands above the noise floor."""
    floor_window_s: float = 10.0
    """The noise floor is the quietest frame within this window centred on a frame."""
    hangover_s: float = 0.2
    """Pauses up to this long inside speech are bridged (syllable and word gaps)."""
    echo_loss_db: float = 6.0
    """Caller frames this much quieter than the agent's recent level are echo."""
    echo_delay_s: float = 0.2
    """How late the echo may come back: the "recent" of ``echo_loss_db``."""
    min_overtalk_s: float = 0.3
    """Both talking for less than this is a blip, not overtalk."""

    def __post_init__(self) -> None:
        positive = {"frame_s": self.frame_s, "floor_window_s": self.floor_window_s}
        for name, value in positive.items():
            if not value > 0:
                raise ValueError(f"Thresholds.{name} must be above 0, got {value}")
        not_negative = {
            "floor_margin_db": self.floor_margin_db,
            "hangover_s": self.hangover_s,
            "echo_loss_db": self.echo_loss_db,
            "echo_delay_s": self.echo_delay_s,
            "min_overtalk_s": self.min_overtalk_s,
        }
        for name, value in not_negative.items():
            if not value >= 0:
                raise ValueError(f"Thresholds.{name} must be 0 or more, got {value}")
        if self.min_speech_dbfs > self.max_threshold_dbfs:
            raise ValueError(
                f"Thresholds.min_speech_dbfs ({self.min_speech_dbfs}) must not be above "
                f"max_threshold_dbfs ({self.max_threshold_dbfs})"
            )

    def frames(self, seconds: float) -> int:
        """A duration in whole frames, for the window and run lengths."""
        return round(seconds / self.frame_s)


DEFAULT_THRESHOLDS = Thresholds()


@dataclass(frozen=True, slots=True)
class CallSignals:
    """What a coach looks at first: talk time, its share, the longest silence, overtalk."""

    agent_talk_s: float
    caller_talk_s: float
    agent_talk_share: float | None
    """Agent talk over all talk; None when nobody talked."""
    longest_silence_s: float
    overtalk_count: int
    overtalk_s: float
    duration_s: float


def analyse(
    agent: NDArray[np.int16],
    caller: NDArray[np.int16],
    rate: int,
    *,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
) -> CallSignals:
    """The call's signals from its two channels of 16-bit PCM at ``rate`` samples/s."""
    _check_channels(agent, caller, rate)
    frame_len = round(rate * thresholds.frame_s)
    if frame_len < 1:
        raise ValueError(f"a frame of {thresholds.frame_s} s at {rate} Hz holds no sample")
    agent_level = frame_levels(agent, frame_len)
    caller_level = frame_levels(caller, frame_len)
    agent_speech = speech_frames(agent_level, thresholds)
    caller_speech = speech_frames(caller_level, thresholds, echo_of=agent_level)
    return _signals(agent_speech, caller_speech, thresholds, duration_s=len(agent) / rate)


def _check_channels(agent: NDArray[np.int16], caller: NDArray[np.int16], rate: int) -> None:
    for name, channel in (("agent", agent), ("caller", caller)):
        if channel.ndim != 1 or channel.dtype != np.int16:
            raise ValueError(
                f"the {name} channel must be a 1-D int16 array, got {channel.ndim}-D "
                f"{channel.dtype}"
            )
    if len(agent) != len(caller):
        raise ValueError(
            f"the channels differ in length: agent {len(agent)} samples, caller "
            f"{len(caller)}; both must cover the same call"
        )
    if rate <= 0:
        raise ValueError(f"the sample rate must be above 0, got {rate}")


def frame_levels(samples: NDArray[np.int16], frame_len: int) -> Levels:
    """Each whole frame's level in dBFS (AES17); a last, partial frame is left out."""
    count = len(samples) // frame_len
    frames = samples[: count * frame_len].reshape(count, frame_len).astype(np.float64)
    power = np.einsum("ij,ij->i", frames, frames) / frame_len
    levels: Levels = 10 * np.log10(np.maximum(power / FULL_SCALE_SINE_POWER, 1e-12))
    return levels


def speech_frames(levels: Levels, thresholds: Thresholds, *, echo_of: Levels | None = None) -> Mask:
    """Which frames are speech: above the adaptive threshold, not echo, gaps bridged.

    ``echo_of`` is the other channel's levels when this channel may carry its echo.
    """
    floor = _centred_min(levels, thresholds.frames(thresholds.floor_window_s) // 2)
    threshold = np.clip(
        floor + thresholds.floor_margin_db,
        thresholds.min_speech_dbfs,
        thresholds.max_threshold_dbfs,
    )
    speech: Mask = levels > threshold
    if echo_of is not None:  # echo_loss_db = inf compares with -inf: always speech
        source = _trailing_max(echo_of, thresholds.frames(thresholds.echo_delay_s))
        speech &= levels >= source - thresholds.echo_loss_db
    return _bridge_gaps(speech, thresholds.frames(thresholds.hangover_s))


def _centred_min(levels: Levels, half: int) -> Levels:
    """The minimum over each frame and ``half`` frames either side."""
    if len(levels) == 0:
        return levels
    padded = np.pad(levels, half, constant_values=np.inf)
    out: Levels = sliding_window_view(padded, 2 * half + 1).min(axis=1)
    return out


def _trailing_max(levels: Levels, back: int) -> Levels:
    """The maximum over each frame and the ``back`` frames before it."""
    if len(levels) == 0:
        return levels
    padded = np.concatenate((np.full(back, -np.inf), levels))
    out: Levels = sliding_window_view(padded, back + 1).max(axis=1)
    return out


def _runs(mask: Mask) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """Start and end (exclusive) frame indices of each stretch of True."""
    edges = np.diff(np.concatenate(([0], mask.view(np.int8), [0])))
    return np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)


def _bridge_gaps(speech: Mask, max_gap: int) -> Mask:
    """Fill pauses of up to ``max_gap`` frames that have speech on both sides."""
    if max_gap == 0 or not speech.any():
        return speech
    starts, ends = _runs(~speech)
    inner = (starts > 0) & (ends < len(speech)) & (ends - starts <= max_gap)
    fill = np.zeros(len(speech) + 1, dtype=np.int8)
    fill[starts[inner]] = 1
    fill[ends[inner]] = -1
    bridged: Mask = speech | np.cumsum(fill[:-1], dtype=np.int8).astype(bool)
    return bridged


def _signals(
    agent: Mask, caller: Mask, thresholds: Thresholds, *, duration_s: float
) -> CallSignals:
    frame_s = thresholds.frame_s
    agent_frames, caller_frames = int(agent.sum()), int(caller.sum())
    talk = agent_frames + caller_frames
    starts, ends = _runs(~(agent | caller))
    silence = int((ends - starts).max()) if len(starts) else 0
    starts, ends = _runs(agent & caller)
    overtalk = ends - starts
    overtalk = overtalk[overtalk >= max(thresholds.frames(thresholds.min_overtalk_s), 1)]
    return CallSignals(
        agent_talk_s=round(agent_frames * frame_s, 3),
        caller_talk_s=round(caller_frames * frame_s, 3),
        agent_talk_share=agent_frames / talk if talk else None,
        longest_silence_s=round(silence * frame_s, 3),
        overtalk_count=len(overtalk),
        overtalk_s=round(int(overtalk.sum()) * frame_s, 3),
        duration_s=duration_s,
    )
