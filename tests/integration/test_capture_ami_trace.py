"""Records real Asterisk 22 queue traffic on AMI: the trace the parser benchmark replays.

A raw TCP session logs in with ``Events: on`` and keeps every byte Asterisk sends,
unchanged, while SIPp callers ring 14023 and go through app_queue to SIPp agent
phones. No controller runs in this module, so the FastAGI connection is refused and
the dialplan takes the fallback path into the general topic's app_queue queue; the
test checks that this is what happened before it writes the trace.

Traffic, in two rounds because the queue's wrap-up time (60 s) keeps an agent from
a second call within the test's time: four agents answer four callers who then hang
up; three callers give up while every agent is busy or wrapping up; four fresh
agents (the same seats, logged in again, which clears wrap-up) answer the four
remaining callers and hang up themselves. Waiting is always on AMI events or SIPp
exits, never a fixed sleep.

The trace goes to bench/traces/queue_traffic.ami (replaced atomically), read by
bench/bench_ami_parse.py.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import socket
import tempfile
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from acd.ami.actions import CoreShowChannels, Login, Logoff, QueueStatus
from acd.ami.events import EventFactory, InvalidEvent
from acd.ami.frames import ConnectionClosed, Event, Frame, MalformedFrame, Response
from acd.ami.protocol import AmiProtocol
from kcc.sipp import AgentPhone, Caller
from kcc.sipp.runner import PortAllocator, SippResult
from site_config import SiteConfig
from tests.integration.ami_watch import AmiWatch
from tests.integration.conftest import staffed_phone
from tests.integration.sites import REPO

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("fallback_only")]

TRACE = REPO / "bench" / "traces" / "queue_traffic.ami"
MAX_TRACE_BYTES = 5_000_000  # the trace is committed; keep it small
CHUNK = 8192
REQUIRED = (
    "QueueCallerJoin",
    "AgentConnect",
    "AgentComplete",
    "QueueCallerAbandon",
    "Newchannel",
    "Hangup",
    "BridgeEnter",
)
SEATS = {0: "1001", 1: "1002", 2: "1003", 3: "1004"}  # seat -> agent id
QUITTERS = 3  # callers who give up while waiting
_numbers = itertools.count(1)


class AmiRecorder:
    """One AMI session that keeps every byte received and parses it as it arrives."""

    def __init__(self, host: str, port: int) -> None:
        self._sock = socket.create_connection((host, port), timeout=5)
        self._sock.settimeout(None)
        self._protocol = AmiProtocol(action_id_prefix="trace-")
        self._cond = threading.Condition()
        self._raw = bytearray()
        self.frames: list[Frame] = []
        self.closed = False
        self._reader = threading.Thread(target=self._read, name="ami-recorder", daemon=True)
        self._reader.start()

    def _read(self) -> None:
        while True:
            try:
                chunk = self._sock.recv(65536)
            except OSError:
                chunk = b""
            with self._cond:
                self._raw += chunk
                self._protocol.receive_data(chunk)
                while (frame := self._protocol.next_event()) is not None:
                    self.frames.append(frame)
                self.closed = not chunk
                self._cond.notify_all()
            if not chunk:
                return

    def send(self, action: Login | Logoff | QueueStatus | CoreShowChannels) -> str:
        with self._cond:
            outgoing = self._protocol.send(action)
        self._sock.sendall(outgoing.data)
        return outgoing.action_id

    def wait(self, what: str, done: Callable[[list[Frame]], bool], timeout_s: float) -> None:
        with self._cond:
            if not self._cond.wait_for(lambda: done(self.frames) or self.closed, timeout_s):
                seen = Counter(f.name for f in self.frames if isinstance(f, Event))
                raise AssertionError(f"{what}: not within {timeout_s} s; events so far {seen}")
            if not done(self.frames):
                raise AssertionError(f"{what}: AMI closed the session first")

    def answered(self, action_id: str) -> Response:
        return next(f for f in self.frames if isinstance(f, Response) and answers(f, action_id))

    def finish(self, timeout_s: float = 10) -> bytes:
        """Log off, read up to Asterisk closing the socket; every byte received."""
        self.send(Logoff())
        self.wait("end of the session after Logoff", lambda _: self.closed, timeout_s)
        self._reader.join(timeout_s)
        self._sock.close()
        with self._cond:
            return bytes(self._raw)

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self._sock.shutdown(socket.SHUT_RDWR)
        self._sock.close()
        self._reader.join(5)


def answers(frame: Frame, action_id: str) -> bool:
    return isinstance(frame, Response) and frame.action_id == action_id


def named(frames: list[Frame], name: str) -> list[Event]:
    return [f for f in frames if isinstance(f, Event) and f.name == name]


def at_least(name: str, count: int) -> Callable[[list[Frame]], bool]:
    return lambda frames: len(named(frames, name)) >= count


def all_hung_up(frames: list[Frame]) -> bool:
    opened = {e.headers["Uniqueid"] for e in named(frames, "Newchannel")}
    ended = {e.headers["Uniqueid"] for e in named(frames, "Hangup")}
    return bool(opened) and opened <= ended


@contextlib.contextmanager
def recording(site: SiteConfig, secret: str) -> Iterator[AmiRecorder]:
    svc = site.services
    recorder = AmiRecorder(svc.bind_host, svc.ami_port)
    try:
        login = recorder.send(Login(username=svc.ami_username, secret=secret, events="on"))
        recorder.wait("Login answer", lambda fs: any(answers(f, login) for f in fs), 10)
        assert recorder.answered(login).message == "Authentication accepted"
        yield recorder
    finally:
        recorder.close()


def call(
    stack: contextlib.ExitStack,
    recorder: AmiRecorder,
    sip_target: str,
    ports: PortAllocator,
    *,
    hangup_after_s: float | None,
) -> Caller:
    """Dial 14023 (ended with ``stack``); returns once the caller has joined the queue."""
    number = f"0235{next(_numbers):06d}"
    caller = stack.enter_context(
        Caller(target=sip_target, ports=ports, caller_id=number, hangup_after_s=hangup_after_s)
    )
    recorder.wait(
        f"{number} joining the queue",
        lambda fs: any(
            e.headers.get("CallerIDNum") == number for e in named(fs, "QueueCallerJoin")
        ),
        20,
    )
    return caller


def staff(
    stack: contextlib.ExitStack,
    ami: AmiWatch,
    site: SiteConfig,
    sip_target: str,
    ports: PortAllocator,
    *,
    talk_s: float | None,
) -> list[AgentPhone]:
    """Every seat staffed (ended with ``stack``); the phones answer after half a second."""
    return [
        stack.enter_context(
            staffed_phone(
                ami,
                site,
                sip_target,
                ports,
                seat=seat,
                agent_id=agent,
                answer_after_s=0.5,
                talk_s=talk_s,
            )
        )
        for seat, agent in SEATS.items()
    ]


def assert_all_ok(results: list[SippResult]) -> None:
    for result in results:
        assert result.ok, result.log


def drive_queue_traffic(
    recorder: AmiRecorder, ami: AmiWatch, site: SiteConfig, sip_target: str, ports: PortAllocator
) -> None:
    with contextlib.ExitStack() as callers:
        with contextlib.ExitStack() as round_one:
            # Agents wait for the caller's BYE; these callers hang up 6 s after the IVR answers.
            phones = staff(round_one, ami, site, sip_target, ports, talk_s=None)
            first = [call(callers, recorder, sip_target, ports, hangup_after_s=6.0) for _ in SEATS]
            recorder.wait("round one answered", at_least("AgentConnect", len(SEATS)), 30)
            recorder.send(CoreShowChannels())
            # Every agent is talking or wrapping up: these give up after 3 s.
            quitters = [
                call(callers, recorder, sip_target, ports, hangup_after_s=3.0)
                for _ in range(QUITTERS)
            ]
            later = [call(callers, recorder, sip_target, ports, hangup_after_s=None) for _ in SEATS]
            recorder.send(QueueStatus())
            recorder.wait("callers giving up", at_least("QueueCallerAbandon", QUITTERS), 20)
            assert_all_ok([c.wait(30) for c in (*first, *quitters)] + [p.wait(30) for p in phones])
        # Fresh logins at the same seats carry no wrap-up: they take the waiting callers.
        with contextlib.ExitStack() as round_two:
            phones = staff(round_two, ami, site, sip_target, ports, talk_s=3.0)
            assert_all_ok([c.wait(40) for c in later] + [p.wait(40) for p in phones])
    recorder.wait("every channel hung up", all_hung_up, 20)


def parse_trace(data: bytes) -> tuple[list[Frame], AmiProtocol]:
    """Replay the bytes as the benchmark does: socket-sized reads, then end of stream."""
    protocol = AmiProtocol()
    frames: list[Frame] = []
    for start in (*range(0, len(data), CHUNK), len(data)):
        protocol.receive_data(data[start : start + CHUNK])
        while (frame := protocol.next_event()) is not None:
            frames.append(frame)
    return frames, protocol


def write_atomically(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o644)  # mkstemp makes it private; the trace is committed
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def test_capture_real_queue_traffic_trace(
    ami: AmiWatch,
    site: SiteConfig,
    sip_target: str,
    ports: PortAllocator,
    ami_secret: str,
    tmp_path: Path,
) -> None:
    with recording(site, ami_secret) as recorder:
        drive_queue_traffic(recorder, ami, site, sip_target, ports)
        data = recorder.finish()

    assert data.startswith(b"Asterisk Call Manager/"), data[:80]
    assert ami_secret.encode() not in data
    assert len(data) <= MAX_TRACE_BYTES, f"trace of {len(data):,} bytes is too big to commit"
    frames, protocol = parse_trace(data)
    malformed = [f for f in frames if isinstance(f, MalformedFrame)]
    assert malformed == [], malformed[:3]
    assert protocol.decode_errors == 0
    assert isinstance(frames[-1], ConnectionClosed)
    events = [f for f in frames if isinstance(f, Event)]
    names = Counter(e.name for e in events)
    missing = [name for name in REQUIRED if not names[name]]
    assert missing == [], f"trace lacks {missing}; has {names}"
    # The fallback path: app_queue's general queue, not the controller's own queueing.
    general = f"kcc-{site.ivr.general_topic}"
    assert {e.headers["Queue"] for e in named(frames, "QueueCallerJoin")} == {general}
    assert names["QueueCallerJoin"] == 2 * len(SEATS) + QUITTERS
    assert names["AgentConnect"] == names["AgentComplete"] == 2 * len(SEATS)
    assert names["QueueCallerAbandon"] == QUITTERS
    factory = EventFactory()
    invalid = [t for t in map(factory.build, events) if isinstance(t, InvalidEvent)]
    assert invalid == [], [t.reason for t in invalid[:5]]
    # The committed trace is replaced only on request (`make trace`), so a test run
    # leaves the working tree clean; otherwise the checked capture goes to tmp_path.
    write_atomically(
        TRACE if os.environ.get("KCC_WRITE_TRACE") == "1" else tmp_path / TRACE.name, data
    )
