"""The real ACD controller for integration tests, and ways to watch and steer it.

``ControllerRunner`` runs ``kcc controller`` as a child process against the test
Asterisk and Redis; tests that kill it start it again. ``EventLog`` reads the Redis
Stream the controller publishes (docs/events.md) and waits for events - the tests
never sleep for a fixed time. ``ControlApi`` drives the controller's HTTP API as the
floor manager would.
"""

from __future__ import annotations

import contextlib
import itertools
import signal
import socket
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis

from kcc.sipp import AgentPhone, Caller
from kcc.sipp.runner import PortAllocator
from kcc.sipp.scenarios import SPEECH, Audio, Step
from kcc.stack.asterisk import Asterisk
from kcc.stack.process import ManagedProcess
from kcc.stack.stack import start_controller
from site_config import SiteConfig, load_site_config
from tests.integration.sites import write_site

STREAM = "kcc:events"
# A Monday morning: both municipalities are open (the tests control the IVR's clock).
OPEN_TIME = "2026-11-23T10:00:00+01:00"
CLOSED_TIME = "2026-11-22T10:00:00+01:00"  # a Sunday
FLOOR = ("floor", "demo-floor")


class ControllerRunner:
    """``kcc controller`` for the test site; start, stop, kill, restart."""

    def __init__(
        self, site: SiteConfig, asterisk: Asterisk, ami_secret: str, log_dir: Path
    ) -> None:
        self.site, self.asterisk, self.ami_secret = site, asterisk, ami_secret
        self.log_dir = log_dir
        self.proc: ManagedProcess | None = None
        self.runs = 0

    def start(self, *, ivr_time: str = OPEN_TIME, extra: tuple[str, ...] = ()) -> None:
        self.runs += 1
        self.proc = start_controller(
            self.site,
            self.asterisk,
            self.ami_secret,
            self.log_dir / f"controller-{self.runs}.log",
            ("--ivr-time", ivr_time, *extra),
            demo=True,  # the test site is the sample: its logins are the demo's
        )

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.stop()
            self.proc = None

    def kill(self) -> None:
        """SIGKILL: the process dies as in a crash, without closing anything."""
        assert self.proc is not None
        self.proc.proc.send_signal(signal.SIGKILL)
        self.proc.proc.wait(timeout=10)
        self.proc.stop()  # closes its log; the process is already gone
        self.proc = None

    def restart(self, **kwargs: Any) -> None:
        self.stop()
        self.start(**kwargs)

    def log_text(self) -> str:
        return "\n".join(p.read_text(errors="replace") for p in sorted(self.log_dir.glob("*.log")))


@dataclass(frozen=True)
class Event:
    id: str
    type: str
    at: datetime
    call_id: str
    agent_id: str
    fields: dict[str, str]


class EventLog:
    """The controller's events since ``mark()``, with waiting by predicate."""

    def __init__(self, redis_url: str) -> None:
        self._redis = redis.Redis.from_url(redis_url, decode_responses=True)
        self._since = "0-0"

    def mark(self) -> None:
        """Only events after this moment count from now on."""
        last = self._redis.xrevrange(STREAM, count=1)
        self._since = last[0][0] if last else "0-0"

    def all(self) -> list[Event]:
        entries = self._redis.xrange(STREAM, min=f"({self._since}" if self._since != "0-0" else "-")
        return [_event(i, f) for i, f in entries]

    def wait(
        self, predicate: Callable[[Event], bool], *, timeout_s: float = 60, count: int = 1
    ) -> list[Event]:
        """The first ``count`` events matching ``predicate``; waits with XREAD BLOCK."""
        deadline = time.monotonic() + timeout_s
        while True:
            found = [e for e in self.all() if predicate(e)]
            if len(found) >= count:
                return found[:count]
            left = deadline - time.monotonic()
            if left <= 0:
                seen = [(e.type, e.call_id, e.agent_id, e.fields) for e in self.all()][-30:]
                raise TimeoutError(f"{count} matching event(s) not seen; last events: {seen}")
            last = self._redis.xrevrange(STREAM, count=1)
            self._redis.xread(
                {STREAM: last[0][0] if last else "0-0"}, block=int(min(left, 1) * 1000)
            )

    def of_call(self, call_id: str) -> list[Event]:
        return [e for e in self.all() if e.call_id == call_id]

    def close(self) -> None:
        self._redis.close()


