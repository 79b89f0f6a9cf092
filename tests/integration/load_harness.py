"""A floor under a steady load of callers, for faults made while the calls flow.

``load_rig`` owns what a fault test restarts: its own controller (the session's steps
aside, as in ``acd_harness.own_controller``), its own stats service on a record store of
the test's choosing, an empty event stream. ``staffed_floor`` is the test site's four
positions answered by one SIPp ``PhoneBank``, their agents logged in through the API.
``SteadyCallers`` places calls at a rate from one SIPp process, each with its own caller
number (a prefix and SIPp's call number), so every call can be found in the stream and
the store. What the books must then say is ``tests/integration/load_books.py``.

The test site's norms say 60 s of after-call work; the load's site says none (the
controller's setting alone), so four agents can take a call every few seconds between
them, as the load benchmark's floor does (bench/load_site.py). Asterisk's app_queue
fallback keeps the session's 60 s wrap-up time: after a controller kill each agent
takes one fallback call, then 60 s nothing from app_queue.
"""

from __future__ import annotations

import signal
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import redis
import yaml

from kcc.sipp.runner import Caller, PhoneBank, PortAllocator, SippResult
from kcc.sipp.scenarios import Pause, Step
from kcc.stack.asterisk import Asterisk
from kcc.stack.process import ManagedProcess, wait_until
from kcc.stack.redis import RedisServer
from kcc.stack.stack import demo_environment
from site_config import SiteConfig, load_site_config
from tests.integration.acd_harness import FLOOR, STREAM, ControlApi, ControllerRunner, EventLog
from tests.integration.sites import SAMPLE, write_site

# The sample site's agents, one at each of its four positions (tic1..tic4).
FLOOR_AGENTS = ("1001", "1002", "1003", "1004")
DRAIN_S = 150.0  # the longest the last calls may take after the last one is placed


def load_site(folder: Path) -> SiteConfig:
    """The test site without after-call work: an agent is free when the call ends."""
    norms = yaml.safe_load(SAMPLE.read_text())["norms"]
    return load_site_config(write_site(folder, norms={**norms, "after_call_work_s": 0}))


def ivr_seconds(steps: Sequence[Step]) -> float:
    """How long the caller's keypresses take: a call answered earlier (the fallback)
    must not hang up before they end, or SIPp counts it failed."""
    return sum(s.seconds for s in steps if isinstance(s, Pause))


class StatsProcess:
    """``kcc stats-serve`` for ``site`` with its record store at ``database`` (a
    ``sqlite:///`` path or a PostgreSQL URL); start, stop, kill, start again."""

    def __init__(self, site: SiteConfig, database: str, folder: Path) -> None:
        self.site, self.database, self.folder = site, database, folder
        self.proc: ManagedProcess | None = None
        self.runs = 0
        svc = site.services
        self.http = httpx.Client(
            base_url=f"http://{svc.http_bind_host}:{svc.http_port}", auth=FLOOR, timeout=20
        )

    def start(self) -> None:
        self.runs += 1
        argv = [
            sys.executable, "-m", "kcc", "stats-serve",
            "--site", str(self.site.source_path), "--database", self.database,
        ]  # fmt: skip
        log = self.folder / f"stats-{self.runs}.log"
        # The test site is the sample: it logs in with the demo's published secrets.
        self.proc = ManagedProcess("stats", argv, log, env=demo_environment(demo=True))
        wait_until(self._answers, timeout_s=30, what="the stats service", proc=self.proc)

    def _answers(self) -> bool:
        try:
            return self.http.get("/api/health").status_code in (200, 503)
        except httpx.TransportError:
            return False

    def kill(self) -> None:
        """SIGKILL: nothing flushed, nothing closed, as in a crash."""
        assert self.proc is not None
        self.proc.proc.send_signal(signal.SIGKILL)
        self.proc.proc.wait(timeout=10)
        self.proc.stop()  # closes its log; the process is already gone
        self.proc = None

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.stop()
            self.proc = None

    def close(self) -> None:
        self.stop()
        self.http.close()

    def wallboard(self) -> dict[str, Any]:
        reply = self.http.get("/api/wallboard")
        reply.raise_for_status()
        board: dict[str, Any] = reply.json()
        return board

    def wait_stored(self, timeout_s: float = 60) -> None:
        """Until the records of every event now in the stream are in the store."""
        client = redis.Redis.from_url(self.site.services.redis_url, decode_responses=True)
        try:
            newest = client.xrevrange(STREAM, count=1)
        finally:
            client.close()
        last = _stream_id(str(newest[0][0])) if newest else (0, 0)

        def stored() -> bool:
            events = self.http.get("/api/health").json()["events"]
            through = events["stored_through"]
            return bool(through) and _stream_id(through) >= last

        assert self.proc is not None
        wait_until(
            stored, timeout_s=timeout_s, what=f"records stored through {last}", proc=self.proc
        )


def _stream_id(text: str) -> tuple[int, int]:
    ms, _, seq = text.partition("-")
    return int(ms), int(seq or 0)


