"""Calls through the real path produce exactly the figures computed by hand.

SIPp callers and agents, Asterisk, the controller, Redis, and the stats service as
its own process (``kcc stats-serve`` with a SQLite store): one call answered at once,
one answered after the 20 s threshold, one abandoned after waiting. The wallboard
API must show exactly those counts and ratios, and again after the stats service
restarts - plus a new call made while it was down.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis

from kcc.sipp.runner import PortAllocator
from kcc.site import SiteConfig
from kcc.stack.process import ManagedProcess, wait_until
from tests.integration.acd_harness import (
    FLOOR,
    STREAM,
    ControlApi,
    ControllerRunner,
    EventLog,
    call_id_of,
    of_type,
    place,
    seated_agent,
)
from tests.integration.ivr_timing import IvrTiming

pytestmark = pytest.mark.integration


class StatsService:
    """``kcc stats-serve`` on the test site's HTTP port with its own SQLite store."""

    def __init__(self, site: SiteConfig, folder: Path) -> None:
        self.site, self.folder = site, folder
        self.proc: ManagedProcess | None = None
        self.runs = 0
        svc = site.services
        self.http = httpx.Client(base_url=f"http://{svc.bind_host}:{svc.http_port}", auth=FLOOR)

    def start(self) -> None:
        self.runs += 1
        argv = [
            sys.executable, "-m", "kcc", "stats-serve",
            "--site", str(self.site.source_path),
            "--database", f"sqlite:///{self.folder / 'kcc.db'}",
        ]  # fmt: skip
        self.proc = ManagedProcess("stats", argv, self.folder / f"stats-{self.runs}.log")
        wait_until(self._answers, timeout_s=30, what="the stats service", proc=self.proc)

    def _answers(self) -> bool:
        try:
            return self.http.get("/api/health").status_code in (200, 503)
        except httpx.TransportError:
            return False

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.stop()
            self.proc = None

    def totals(self) -> dict[str, Any]:
        reply = self.http.get("/api/wallboard")
        reply.raise_for_status()
        totals: dict[str, Any] = reply.json()["totals"]
        return totals

    def wait_totals(self, offered: int, timeout_s: float = 30) -> dict[str, Any]:
        """The totals once ``offered`` calls have an outcome (the stream is followed live)."""
        found: dict[str, Any] = {}

        def done() -> bool:
            found.update(self.totals())
            return bool(found["offered"] == offered)

        assert self.proc is not None
        wait_until(done, timeout_s=timeout_s, what=f"{offered} offered calls", proc=self.proc)
        return found


@pytest.fixture
def stats(site: SiteConfig, controller: ControllerRunner, tmp_path: Path) -> Iterator[StatsService]:
    # Only this test's calls: the stream starts empty, the store is new.
    client = redis.Redis.from_url(site.services.redis_url)
    client.delete(STREAM)
    client.close()
    service = StatsService(site, tmp_path)
    service.start()
    yield service
    service.stop()
    service.http.close()


def test_real_calls_give_the_hand_computed_figures_also_after_a_restart(
    site: SiteConfig,
    sip_target: str,
    ports: PortAllocator,
    tmp_path: Path,
    events: EventLog,
    api: ControlApi,
    timing: IvrTiming,
    stats: StatsService,
) -> None:
    quick_steps = timing.to_topic("1", "1")  # burgerzaken: an agent is free
    with seated_agent(
        api, site, sip_target, ports, agent_id="1001", position_id="tic1",
        answer_after_s=0.5, talk_s=3.0, calls=3, topics=["burgerzaken"],
    ):  # fmt: skip
        quick, n_quick = place(sip_target, ports, tmp_path, quick_steps)
        # belastingen: nobody serves it until the first waiting message has played.
        slow, n_slow = place(sip_target, ports, tmp_path, timing.to_topic("1", "4"))
        gone_steps = timing.to_topic("2", "3")  # afval: nobody; the caller gives up
        gone, n_gone = place(sip_target, ports, tmp_path, gone_steps, hangup_after_s=30)
        with quick, slow, gone:
            slow_id = call_id_of(events, n_slow)
            events.wait(of_type("call.announced", call_id=slow_id), timeout_s=60)
            with seated_agent(
                api, site, sip_target, ports, agent_id="1002", position_id="tic2",
                answer_after_s=0.5, talk_s=3.0, topics=["belastingen"],
            ):  # fmt: skip
                events.wait(of_type("call.answered", call_id=slow_id))
                assert quick.wait(60).ok and slow.wait(60).ok and gone.wait(60).ok
                ids = [call_id_of(events, n) for n in (n_quick, n_gone)]
                for call_id in (*ids, slow_id):
                    events.wait(of_type("call.ended", call_id=call_id))
            totals = stats.wait_totals(offered=3)
    # By hand: 3 offered (none within 5 s of joining), 2 answered, 1 within 20 s,
    # both answered calls finished by the TIC without a transfer.
    assert (totals["answered"], totals["abandoned"], totals["short_abandoned"]) == (2, 1, 0)
    assert totals["answer_rate"]["value"] == pytest.approx(2 / 3)
    assert totals["service_level"]["value"] == pytest.approx(1 / 3)
    assert totals["direct_handling"]["value"] == pytest.approx(1.0)
    assert totals["answer_rate"]["status"] == "red"

    # Restart mid-day, with one more call while the service is down.
    stats.stop()
    with seated_agent(
        api, site, sip_target, ports, agent_id="1001", position_id="tic1",
        answer_after_s=0.5, talk_s=2.0, topics=["burgerzaken"],
    ):  # fmt: skip
        again, n_again = place(sip_target, ports, tmp_path, quick_steps)
        with again:
            events.wait(of_type("call.answered", call_id=call_id_of(events, n_again)))
            assert again.wait(60).ok
    stats.start()
    after = stats.wait_totals(offered=4)
    assert (after["answered"], after["abandoned"]) == (3, 1)
    assert after["answer_rate"]["value"] == pytest.approx(3 / 4)
    assert after["service_level"]["value"] == pytest.approx(2 / 4)