def _event(entry_id: str, fields: dict[str, str]) -> Event:
    common = {"type", "at", "call_id", "agent_id", "v", "origin", "seq"}  # envelope, stamp
    return Event(
        id=entry_id,
        type=fields["type"],
        at=datetime.fromisoformat(fields["at"]),
        call_id=fields.get("call_id", ""),
        agent_id=fields.get("agent_id", ""),
        fields={k: v for k, v in fields.items() if k not in common},
    )


def of_type(type_: str, **fields: str) -> Callable[[Event], bool]:
    def match(e: Event) -> bool:
        if e.type != type_:
            return False
        for key, value in fields.items():
            have = getattr(e, key) if key in ("call_id", "agent_id") else e.fields.get(key)
            if have != value:
                return False
        return True

    return match


class ControlApi:
    """The controller's HTTP API, logged in as the floor manager unless told otherwise."""

    def __init__(self, site: SiteConfig, login: tuple[str, str] = FLOOR) -> None:
        svc = site.services
        self._http = httpx.Client(
            base_url=f"http://{svc.control_bind_host}:{svc.control_port}", auth=login, timeout=20
        )

    def request(self, method: str, path: str, body: object = None) -> httpx.Response:
        return self._http.request(method, path, json=body)

    def post(self, path: str, body: dict[str, Any] | None = None) -> httpx.Response:
        return self._http.post(path, json=body or {})

    def put(self, path: str, body: dict[str, Any]) -> httpx.Response:
        return self._http.put(path, json=body)

    def delete(self, path: str) -> httpx.Response:
        return self._http.delete(path)

    def state(self) -> dict[str, Any]:
        reply = self._http.get("/api/acd/state")
        reply.raise_for_status()
        result: dict[str, Any] = reply.json()
        return result

    def ok(self, method: str, path: str, body: dict[str, Any] | None = None) -> None:
        reply = self._http.request(method, path, json=body)
        assert reply.status_code == 200, f"{method} {path}: {reply.status_code} {reply.text}"

    def log_out(self, agent_id: str, timeout_s: float = 30) -> None:
        """Log out now, ending after-call work that would otherwise delay it."""
        deadline = time.monotonic() + timeout_s
        self.post(f"/api/agents/{agent_id}/logout")
        while time.monotonic() < deadline:
            agent = next(a for a in self.state()["agents"] if a["agent_id"] == agent_id)
            if agent["state"] == "logged_out":
                return
            if agent["state"] == "after_call_work":
                self.post(f"/api/agents/{agent_id}/after-call-work/end")
            time.sleep(0.1)
        raise TimeoutError(f"agent {agent_id} still logged in after {timeout_s} s")

    def close(self) -> None:
        self._http.close()


@contextmanager
def on_break(api: ControlApi, agent_id: str, position_id: str, topics: list[str]) -> Iterator[None]:
    """``agent_id`` logged in at ``position_id`` with ``topics`` and on a break: those topics
    are on duty (no caller of theirs overflows at once), but the agent takes no calls."""
    api.ok("PUT", f"/api/agents/{agent_id}/topics", {"topics": topics})
    api.ok("POST", f"/api/agents/{agent_id}/login", {"position": position_id})
    api.ok("POST", f"/api/agents/{agent_id}/pause", {"reason": "break"})
    try:
        yield
    finally:
        api.log_out(agent_id)


