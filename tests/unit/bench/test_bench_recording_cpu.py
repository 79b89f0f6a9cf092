"""bench/bench_recording_cpu.py and its pure parts: /proc/<pid>/stat, the figures, AMI."""

from __future__ import annotations

import contextlib
import importlib
import os
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from acd.ami.frames import Event
from tests.unit.kcc.test_sipp_tones import read_pcap

BENCH_DIR = Path(__file__).resolve().parents[3] / "bench"

# A real line's shape (Asterisk 22, from a run of this benchmark), with a command name
# made awkward on purpose: spaces and a ")" inside the parentheses.
STAT = (
    "7200 (aster) isk x) S 7199 7200 7200 0 -1 4194560 21768 0 3 0 "
    "185 77 4 2 20 0 64 0 1804 1116568 17265 18446744073709551615"
)


@pytest.fixture
def cpu(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """bench/ is not an installed package; import it the way the benchmark does."""
    monkeypatch.syspath_prepend(str(BENCH_DIR))
    return importlib.import_module("process_cpu")


@pytest.fixture
def bench(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    monkeypatch.syspath_prepend(str(BENCH_DIR))
    return importlib.import_module("bench_recording_cpu")


@pytest.fixture
def ami(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    monkeypatch.syspath_prepend(str(BENCH_DIR))
    return importlib.import_module("ami_channels")


# ---------------------------------------------------------------- /proc/<pid>/stat


def test_utime_and_stime_are_fields_14_and_15_counted_after_the_name(cpu: ModuleType) -> None:
    assert cpu.parse_proc_stat(STAT) == cpu.CpuTicks(user=185, system=77)


@pytest.mark.parametrize("text", ["", "7200 asterisk S 1 2", "7200 (asterisk) S 1 2 3"])
def test_a_line_that_is_not_a_stat_line_is_refused(cpu: ModuleType, text: str) -> None:
    with pytest.raises(ValueError, match="stat"):
        cpu.parse_proc_stat(text)


def test_ticks_subtract_and_add_up(cpu: ModuleType) -> None:
    used = cpu.CpuTicks(300, 120) - cpu.CpuTicks(185, 77)
    assert used == cpu.CpuTicks(115, 43) and used.total == 158


def test_a_process_is_read_from_its_proc_folder(cpu: ModuleType, tmp_path: Path) -> None:
    (tmp_path / "7200").mkdir()
    (tmp_path / "7200" / "stat").write_text(STAT + "\n")
    (tmp_path / "7200" / "comm").write_text("asterisk\n")
    assert cpu.read_cpu_ticks(7200, proc=tmp_path).total == 262
    assert cpu.command_name(7200, proc=tmp_path) == "asterisk"


def test_our_own_process_reads_and_its_time_does_not_go_back(cpu: ModuleType) -> None:
    before = cpu.read_cpu_ticks(os.getpid())
    sum(i * i for i in range(200_000))
    after = cpu.read_cpu_ticks(os.getpid())
    assert after.user >= before.user and after.system >= before.system


def test_cpu_per_call_second(cpu: ModuleType) -> None:
    # 262 ticks at 100 a second over 20 calls for 20 s: 2.62 s / 400 call-seconds.
    used = cpu.CpuTicks(185, 77)
    assert cpu.ms_per_call_second(used, calls=20, window_s=20.0, ticks_per_s=100) == 6.55
    with pytest.raises(ValueError, match="call"):
        cpu.ms_per_call_second(used, calls=0, window_s=20.0)


def test_a_spread_is_best_median_worst(cpu: ModuleType) -> None:
    assert cpu.Spread.of([7.0, 6.5, 9.0]) == cpu.Spread(6.5, 7.0, 9.0, 3)
    assert cpu.Spread.of([6.0, 8.0]).median == 7.0
    with pytest.raises(ValueError):
        cpu.Spread.of([])


# ---------------------------------------------------------------- the figures


def test_the_figure_names_the_unrecorded_call_as_its_baseline(
    bench: ModuleType, cpu: ModuleType
) -> None:
    entries = bench.result_entries(cpu.Spread.of([10.61, 10.4]), cpu.Spread.of([6.55, 6.6]))
    assert entries == {
        "recording_asterisk_cpu_per_call": {
            "value": 10.505,
            "unit": "Asterisk CPU ms per call-second",
            "baseline": "unrecorded call",
            "baseline_value": 6.575,
        }
    }


def test_the_report_takes_each_variants_median(bench: ModuleType, cpu: ModuleType) -> None:
    ticks = cpu.CpuTicks(1, 1)
    runs = [
        bench.Run(bench.BASELINE, 6.0, ticks, 20.0, 0),
        bench.Run(bench.OURS, 10.0, ticks, 20.0, 20),
        bench.Run(bench.BASELINE, 7.0, ticks, 20.0, 0),
        bench.Run(bench.OURS, 12.0, ticks, 20.0, 20),
        bench.Run(bench.BASELINE, 6.5, ticks, 20.0, 0),
        bench.Run(bench.OURS, 11.0, ticks, 20.0, 20),
    ]
    ours, base = bench.report(runs)
    assert (ours.median, ours.best, base.median, base.worst) == (11.0, 10.0, 6.5, 7.0)


def test_the_caller_stays_on_past_the_window(bench: ModuleType) -> None:
    plan = bench.Plan(calls=20, lead_s=3.0, window_s=20.0, repeat=3)
    assert plan.hold_s > plan.lead_s + plan.window_s


def test_the_recorded_phone_presses_hash_3_a_second_after_answering(
    bench: ModuleType, tmp_path: Path
) -> None:
    keys = [bench.KeyPress(1.0, "#"), bench.KeyPress(1.3, "3")]
    audio = bench.tone_audio(tmp_path / "phone.pcap", 600.0, 12.0, keys)
    assert audio.ms == 12_000
    packets = read_pcap(Path(audio.pcap))
    assert len(packets) == 600  # one every 20 ms, without a gap: continuous RTP
    events = [p for p in packets if p.payload_type == 101]
    assert events and events[0].payload[0] == 11  # "#" (RFC 4733 event 11)


def test_only_the_colleagues_segments_are_counted_and_removed(
    bench: ModuleType, tmp_path: Path
) -> None:
    for name in ("c1_301_1.2_1.raw", "c1_301_1.2_1.raw.closed", "c2_301_1.4_1.raw"):
        (tmp_path / name).write_bytes(b"\0" * 64)
    (tmp_path / "c3_201_1.6_1.raw").write_bytes(b"")
    assert bench._recording(tmp_path, 2, min_bytes=64)
    assert not bench._recording(tmp_path, 2, min_bytes=65)
    assert bench.clear_capture(tmp_path) == 2
    assert [p.name for p in tmp_path.iterdir()] == ["c3_201_1.6_1.raw"]


# ---------------------------------------------------------------- AMI


def channel(name: str, state: str, bridge: str | None) -> Event:
    headers = {"Event": "CoreShowChannel", "Channel": name, "ChannelState": state}
    return Event("CoreShowChannel", {**headers, **({"BridgeId": bridge} if bridge else {})})


def test_a_call_counts_once_both_channels_are_up_in_one_bridge(ami: ModuleType) -> None:
    channels = [
        channel("PJSIP/trunk-00000000", "6", "0da2"),
        channel("PJSIP/301-00000001", "6", "0da2"),
        channel("PJSIP/trunk-00000002", "6", "0e74"),  # its other side is still ringing
        channel("PJSIP/301-00000003", "5", None),
        channel("PJSIP/trunk-00000004", "6", None),  # answered, in the dialplan
    ]
    assert ami.bridged_calls(channels) == 1


# What Asterisk 22 answers, in the shape of bench/traces/queue_traffic.ami.
LIST_ANSWER = (
    "Response: Success\r\nActionID: {id}\r\nEventList: start\r\n"
    "Message: Channels will follow\r\n\r\n"
    "Event: CoreShowChannel\r\nActionID: {id}\r\nChannel: PJSIP/trunk-00000000\r\n"
    "ChannelState: 6\r\nChannelStateDesc: Up\r\nBridgeId: 0da29e60\r\n\r\n"
    "Event: CoreShowChannel\r\nActionID: {id}\r\nChannel: PJSIP/301-00000001\r\n"
    "ChannelState: 6\r\nChannelStateDesc: Up\r\nBridgeId: 0da29e60\r\n\r\n"
    "Event: CoreShowChannelsComplete\r\nActionID: {id}\r\nEventList: Complete\r\n"
    "ListItems: 2\r\n\r\n"
)


@pytest.fixture
def fake_asterisk() -> Iterator[tuple[int, list[str]]]:
    """A one-connection AMI server: a banner, then an answer to each action it reads."""
    server = socket.create_server(("127.0.0.1", 0))
    asked: list[str] = []

    def serve() -> None:
        conn, _ = server.accept()
        # A client that goes away with answers unread resets the connection: that ends it.
        with conn, contextlib.suppress(ConnectionResetError):
            conn.sendall(b"Asterisk Call Manager/11.0.0\r\n")
            buffer = b""
            while chunk := conn.recv(4096):
                buffer += chunk
                while b"\r\n\r\n" in buffer:
                    block, buffer = buffer.split(b"\r\n\r\n", 1)
                    headers = dict(line.split(": ", 1) for line in block.decode().split("\r\n"))
                    asked.append(headers["Action"])
                    conn.sendall(_answer(headers).encode())

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1], asked
    server.close()
    thread.join(timeout=5)


def _answer(headers: dict[str, str]) -> str:
    action, action_id = headers["Action"], headers["ActionID"]
    if action == "Login":
        ok = headers["Secret"] == "s3cret" and headers["Events"] == "off"
        kind = "Success" if ok else "Error"
        return f"Response: {kind}\r\nActionID: {action_id}\r\nMessage: x\r\n\r\n"
    if action == "CoreShowChannels":
        # An event of no action first: the session must skip it.
        return "Event: FullyBooted\r\nStatus: Fully Booted\r\n\r\n" + LIST_ANSWER.format(
            id=action_id
        )
    return f"Response: Goodbye\r\nActionID: {action_id}\r\n\r\n"


def test_the_session_logs_in_with_events_off_and_counts_calls(
    ami: ModuleType, fake_asterisk: tuple[int, list[str]]
) -> None:
    port, asked = fake_asterisk
    with ami.AmiChannels("127.0.0.1", port, "kcc", "s3cret") as session:
        assert [c.get("Channel") for c in session.channels()] == [
            "PJSIP/trunk-00000000",
            "PJSIP/301-00000001",
        ]
        assert session.bridged_calls() == 1
    assert asked[:3] == ["Login", "CoreShowChannels", "CoreShowChannels"]


def test_a_refused_login_stops_the_session(
    ami: ModuleType, fake_asterisk: tuple[int, list[str]]
) -> None:
    port, _ = fake_asterisk
    with pytest.raises(RuntimeError, match="login refused"):
        ami.AmiChannels("127.0.0.1", port, "kcc", "wrong").__enter__()
