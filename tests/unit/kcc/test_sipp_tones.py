"""Tone pcaps for SIPp, read back by a reader of the test's own, and the burst detector."""

from __future__ import annotations

import struct
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from numpy.typing import NDArray

from kcc.sipp.g711 import alaw_decode, alaw_encode
from kcc.sipp.pcap import RtpStream, write_rtp_pcap
from kcc.sipp.rtp_listen import _ALAW
from kcc.sipp.tones import Burst, KeyPress, burst_onsets, render_tones, write_tone_pcap

RATE = 8000


@dataclass(frozen=True)
class Packet:
    ts_us: int
    seq: int
    timestamp: int
    ssrc: int
    payload_type: int
    marker: bool
    payload: bytes


def _checksum_ok(data: bytes) -> bool:
    """RFC 1071: the one's-complement sum over data with its checksum in is 0xFFFF."""
    data += b"\0" * (len(data) % 2)
    total: int = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total > 0xFFFF:
        total = (total & 0xFFFF) + (total >> 16)
    return total == 0xFFFF


def _ip_udp_rtp(frame: bytes) -> tuple[bytes, bytes]:
    """Check the Ethernet, IPv4 and UDP layers of one frame; return (UDP payload, source)."""
    assert struct.unpack("!H", frame[12:14])[0] == 0x0800  # IPv4
    ip = frame[14:34]
    version_ihl, _, total_len, _, _, _, proto, _, src, dst = struct.unpack("!BBHHHBBH4s4s", ip)
    assert (version_ihl, proto) == (0x45, 17)
    assert total_len == len(frame) - 14
    assert _checksum_ok(ip), "IPv4 header checksum"
    assert src == dst == bytes([127, 0, 0, 1])
    udp = frame[34:]
    assert struct.unpack("!H", udp[4:6])[0] == len(udp)
    pseudo = src + dst + struct.pack("!BBH", 0, 17, len(udp))
    assert _checksum_ok(pseudo + udp), "UDP checksum"
    return udp[8:], src


def read_pcap(path: Path) -> list[Packet]:
    """A classic little-endian libpcap file of Ethernet/IPv4/UDP/RTP, fully checked."""
    data = path.read_bytes()
    magic, major, minor, _, _, snaplen, linktype = struct.unpack("<IHHiIII", data[:24])
    assert (magic, major, minor, snaplen, linktype) == (0xA1B2C3D4, 2, 4, 65535, 1)
    packets, offset = [], 24
    while offset < len(data):
        sec, usec, incl, orig = struct.unpack("<IIII", data[offset : offset + 16])
        assert incl == orig  # SIPp refuses truncated captures
        frame = data[offset + 16 : offset + 16 + incl]
        assert len(frame) == incl
        offset += 16 + incl
        rtp, _ = _ip_udp_rtp(frame)
        first, second, seq, timestamp, ssrc = struct.unpack("!BBHII", rtp[:12])
        assert first == 0x80  # version 2, no padding, extension or CSRC
        packets.append(
            Packet(
                ts_us=sec * 1_000_000 + usec,
                seq=seq,
                timestamp=timestamp,
                ssrc=ssrc,
                payload_type=second & 0x7F,
                marker=bool(second & 0x80),
                payload=rtp[12:],
            )
        )
    return packets


def audio(packets: list[Packet]) -> NDArray[np.int16]:
    codes = np.frombuffer(b"".join(p.payload for p in packets), dtype=np.uint8)
    return alaw_decode(codes)


def dominant_hz(frame: NDArray[np.int16]) -> float:
    """The strongest frequency of a frame by FFT (zero-padded to 1 Hz resolution)."""
    spectrum = np.abs(np.fft.rfft(frame * np.hanning(len(frame)), n=RATE))
    return float(np.argmax(spectrum))


BURSTS = [
    Burst(0.5, 1.0, 1000.0),
    Burst(2.0, 0.6, 425.0, level_dbfs=-20.0),
    Burst(3.0, 1.5, 1700.0, level_dbfs=-6.0),
]


@pytest.fixture
def tone_pcap(tmp_path: Path) -> Path:
    path = tmp_path / "tones.pcap"
    assert write_tone_pcap(path, BURSTS, 5.0) == 250
    return path


def test_one_rtp_packet_per_20_ms_in_one_continuous_stream(tone_pcap: Path) -> None:
    packets = read_pcap(tone_pcap)
    assert len(packets) == 5.0 / 0.02
    assert [p.ts_us - packets[0].ts_us for p in packets] == [20_000 * i for i in range(250)]
    assert [p.seq for p in packets] == list(range(packets[0].seq, packets[0].seq + 250))
    assert [p.timestamp - packets[0].timestamp for p in packets] == [160 * i for i in range(250)]
    assert {p.ssrc for p in packets} == {0x4B434331}
    assert {p.payload_type for p in packets} == {8}
    assert [p.marker for p in packets] == [True] + [False] * 249
    assert {len(p.payload) for p in packets} == {160}


