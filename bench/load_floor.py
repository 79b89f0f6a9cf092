"""The moving parts of bench/bench_load.py: the floor, one step's callers, the probe, the
wallboard watcher and what a process used.

* the floor      one ``PhoneBank`` (one SIPp process) answering for every position, its
                 agents logged in through the controller's API by the floor manager;
* the callers    one SIPp process per load topic, each placing its share of the step's
                 rate for the step's time, every call through the IVR with keypad
                 digits (RFC 4733) and RTP both ways until the agent hangs up;
* the probe      one caller a step to the probe topic, whose only agent is on a break:
                 it waits, and the audio it receives says when the waiting message came;
* the watcher    the wallboard's push stream (SSE) read as a display would, keeping
                 when each snapshot arrived and the events it covered.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import httpx
from latency import Sighting, parse_through
from load_site import LOAD_KEYS, PROBE_KEY, LoadSite

from kcc.sipp.rtp_listen import RtpListener, messages_after_ringback, ringback_start
from kcc.sipp.runner import Caller, PhoneBank, PortAllocator
from kcc.sipp.scenarios import Digit, Pause, Step
from kcc.stack.stack import Stack


@dataclass(frozen=True, kw_only=True)
class Plan:
    """The steps and the calls' shape, from the command line."""

    rates: tuple[float, ...] = (5.0, 10.0, 15.0, 20.0, 25.0, 30.0)
    arrivals_s: float = 30.0  # each step offers its rate for this long
    agents: int = 240
    answer_after_s: float = 0.5
    talk_s: float = 6.0
    drain_s: float = 120.0  # the longest a step's last calls may take to end
    probe_on_s: float = 27.0  # after its topic key: past the first message at 20 s


def staff(
    stack: Stack,
    site: LoadSite,
    plan: Plan,
    exits: ExitStack,
    ports: PortAllocator,
    *,
    registration_s: int = 3600,
) -> PhoneBank:
    """Every position's phone in one bank; the load's agents logged in, the probe's on a break.

    ``registration_s``: how long the phones stay registered (and the bank answers); a
    run longer than the hour (bench/bench_soak.py) asks for more."""
    svc = stack.site.services
    bank = exits.enter_context(
        PhoneBank(
            target=f"{svc.bind_host}:{svc.sip_port}",
            ports=ports,
            extensions=[(s.extension, s.password) for s in site.seats],
            answer_after_s=plan.answer_after_s,
            talk_s=plan.talk_s,
            workdir=stack.state_dir / "sipp" / "phone-bank",
            registration_s=registration_s,
        )
    )
    with httpx.Client(base_url=stack.control_url, auth=site.floor_login, timeout=30) as api:
        for seat in site.seats:
            api.post(
                f"/api/agents/{seat.agent_id}/login", json={"position": seat.position_id}
            ).raise_for_status()
        probe = site.probe_seat.agent_id
        api.post(f"/api/agents/{probe}/pause", json={"reason": "break"}).raise_for_status()
    return bank


def menu_keys(menu_start_s: float, topic_key: str) -> list[Step]:
    """Haarlem a little after the municipality menu starts, then the topic."""
    return [Pause(menu_start_s + 1.5), Digit("1"), Pause(1.5), Digit(topic_key)]


def place_step(
    stack: Stack,
    ports: PortAllocator,
    plan: Plan,
    rate: float,
    menu_start_s: float | None,
    step: int,
) -> list[Caller]:
    """The step's callers: one SIPp process a load topic, their rates adding up to ``rate``.

    ``menu_start_s`` None: no IVR answers (app_queue's fallback), so they press nothing
    and wait for the agent (SIPp fails a call whose BYE comes in the middle of a pause).
    """
    svc = stack.site.services
    share = rate / len(LOAD_KEYS)
    calls = max(1, round(share * plan.arrivals_s))
    return [
        Caller(
            target=f"{svc.bind_host}:{svc.sip_port}",
            ports=ports,
            caller_id=f"06{step:02d}{i + 1}{10000:05d}",
            steps=[] if menu_start_s is None else menu_keys(menu_start_s, key),
            calls=calls,
            rate_per_s=share,
            timeout_s=plan.arrivals_s + plan.drain_s + 60,
            workdir=stack.state_dir / "sipp" / f"step{step}-topic{key}",
        )
        for i, key in enumerate(LOAD_KEYS)
    ]


class Probe:
    """One caller to the probe topic, listening: when did the waiting message come?"""

    def __init__(
        self, stack: Stack, ports: PortAllocator, plan: Plan, menu_start_s: float, step: int
    ) -> None:
        svc = stack.site.services
        listen_port, _ = ports.take()
        self._ear = RtpListener(listen_port).__enter__()
        self._caller = Caller(
            target=f"{svc.bind_host}:{svc.sip_port}",
            ports=ports,
            caller_id=f"0699{step:02d}00001",
            steps=menu_keys(menu_start_s, PROBE_KEY),
            hangup_after_s=plan.probe_on_s,
            receive_port=listen_port,
            timeout_s=menu_start_s + plan.probe_on_s + 60,
            workdir=stack.state_dir / "sipp" / f"step{step}-probe",
        )

    def running(self) -> bool:
        return self._caller.running()

    def first_message_s(self) -> float | None:
        """Seconds from ringback (the queue) to the first waiting message; None: not heard."""
        self._caller.stop()
        self._ear.__exit__(None, None, None)
        segments = self._ear.segments()
        ring, messages = ringback_start(segments), messages_after_ringback(segments)
        return None if ring is None or not messages else messages[0][0] - ring


class BoardWatcher:
    """The wallboard's push stream as a display reads it, in a thread."""

    def __init__(self, base_url: str, token: str) -> None:
        self._client = httpx.Client(
            base_url=base_url,
            headers={"Authorization": f"Bearer {token}"},
            timeout=httpx.Timeout(10, read=60),
        )
        self.sightings: list[Sighting] = []
        self.errors: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="board-watcher", daemon=True)

    def __enter__(self) -> BoardWatcher:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._client.close()  # ends the stream the thread reads
        self._thread.join(timeout=15)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                with self._client.stream("GET", "/api/wallboard/stream") as reply:
                    reply.raise_for_status()
                    for line in reply.iter_lines():
                        if line.startswith("data: "):
                            seen = time.time()
                            through = json.loads(line[6:])["events_through"]
                            self.sightings.append(Sighting(seen, parse_through(through)))
            except (httpx.HTTPError, ValueError, KeyError, RuntimeError) as exc:
                if not self._stop.is_set():
                    self.errors.append(f"{type(exc).__name__}: {exc}")
                    time.sleep(0.5)


def peak_concurrent(callers: Sequence[Caller]) -> int:
    return sum(c.counts().get("CurrentCall", 0) for c in callers)


def finished(callers: Sequence[Caller]) -> tuple[int, int]:
    """(successful, failed) so far over ``callers``."""
    counts = [c.counts() for c in callers]
    ok = sum(c.get("SuccessfulCall(C)", 0) for c in counts)
    return ok, sum(c.get("FailedCall(C)", 0) for c in counts)


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise ValueError(f"no VmRSS for pid {pid}")