@dataclass(frozen=True)
class Rig:
    """What a fault test under load drives and restarts."""

    site: SiteConfig
    controller: ControllerRunner
    stats: StatsProcess
    events: EventLog
    api: ControlApi


@contextmanager
def load_rig(
    session_controller: ControllerRunner,
    asterisk: Asterisk,
    ami_secret: str,
    folder: Path,
    *,
    database: str | None = None,
    controller_args: tuple[str, ...] = (),
) -> Iterator[Rig]:
    """The load's own controller and stats service (``database``: a new SQLite file by
    default) on an empty stream; the session's controller is back afterwards."""
    folder.mkdir(parents=True, exist_ok=True)
    site = load_site(folder)
    with ExitStack() as stack:
        session_controller.stop()
        stack.callback(session_controller.start)
        client = redis.Redis.from_url(site.services.redis_url)
        client.delete(STREAM)  # only this test's calls: the store is new too
        client.close()
        runner = ControllerRunner(site, asterisk, ami_secret, folder / "controller")
        stack.callback(runner.stop)
        runner.start(extra=controller_args)
        stats = StatsProcess(site, database or f"sqlite:///{folder / 'kcc.db'}", folder)
        stack.callback(stats.close)
        stats.start()
        events = stack.enter_context(closing(EventLog(site.services.redis_url)))
        api = stack.enter_context(closing(ControlApi(site)))
        yield Rig(site=site, controller=runner, stats=stats, events=events, api=api)


@contextmanager
def staffed_floor(
    rig: Rig,
    sip_target: str,
    ports: PortAllocator,
    workdir: Path,
    *,
    topics: list[str],
    talk_s: float,
    answer_after_s: float = 0.5,
) -> Iterator[PhoneBank]:
    """Every position's phone in one bank, ``FLOOR_AGENTS`` logged in with ``topics``;
    logged out again (also after a failure) before the bank unregisters."""
    positions = rig.site.positions
    bank = PhoneBank(
        target=sip_target,
        ports=ports,
        extensions=[(p.extension, f"demo{p.extension}") for p in positions],
        answer_after_s=answer_after_s,
        talk_s=talk_s,
        workdir=workdir,
    )
    with bank:
        logged_in: list[str] = []
        peaks = [p.id for p in positions if p.peak]
        try:
            for peak in peaks:  # the extra position is staffed only once opened
                rig.api.ok("POST", f"/api/positions/{peak}/open")
            for agent_id, position in zip(FLOOR_AGENTS, positions, strict=True):
                rig.api.ok("PUT", f"/api/agents/{agent_id}/topics", {"topics": topics})
                rig.api.ok("POST", f"/api/agents/{agent_id}/login", {"position": position.id})
                logged_in.append(agent_id)
            yield bank
        finally:
            for agent_id in logged_in:
                rig.api.log_out(agent_id)
            for peak in peaks:
                rig.api.ok("POST", f"/api/positions/{peak}/close")


class SteadyCallers:
    """``calls`` callers, ``rate_per_s`` new ones a second, from one SIPp process.

    Each call's number is ``prefix`` and SIPp's call number (1, 2, ...: the keyword
    ``[call_number]`` in the From user), so ``numbers`` is SIPp's call list as the
    controller's ``call.started`` events and the store must show it. The prefix has
    one length per test, so no number of one call is another's.
    """

    def __init__(
        self,
        *,
        sip_target: str,
        ports: PortAllocator,
        prefix: str,
        steps: Sequence[Step],
        calls: int,
        rate_per_s: float,
        workdir: Path,
    ) -> None:
        self.numbers = tuple(f"{prefix}{n}" for n in range(1, calls + 1))
        self.timeout_s = calls / rate_per_s + DRAIN_S
        self._caller = Caller(
            target=sip_target,
            ports=ports,
            caller_id=f"{prefix}[call_number]",
            steps=steps,
            calls=calls,
            rate_per_s=rate_per_s,
            timeout_s=self.timeout_s,
            workdir=workdir,
        )

    def placed(self) -> int:
        """Calls SIPp has placed so far (its statistics, written once a second)."""
        return self._caller.counts().get("TotalCallCreated", 0)

    def wait_placed(self, more: int, timeout_s: float = 60) -> None:
        """Until ``more`` calls more than now have been placed: the load went on."""
        target = self.placed() + more
        deadline = time.monotonic() + timeout_s
        while self.placed() < target:
            if time.monotonic() > deadline or not self._caller.running():
                raise TimeoutError(f"SIPp placed {self.placed()} calls, not {target}")
            time.sleep(0.2)  # SIPp's statistics file is all there is to wait on

    def finish(self) -> SippResult:
        """Waits for the last call to end; SIPp's own counts."""
        return self._caller.wait(self.timeout_s + 30)

    def __enter__(self) -> SteadyCallers:
        return self

    def __exit__(self, *exc: object) -> None:
        self._caller.stop()


@contextmanager
def redis_away(server: RedisServer) -> Iterator[None]:
    """The session's Redis stopped (its append-only file keeps the stream), and started
    again on the same port and data when the block ends, also after a failure."""
    server.__exit__(None, None, None)
    try:
        yield
    finally:
        server.__enter__()