def test_the_bursts_are_where_the_timeline_puts_them(tone_pcap: Path) -> None:
    samples = audio(read_pcap(tone_pcap))
    frames = samples.reshape(-1, 160)
    for burst in BURSTS:
        inside = range(round(burst.start_s / 0.02) + 1, round(burst.end_s / 0.02) - 1)
        assert {dominant_hz(frames[i]) for i in inside} == {burst.frequency_hz}
        middle = samples[round(burst.start_s * RATE) + 80 : round(burst.end_s * RATE) - 80]
        level = 20 * np.log10(np.sqrt(np.mean(middle.astype(float) ** 2) * 2) / 32768)
        assert level == pytest.approx(burst.level_dbfs, abs=0.3)
    assert burst_onsets(samples, RATE, 1000.0) == [(0.5, 1.5)]
    assert burst_onsets(samples, RATE, 425.0) == [(2.0, 2.6)]
    assert burst_onsets(samples, RATE, 1700.0) == [(3.0, 4.5)]


def write_and(path: Path, *, noise_dbfs: float | None) -> Path:
    write_tone_pcap(path, BURSTS, 5.0, noise_dbfs=noise_dbfs)
    return path


def test_between_bursts_comfort_noise_or_digital_silence(tmp_path: Path) -> None:
    noisy = audio(read_pcap(write_and(tmp_path / "n.pcap", noise_dbfs=-60.0)))
    quiet_rms = np.sqrt(np.mean(noisy[:4000].astype(float) ** 2))  # 0-0.5 s
    assert 20 * np.log10(quiet_rms * np.sqrt(2) / 32768) == pytest.approx(-60.0, abs=1.5)
    silent = read_pcap(write_and(tmp_path / "s.pcap", noise_dbfs=None))
    assert {p.payload for p in silent[:25]} == {b"\xd5" * 160}  # A-law zero


def test_one_timeline_always_gives_the_same_file(tmp_path: Path) -> None:
    write_tone_pcap(tmp_path / "a.pcap", BURSTS, 5.0)
    write_tone_pcap(tmp_path / "b.pcap", BURSTS, 5.0)
    assert (tmp_path / "a.pcap").read_bytes() == (tmp_path / "b.pcap").read_bytes()