@contextmanager
def seated_agent(
    api: ControlApi,
    site: SiteConfig,
    sip_target: str,
    ports: PortAllocator,
    *,
    agent_id: str,
    position_id: str,
    answer_after_s: float | None,
    talk_s: float | None = None,
    calls: int = 1,
    topics: list[str] | None = None,
    steps: Sequence[Step] = (),
    audio: Audio = SPEECH,
) -> Iterator[AgentPhone]:
    """A registered SIPp phone at ``position_id`` with ``agent_id`` logged in through the API;
    once answered it sends ``audio`` and presses ``steps``."""
    position = next(p for p in site.positions if p.id == position_id)
    with AgentPhone(
        target=sip_target,
        ports=ports,
        extension=position.extension,
        password=f"demo{position.extension}",
        answer_after_s=answer_after_s,
        talk_s=talk_s,
        calls=calls,
        steps=steps,
        audio=audio,
    ) as phone:
        if topics is not None:
            api.ok("PUT", f"/api/agents/{agent_id}/topics", {"topics": topics})
        api.ok("POST", f"/api/agents/{agent_id}/login", {"position": position_id})
        try:
            yield phone
        finally:
            api.log_out(agent_id)


class CuttableProxy:
    """A TCP proxy in front of AMI that a test can cut, as a network fault would."""

    def __init__(self, listen_port: int, target: tuple[str, int]) -> None:
        self._target = target
        self._server = socket.create_server(("127.0.0.1", listen_port))
        self._server.settimeout(0.2)
        self.port = listen_port
        self._open: list[socket.socket] = []
        self._lock = threading.Lock()
        self._refusing = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, name="ami-proxy", daemon=True)
        self.connections = 0

    def __enter__(self) -> CuttableProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.cut()
        self._server.close()

    def cut(self) -> None:
        """Drop every connection and refuse new ones until ``resume``."""
        self._refusing.set()
        with self._lock:
            for sock in self._open:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()
            self._open.clear()

    def resume(self) -> None:
        self._refusing.clear()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                client, _ = self._server.accept()
            except TimeoutError:
                continue
            if self._refusing.is_set():
                client.close()
                continue
            upstream = socket.create_connection(self._target)
            self.connections += 1
            with self._lock:
                self._open += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=_pipe, args=(a, b), daemon=True).start()


def _pipe(source: socket.socket, sink: socket.socket) -> None:
    with contextlib.suppress(OSError):
        while data := source.recv(65536):
            sink.sendall(data)
    with contextlib.suppress(OSError):
        sink.shutdown(socket.SHUT_WR)


_numbers = itertools.count(1)


def caller_number() -> str:
    return f"0687{next(_numbers):06d}"


def call_id_of(events: EventLog, number: str) -> str:
    return events.wait(of_type("call.started", caller=number))[0].call_id


def place(
    sip_target: str,
    ports: PortAllocator,
    tmp_path: Path,
    steps: list[Step],
    *,
    hangup_after_s: float | None = None,
    receive_port: int | None = None,
    dial: str = "14023",
    audio: Audio = SPEECH,
) -> tuple[Caller, str]:
    """A caller on the public network dialling ``dial``: 14023, or a back-office
    extension's own number (with no keys to press)."""
    number = caller_number()
    caller = Caller(
        target=sip_target,
        ports=ports,
        caller_id=number,
        dial=dial,
        steps=steps,
        hangup_after_s=hangup_after_s,
        workdir=tmp_path,
        receive_port=receive_port,
        audio=audio,
    )
    return caller, number


def colleague_phone(
    sip_target: str, ports: PortAllocator, extension: str, *, answer_after_s: float | None
) -> AgentPhone:
    """A back-office colleague's registered phone; talks until the other side hangs up."""
    return AgentPhone(
        target=sip_target,
        ports=ports,
        extension=extension,
        password=f"demo{extension}",
        answer_after_s=answer_after_s,
        talk_s=None,
    )


@contextmanager
def own_controller(
    controller: ControllerRunner,
    asterisk: Asterisk,
    ami_secret: str,
    tmp_path_factory: pytest.TempPathFactory,
    **overrides: object,
) -> Iterator[SiteConfig]:
    """The test site with ``overrides``, its own controller running meanwhile.

    The settings these tests change are the controller's alone (Asterisk's config does
    not carry them), so the session's controller makes way, and comes back after.
    """
    site = load_site_config(write_site(tmp_path_factory.mktemp("own-site"), **overrides))
    controller.stop()
    runner = ControllerRunner(site, asterisk, ami_secret, tmp_path_factory.mktemp("own-ctl"))
    runner.start()
    try:
        yield site
    finally:
        runner.stop()
        controller.start()
