"""Known audio for SIPp, and finding it again: tone bursts on a timeline.

The integration tests need audio whose content they know to the frame: "the agent's
phone sends 1000 Hz from 2.0 to 4.0 s, the caller's 600 Hz from 5.0 to 6.5 s". Then a
recording, or what a listener hears, can be checked against the timeline:

* ``write_tone_pcap`` renders the bursts (sines with 5 ms raised-cosine edges, so an
  edge does not click across the band) over low comfort noise or digital silence,
  encodes them as PCMA and writes one RTP packet per 20 ms into a pcap that a scenario
  plays with ``<exec play_pcap_audio="..."/>`` (``kcc/sipp/scenarios.py``);
* ``burst_onsets`` finds where one frequency dominates in recorded audio, frame by
  frame, relative to the frame's own energy, so the echo of the other side's tone at
  another frequency, or speech, does not count.

Levels are dBFS as in AES17: a sine at 0 dBFS reaches full scale, so -12 dBFS peaks at
a quarter of it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from kcc.sipp.g711 import alaw_encode
from kcc.sipp.pcap import RtpStream, Special, write_rtp_pcap

RATE = 8000
PACKET_S = 0.02
PACKET_SAMPLES = 160
PCMA = 8
RAMP_S = 0.005
DEFAULT_SSRC = 0x4B434331  # "KCC1": not the SSRC of the sip-tester sample pcaps
FULL_SCALE_SINE_POWER = 32768.0**2 / 2


@dataclass(frozen=True, slots=True)
class Burst:
    """A sine at ``frequency_hz`` from ``start_s`` for ``duration_s``."""

    start_s: float
    duration_s: float
    frequency_hz: float
    level_dbfs: float = -12.0

    def __post_init__(self) -> None:
        if not self.start_s >= 0:
            raise ValueError(f"a burst starts at 0 s or later, not {self.start_s}")
        if not self.duration_s > 0:
            raise ValueError(f"a burst lasts more than 0 s, not {self.duration_s}")
        if not 0 < self.frequency_hz < RATE / 2:
            raise ValueError(
                f"a burst's frequency must be between 0 and {RATE // 2} Hz (8 kHz PCMA), "
                f"not {self.frequency_hz}"
            )
        if not self.level_dbfs <= 0:
            raise ValueError(f"a burst's level is 0 dBFS or less, not {self.level_dbfs}")

    @property
    def end_s(self) -> float:
        return self.start_s + self.duration_s


TELEPHONE_EVENT = 101  # the scenarios' SDP: a=rtpmap:101 telephone-event/8000
EVENT_CODES = {**{str(d): d for d in range(10)}, "*": 10, "#": 11}
EVENT_VOLUME = 10  # -10 dBm0, as softphones send
END_REPEATS = 3  # RFC 4733 2.5.1.4: the end packet is sent three times


@dataclass(frozen=True, slots=True)
class KeyPress:
    """A keypad key sent as RFC 4733 (2833) events from ``at_s`` for ``duration_s``,
    in place of the audio then, as a softphone does."""

    at_s: float
    key: str
    duration_s: float = 0.1

    def __post_init__(self) -> None:
        if self.key not in EVENT_CODES:
            raise ValueError(f"key {self.key!r} is not a keypad key; allowed: 0-9, * and #")
        if not self.at_s >= 0 or not self.duration_s >= PACKET_S:
            raise ValueError(f"a key press starts at 0 s or later and lasts 20 ms or more: {self}")


def _key_packets(press: KeyPress) -> dict[int, Special]:
    """The packets of one key press by packet index: the event growing every 20 ms,
    then its end three times."""
    first = round(press.at_s / PACKET_S)
    count = max(1, round(press.duration_s / PACKET_S))
    code = EVENT_CODES[press.key]
    packets: dict[int, Special] = {}
    for n in range(count + END_REPEATS - 1):
        ending = n >= count - 1
        duration = min(n + 1, count) * PACKET_SAMPLES
        flags = (0x80 if ending else 0) | EVENT_VOLUME
        body = bytes([code, flags]) + duration.to_bytes(2, "big")
        packets[first + n] = Special(body, TELEPHONE_EVENT, first, marker=n == 0)
    return packets


def packet_count(total_s: float) -> int:
    """How many 20 ms packets ``total_s`` holds; it must be a whole number."""
    count = round(total_s / PACKET_S)
    if count < 1 or abs(count * PACKET_S - total_s) > 1e-6:
        raise ValueError(f"total_s must be a positive multiple of 0.02 s, not {total_s}")
    return count


def render_tones(
    bursts: Sequence[Burst], total_s: float, *, noise_dbfs: float | None = -60.0, seed: int = 0
) -> NDArray[np.int16]:
    """The timeline as 8 kHz 16-bit PCM: bursts over white noise (None: digital silence).

    The noise is seeded, so one timeline always gives the same samples.
    """
    length = packet_count(total_s) * PACKET_SAMPLES
    if noise_dbfs is None:
        mix = np.zeros(length)
    else:
        rms = math.sqrt(FULL_SCALE_SINE_POWER) * 10 ** (noise_dbfs / 20)
        mix = np.random.default_rng(seed).normal(0.0, rms, length)
    for burst in bursts:
        if burst.end_s > total_s + 1e-9:
            raise ValueError(f"{burst} ends after the timeline's {total_s} s")
        first = round(burst.start_s * RATE)
        tone = _tone(burst)[: length - first]
        mix[first : first + len(tone)] += tone
    if np.abs(mix).max() > 32767:
        raise ValueError("the bursts add up to more than full scale; lower their levels")
    return np.round(mix).astype(np.int16)


def _tone(burst: Burst) -> NDArray[np.float64]:
    count = round(burst.duration_s * RATE)
    t = np.arange(count) / RATE
    tone = 32767 * 10 ** (burst.level_dbfs / 20) * np.sin(2 * np.pi * burst.frequency_hz * t)
    ramp = min(round(RAMP_S * RATE), count // 2)
    edge = 0.5 - 0.5 * np.cos(np.pi * np.arange(ramp) / ramp)
    tone[:ramp] *= edge
    tone[count - ramp :] *= edge[::-1]
    return tone


def write_tone_pcap(
    path: Path | str,
    bursts: Sequence[Burst],
    total_s: float,
    *,
    payload_type: int = PCMA,
    noise_dbfs: float | None = -60.0,
    ssrc: int = DEFAULT_SSRC,
    keys: Sequence[KeyPress] = (),
) -> int:
    """Write the timeline as PCMA RTP, one packet per 20 ms; returns the packet count.

    ``keys`` replace the audio while they are pressed: one stream, so SIPp sends the
    tones and the keys with the timing written here (``<exec play_pcap_audio>`` plays
    one pcap at a time; a second one would cut the first short)."""
    if payload_type != PCMA:
        raise ValueError(
            f"payload type {payload_type}: only PCMA (8) is encoded, the only audio "
            "codec the scenarios' SDP offers"
        )
    codes = alaw_encode(render_tones(bursts, total_s, noise_dbfs=noise_dbfs))
    stream = RtpStream(
        payload_type=payload_type,
        ssrc=ssrc,
        samples_per_packet=PACKET_SAMPLES,
        packet_us=round(PACKET_S * 1_000_000),
    )
    special: dict[int, Special] = {}
    for press in keys:
        packets = _key_packets(press)
        if set(packets) & set(special) or max(packets) * PACKET_SAMPLES >= len(codes):
            raise ValueError(f"{press} overlaps another key or ends after the timeline")
        special.update(packets)
    payloads = (
        special.get(n) or codes[i : i + PACKET_SAMPLES].tobytes()
        for n, i in enumerate(range(0, len(codes), PACKET_SAMPLES))
    )
    return write_rtp_pcap(Path(path), stream, payloads)


def burst_onsets(
    samples: NDArray[np.integer] | NDArray[np.floating],
    rate: int,
    frequency_hz: float,
    *,
    min_duration_s: float = 0.1,
    min_share: float = 0.5,
    min_level_dbfs: float = -50.0,
    max_gap_s: float = 0.04,
) -> list[tuple[float, float]]:
    """(start, end) seconds of each stretch where ``frequency_hz`` dominates.

    A 20 ms frame counts when at least ``min_share`` of its energy is at the frequency
    and it is louder than ``min_level_dbfs``; gaps up to ``max_gap_s`` (a lost packet)
    are bridged and stretches shorter than ``min_duration_s`` dropped. ``samples`` are
    16-bit PCM values in any numeric dtype.
    """
    if samples.ndim != 1 or rate <= 0 or not 0 < frequency_hz < rate / 2:
        raise ValueError(
            f"need 1-D samples, a positive rate and 0 < frequency < rate/2; got "
            f"{samples.ndim}-D, {rate} Hz, {frequency_hz} Hz"
        )
    frame_len = round(rate * PACKET_S)
    tone = _tone_frames(samples, frame_len, rate, frequency_hz, min_share, min_level_dbfs)
    stretches = _stretches(tone, max_gap=round(max_gap_s / PACKET_S))
    min_frames = round(min_duration_s / PACKET_S)
    return [
        (round(start * PACKET_S, 3), round(end * PACKET_S, 3))
        for start, end in stretches
        if end - start >= min_frames
    ]


def _tone_frames(
    samples: NDArray[np.integer] | NDArray[np.floating],
    frame_len: int,
    rate: int,
    frequency_hz: float,
    min_share: float,
    min_level_dbfs: float,
) -> NDArray[np.bool_]:
    """Per frame: is the tone there? Goertzel's power, for all frames at once.

    Goertzel's recursion computes one DFT bin, |sum x[n] e^(-i w n)|^2; here that is a
    matrix product with the bin's exponential. A pure tone puts N/2 times the frame's
    energy into its bin, hence the share.
    """
    count = len(samples) // frame_len
    frames = samples[: count * frame_len].reshape(count, frame_len).astype(np.float64)
    energy = np.einsum("ij,ij->i", frames, frames)
    basis = np.exp(-2j * np.pi * frequency_hz * np.arange(frame_len) / rate)
    power = np.abs(frames @ basis) ** 2
    share = np.divide(power, energy * frame_len / 2, out=np.zeros(count), where=energy > 0)
    level_floor = FULL_SCALE_SINE_POWER * frame_len * 10 ** (min_level_dbfs / 10)
    tone: NDArray[np.bool_] = (share >= min_share) & (energy >= level_floor)
    return tone


def _stretches(mask: NDArray[np.bool_], *, max_gap: int) -> list[tuple[int, int]]:
    """Frame index runs of True, [start, end), joined across gaps up to ``max_gap``."""
    edges = np.diff(np.concatenate(([0], mask.view(np.int8), [0])))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    out: list[tuple[int, int]] = []
    for start, end in zip(starts.tolist(), ends.tolist(), strict=True):
        if out and start - out[-1][1] <= max_gap:
            out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
    return out