def test_sequence_and_timestamp_wrap_around(tmp_path: Path) -> None:
    stream = RtpStream(
        payload_type=8,
        ssrc=1,
        samples_per_packet=160,
        packet_us=20_000,
        first_seq=65534,
        first_timestamp=2**32 - 160,
    )
    write_rtp_pcap(tmp_path / "w.pcap", stream, [b"\xd5" * 160] * 4)
    packets = read_pcap(tmp_path / "w.pcap")
    assert [p.seq for p in packets] == [65534, 65535, 0, 1]
    assert [p.timestamp for p in packets] == [2**32 - 160, 0, 160, 320]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda p: write_tone_pcap(p, BURSTS, 5.0, payload_type=0), "only PCMA"),
        (lambda p: write_tone_pcap(p, BURSTS, 5.01), "multiple of 0.02 s, not 5.01"),
        (lambda p: write_tone_pcap(p, BURSTS, 4.0), "ends after the timeline's 4.0 s"),
        (lambda p: write_tone_pcap(p, [Burst(0, 1, 500, 0), Burst(0, 1, 900, 0)], 1), "full"),
    ],
)
def test_impossible_timelines_are_refused(
    tmp_path: Path, call: Callable[[Path], int], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        call(tmp_path / "x.pcap")
    assert not (tmp_path / "x.pcap").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((-0.1, 1.0, 440.0), "starts at 0 s or later"),
        ((0.0, 0.0, 440.0), "lasts more than 0 s"),
        ((0.0, 1.0, 4000.0), "between 0 and 4000 Hz"),
        ((0.0, 1.0, 440.0, 3.0), "0 dBFS or less"),
    ],
)
def test_a_burst_is_checked_when_made(args: tuple[float, ...], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Burst(*args)


def test_alaw_matches_the_listeners_decoder_and_g711_reference_codes() -> None:
    codes = np.arange(256, dtype=np.uint8)
    assert alaw_decode(codes).tolist() == _ALAW  # rtp_listen's independent table
    assert (alaw_encode(alaw_decode(codes)) == codes).all()
    # 255 >> 3 = 0x1F: segment 0, mantissa 0xF; 256 >> 3 = 0x20: segment 1, mantissa 0.
    edges = np.array([0, -1, 32767, -32768, 255, 256], dtype=np.int16)
    assert alaw_encode(edges).tolist() == [0xD5, 0x55, 0xAA, 0x2A, 0x0F ^ 0xD5, 0x10 ^ 0xD5]


def test_alaw_error_stays_within_half_a_step_of_its_segment() -> None:
    linear = np.arange(-32768, 32768).astype(np.int16)
    error = np.abs(alaw_decode(alaw_encode(linear)).astype(int) - linear)
    magnitude = np.abs(linear.astype(int))
    step = np.where(magnitude < 512, 16, 2 ** (np.floor(np.log2(np.maximum(magnitude, 1))) - 4))
    assert (error <= step / 2).all()


def tone(frequency_hz: float, seconds: float, level_dbfs: float = -12.0) -> NDArray[np.float64]:
    t = np.arange(round(seconds * RATE)) / RATE
    return 32767 * 10 ** (level_dbfs / 20) * np.sin(2 * np.pi * frequency_hz * t)


def test_onsets_ignore_the_echo_of_another_tone_and_speech_like_noise() -> None:
    rng = np.random.default_rng(3)
    mix = rng.normal(0, 30, 4 * RATE)
    mix[: 2 * RATE] += tone(600.0, 2.0)  # the other side's tone,
    mix[: 2 * RATE] += tone(1000.0, 2.0, level_dbfs=-30.0)  # our tone's echo beneath it
    mix[2 * RATE : 3 * RATE] += rng.normal(0, 3000, RATE)  # speech-like noise
    mix[3 * RATE :] += tone(1000.0, 1.0)
    assert burst_onsets(mix, RATE, 1000.0) == [(3.0, 4.0)]
    assert burst_onsets(mix, RATE, 600.0) == [(0.0, 2.0)]


def test_onsets_bridge_a_lost_packet_and_drop_short_blips() -> None:
    mix = np.zeros(3 * RATE)
    mix[:RATE] = tone(800.0, 1.0)
    mix[4000:4160] = 0  # one lost packet at 0.5 s
    mix[2 * RATE : 2 * RATE + 480] = tone(800.0, 0.06)  # a 60 ms blip
    assert burst_onsets(mix, RATE, 800.0) == [(0.0, 1.0)]
    assert burst_onsets(mix, RATE, 800.0, max_gap_s=0.0) == [(0.0, 0.5), (0.52, 1.0)]
    assert burst_onsets(mix, RATE, 800.0, min_duration_s=0.04) == [(0.0, 1.0), (2.0, 2.06)]


def test_onsets_of_silence_quiet_tones_and_empty_audio() -> None:
    assert burst_onsets(np.zeros(RATE), RATE, 800.0) == []
    assert burst_onsets(tone(800.0, 1.0, level_dbfs=-55.0), RATE, 800.0) == []
    assert burst_onsets(np.zeros(0, np.int16), RATE, 800.0) == []


def test_onsets_refuse_what_they_cannot_measure() -> None:
    with pytest.raises(ValueError, match=r"0 < frequency < rate/2; got 1-D, 8000 Hz, 5000"):
        burst_onsets(np.zeros(RATE), RATE, 5000.0)
    with pytest.raises(ValueError, match="got 2-D"):
        burst_onsets(np.zeros((2, RATE)), RATE, 800.0)


def test_rendered_pcm_matches_what_the_pcap_carries() -> None:
    pcm = render_tones(BURSTS, 5.0)
    assert pcm.dtype == np.int16 and len(pcm) == 5 * RATE
    assert burst_onsets(pcm, RATE, 1000.0) == [(0.5, 1.5)]


def test_key_presses_replace_the_audio_as_rfc4733_events(tmp_path: Path) -> None:
    path = tmp_path / "keys.pcap"
    keys = [KeyPress(1.0, "#"), KeyPress(1.3, "3", duration_s=0.06)]
    count = write_tone_pcap(path, [Burst(0.0, 2.0, 600.0)], 2.0, keys=keys)
    packets = read_pcap(path)
    assert count == len(packets) == 100
    assert [p.seq for p in packets] == list(range(100))
    events = [(n, p) for n, p in enumerate(packets) if p.payload_type == 101]
    # '#': 5 packets growing, then its end twice more; '3': 3 packets, then twice more.
    assert [n for n, _ in events] == [*range(50, 57), *range(65, 70)]
    pound = [p for n, p in events if n < 60]
    assert {p.timestamp for p in pound} == {50 * 160}, "one event, one timestamp"
    assert [p.marker for p in pound] == [True] + [False] * 6
    assert [p.payload[0] for p in pound] == [11] * 7
    assert [bool(p.payload[1] & 0x80) for p in pound] == [False] * 4 + [True] * 3
    assert [int.from_bytes(p.payload[2:4], "big") for p in pound] == [
        160, 320, 480, 640, 800, 800, 800,
    ]  # fmt: skip
    three = [p for n, p in events if n >= 65]
    assert [p.payload[0] for p in three] == [3] * 5
    assert [int.from_bytes(p.payload[2:4], "big") for p in three] == [160, 320, 480, 480, 480]
    around = [p for n, p in enumerate(packets) if n in (49, 57, 64, 70)]
    assert all(p.payload_type == 8 and p.timestamp % 160 == 0 for p in around)


def test_a_key_press_off_the_keypad_or_the_timeline_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="not a keypad key"):
        KeyPress(1.0, "A")
    with pytest.raises(ValueError, match="overlaps another key or ends after"):
        write_tone_pcap(tmp_path / "x.pcap", [], 1.0, keys=[KeyPress(0.98, "1")])
    with pytest.raises(ValueError, match="overlaps another key"):
        write_tone_pcap(tmp_path / "x.pcap", [], 2.0, keys=[KeyPress(0.5, "1"), KeyPress(0.6, "2")])
