"""One RTP stream as a classic libpcap file, the form SIPp's ``play_pcap_audio`` replays.

SIPp reads each packet's UDP payload and capture time and nothing else: it rewrites
addresses and ports, recomputes the UDP checksum, and sends each packet as long after
the first as the capture times say. The RTP header goes out as written, so sequence
numbers, timestamps and the SSRC must already be those of one continuous stream.

The file is what ``tcpdump -w`` writes on Linux: the microsecond pcap format in
little-endian byte order, link type Ethernet, each packet Ethernet + IPv4 + UDP + RTP
between loopback addresses, with correct lengths and checksums so that other tools
(Wireshark, tcpdump) read it as a clean capture too.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

PCAP_MAGIC = 0xA1B2C3D4  # microsecond timestamps
LINKTYPE_ETHERNET = 1
SNAPLEN = 65535
ETHERTYPE_IPV4 = 0x0800
IPPROTO_UDP = 17
LOOPBACK = bytes([127, 0, 0, 1])
RTP_PORT = 6000  # SIPp's default media port; SIPp replaces it anyway
CAPTURE_START_S = 1_700_000_000
"""A fixed capture time for the first packet, so one timeline always gives the same file;
SIPp uses only the differences."""


@dataclass(frozen=True, kw_only=True, slots=True)
class RtpStream:
    """The constant part of an RTP stream and its packet clock."""

    payload_type: int
    ssrc: int
    samples_per_packet: int
    packet_us: int
    first_seq: int = 0
    first_timestamp: int = 0


def ones_complement_sum(data: bytes) -> int:
    """The 16-bit one's-complement sum of RFC 1071, over ``data`` padded to even length."""
    if len(data) % 2:
        data += b"\0"
    total: int = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total > 0xFFFF:
        total = (total & 0xFFFF) + (total >> 16)
    return total


@dataclass(frozen=True, slots=True)
class Special:
    """A packet that is not the stream's audio: an RFC 4733 (2833) telephone event.

    ``payload_type`` its own (101 in the scenarios' SDP); ``timestamp_index`` the packet
    index whose timestamp it carries (every packet of one event carries the event's
    start); ``marker`` on the first packet of an event.
    """

    payload: bytes
    payload_type: int
    timestamp_index: int
    marker: bool = False


def rtp_packet(stream: RtpStream, index: int, payload: bytes | Special) -> bytes:
    """The ``index``-th RTP packet of ``stream``; the first carries the marker bit."""
    if isinstance(payload, Special):
        marker = 0x80 if payload.marker else 0
        kind, at, body = payload.payload_type, payload.timestamp_index, payload.payload
    else:
        marker = 0x80 if index == 0 else 0
        kind, at, body = stream.payload_type, index, payload
    seq = (stream.first_seq + index) & 0xFFFF
    timestamp = (stream.first_timestamp + at * stream.samples_per_packet) & 0xFFFFFFFF
    header = struct.pack("!BBHII", 0x80, marker | kind, seq, timestamp, stream.ssrc)
    return header + body


def udp_frame(payload: bytes, ident: int) -> bytes:
    """``payload`` as a UDP datagram in IPv4 in an Ethernet frame, loopback to loopback."""
    udp_length = 8 + len(payload)
    pseudo = LOOPBACK + LOOPBACK + struct.pack("!BBH", 0, IPPROTO_UDP, udp_length)
    udp = struct.pack("!HHHH", RTP_PORT, RTP_PORT, udp_length, 0) + payload
    udp_check = (0xFFFF - ones_complement_sum(pseudo + udp)) or 0xFFFF  # 0 means "none"
    udp = udp[:6] + struct.pack("!H", udp_check) + udp[8:]
    ip = struct.pack(
        "!BBHHHBBH4s4s",
        0x45,  # IPv4, a 20-byte header
        0,
        20 + udp_length,
        ident & 0xFFFF,
        0x4000,  # don't fragment
        64,
        IPPROTO_UDP,
        0,
        LOOPBACK,
        LOOPBACK,
    )
    ip = ip[:10] + struct.pack("!H", 0xFFFF - ones_complement_sum(ip)) + ip[12:]
    ethernet = bytes(12) + struct.pack("!H", ETHERTYPE_IPV4)  # loopback: zero addresses
    return ethernet + ip + udp


def write_rtp_pcap(path: Path, stream: RtpStream, payloads: Iterable[bytes | Special]) -> int:
    """Write one packet per payload, ``stream.packet_us`` apart; returns the count."""
    count = 0
    with path.open("wb") as out:
        out.write(struct.pack("<IHHiIII", PCAP_MAGIC, 2, 4, 0, 0, SNAPLEN, LINKTYPE_ETHERNET))
        for index, payload in enumerate(payloads):
            frame = udp_frame(rtp_packet(stream, index, payload), ident=index)
            seconds, micros = divmod(index * stream.packet_us, 1_000_000)
            out.write(
                struct.pack("<IIII", CAPTURE_START_S + seconds, micros, len(frame), len(frame))
            )
            out.write(frame)
            count += 1
    return count
