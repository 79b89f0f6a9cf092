"""Calls through the real path produce exactly the figures computed by hand.

SIPp callers and agents, Asterisk, the controller, Redis, and the stats service as
its own process (``kcc stats-serve`` with a SQLite store): one call answered at once,
one answered after the 20 s threshold, one abandoned after waiting. The wallboard
API must show exactly those counts and ratios. The stats service is then stopped;
while it is down a call is warm-transferred to a back office and a caller dials a
back-office colleague directly. After the restart the wallboard, ``/metrics`` and
the day report (CSV) all show the figures computed by hand for all of it.
"""

from __future__ import annotations

import csv
import io
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis
from prometheus_client.parser import text_string_to_metric_families

from kcc.sipp.runner import PortAllocator
from kcc.sipp.scenarios import Step
from kcc.stack.process import ManagedProcess, wait_until
from kcc.stack.stack import demo_environment
from site_config import SiteConfig
from tests.integration.acd_harness import (
    FLOOR,
    STREAM,
    ControlApi,
    ControllerRunner,
    EventLog,
    call_id_of,
    colleague_phone,
    of_type,
    on_break,
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
        self.http = httpx.Client(
            base_url=f"http://{svc.http_bind_host}:{svc.http_port}", auth=FLOOR
        )

    def start(self) -> None:
        self.runs += 1
        argv = [
            sys.executable, "-m", "kcc", "stats-serve",
            "--site", str(self.site.source_path),
            "--database", f"sqlite:///{self.folder / 'kcc.db'}",
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

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.stop()
            self.proc = None

    def totals(self) -> dict[str, Any]:
        reply = self.http.get("/api/wallboard")
        reply.raise_for_status()
        totals: dict[str, Any] = reply.json()["totals"]
        return totals

    def positions(self) -> dict[str, str | None]:
        """The wallboard's Post column: agent id -> position, for agents logged in."""
        reply = self.http.get("/api/wallboard")
        reply.raise_for_status()
        agents = reply.json()["agents"]
        return {a["id"]: a["position"] for a in agents if a["state"] != "logged_out"}

    def wait_totals(self, offered: int, timeout_s: float = 30) -> dict[str, Any]:
        """The totals once ``offered`` calls have an outcome (the stream is followed live)."""
        found: dict[str, Any] = {}

        def done() -> bool:
            found.update(self.totals())
            return bool(found["offered"] == offered)

        assert self.proc is not None
        wait_until(done, timeout_s=timeout_s, what=f"{offered} offered calls", proc=self.proc)
        return found

    def wait_stored(self, timeout_s: float = 30) -> None:
        """Until the records of every event now in the stream are in the store."""
        client = redis.Redis.from_url(self.site.services.redis_url, decode_responses=True)
        newest = client.xrevrange(STREAM, count=1)
        client.close()
        last = _stream_id(newest[0][0]) if newest else (0, 0)

        def stored() -> bool:
            events = self.http.get("/api/health").json()["events"]
            return bool(events["stored_through"]) and _stream_id(events["stored_through"]) >= last

        assert self.proc is not None
        wait_until(
            stored, timeout_s=timeout_s, what=f"records stored through {last}", proc=self.proc
        )


def _stream_id(text: str) -> tuple[int, int]:
    ms, _, seq = text.partition("-")
    return int(ms), int(seq or 0)


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
    # 1005 on a break keeps belastingen and afval on duty: their callers wait for a
    # skilled agent (or the overflow time, 60 s, which this scenario stays under).
    with on_break(api, "1005", "tic3", ["belastingen", "afval-openbare-ruimte"]), seated_agent(
        api, site, sip_target, ports, agent_id="1001", position_id="tic1",
        answer_after_s=0.5, talk_s=3.0, calls=3, topics=["burgerzaken"],
    ):  # fmt: skip
        quick, n_quick = place(sip_target, ports, tmp_path, quick_steps)
        # belastingen: nobody free serves it until the first waiting message has played.
        slow, n_slow = place(sip_target, ports, tmp_path, timing.to_topic("1", "4"))
        gone_steps = timing.to_topic("2", "3")  # afval: nobody free; the caller gives up
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
            # The Post column: where each logged-in agent sits, from their state events.
            assert stats.positions() == {"1001": "tic1", "1005": "tic3"}
    # By hand: 3 offered (none within 5 s of joining), 2 answered, 1 within 20 s,
    # both answered calls finished by the TIC without a transfer.
    assert (totals["answered"], totals["abandoned"], totals["short_abandoned"]) == (2, 1, 0)
    assert totals["answer_rate"]["value"] == pytest.approx(2 / 3)
    assert totals["service_level"]["value"] == pytest.approx(1 / 3)
    assert totals["direct_handling"]["value"] == pytest.approx(1.0)
    assert totals["answer_rate"]["status"] == "red"

    # Restart mid-day; while the service is down one call is answered at once and
    # warm-transferred to Vergunningen, and a caller dials Burgerzaken's 301 directly.
    stats.stop()
    _transfer_and_direct_call(site, sip_target, ports, tmp_path, events, api, quick_steps)
    stats.start()
    after = stats.wait_totals(offered=4)
    # By hand: 4 offered, 3 answered (2 within 20 s), 1 abandoned; of the 3 answered,
    # 2 were finished by the TIC and 1 transferred. The direct call is no TIC call.
    assert (after["answered"], after["abandoned"]) == (3, 1)
    assert after["answer_rate"]["value"] == pytest.approx(3 / 4)
    assert after["service_level"]["value"] == pytest.approx(2 / 4)
    assert after["direct_handling"]["value"] == pytest.approx(2 / 3)

    # Prometheus' own login: role metrics (deploy/prometheus.yml).
    scrape = stats.http.get("/metrics", auth=("prometheus", "demo-prometheus"))
    scrape.raise_for_status()
    metrics = _samples(scrape.text)
    assert metrics.get("kcc_board_figures_ok") == 1, scrape.text
    assert metrics['kcc_calls_offered{name="total",scope="total"}'] == 4
    assert metrics['kcc_calls_answered{name="total",scope="total"}'] == 3
    assert metrics['kcc_calls_abandoned{name="total",scope="total"}'] == 1
    assert metrics['kcc_answer_rate{name="total",scope="total"}'] == pytest.approx(3 / 4)
    assert metrics['kcc_service_level{name="total",scope="total"}'] == pytest.approx(2 / 4)
    assert metrics['kcc_direct_handling{name="total",scope="total"}'] == pytest.approx(2 / 3)

    stats.wait_stored()  # the report reads the store, which follows the fold
    day = stats.http.get("/api/reports/day", params={"format": "csv"})
    day.raise_for_status()
    tables = _csv_tables(day.text)
    team = tables["team"][0]
    assert (team["offered"], team["answered"], team["abandoned"]) == ("4", "3", "1")
    assert (team["answered_within_threshold"], team["transferred"]) == ("2", "1")
    assert float(team["answer_rate"]) == pytest.approx(3 / 4, abs=1e-4)
    assert float(team["service_level"]) == pytest.approx(2 / 4, abs=1e-4)
    assert float(team["direct_handling"]) == pytest.approx(2 / 3, abs=1e-4)
    departments = {row["department_id"]: row for row in tables["departments"]}
    burgerzaken, vergunningen = departments["burgerzaken"], departments["vergunningen"]
    # 301 answered 2 s after ringing: within 3 rings (15 s).
    assert (burgerzaken["direct_offered"], burgerzaken["direct_answered"]) == ("1", "1")
    assert burgerzaken["direct_answered_within_rings"] == "1"
    assert burgerzaken["direct_fell_back"] == "0"
    # The consult to 321 was answered 2 s after ringing, and the transfer completed.
    assert (vergunningen["consults"], vergunningen["consults_answered"]) == ("1", "1")
    assert vergunningen["consults_answered_within_rings"] == "1"
    assert 1.0 <= float(vergunningen["average_consult_answer_s"]) <= 4.0
    assert vergunningen["transfers_in"] == "1"


def _transfer_and_direct_call(
    site: SiteConfig,
    sip_target: str,
    ports: PortAllocator,
    tmp_path: Path,
    events: EventLog,
    api: ControlApi,
    steps: list[Step],
) -> None:
    colleagues = [
        colleague_phone(sip_target, ports, ext, answer_after_s=2.0) for ext in ("321", "301")
    ]
    with (
        colleagues[0],
        colleagues[1],
        seated_agent(
            api, site, sip_target, ports, agent_id="1001", position_id="tic1",
            answer_after_s=0.5, talk_s=10.0, topics=["burgerzaken"],
        ),
    ):  # fmt: skip
        moved, n_moved = place(sip_target, ports, tmp_path, steps, hangup_after_s=25.0)
        direct, number = place(sip_target, ports, tmp_path, [], dial="301", hangup_after_s=8.0)
        with moved, direct:
            moved_id = call_id_of(events, n_moved)
            events.wait(of_type("call.answered", call_id=moved_id))
            api.ok("POST", "/api/agents/1001/transfer", {"extension": "321"})
            events.wait(of_type("call.transferred", call_id=moved_id), timeout_s=30)
            direct_id = events.wait(of_type("backoffice.ringing", caller=number))[0].call_id
            events.wait(of_type("backoffice.ended", call_id=direct_id), timeout_s=30)
            assert moved.wait(60).ok and direct.wait(60).ok
            events.wait(of_type("call.ended", call_id=moved_id))


def _samples(text: str) -> dict[str, float]:
    """Prometheus text -> {'name{labels sorted by key}': value}, parsed by prometheus_client."""
    out: dict[str, float] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            labels = ",".join(f'{k}="{v}"' for k, v in sorted(sample.labels.items()))
            out[f"{sample.name}{{{labels}}}" if labels else sample.name] = sample.value
    return out


def _csv_tables(text: str) -> dict[str, list[dict[str, str]]]:
    """The report CSV's sections (``# name``, header, rows) as rows by column key."""
    tables: dict[str, list[dict[str, str]]] = {}
    for block in text.strip().split("\n\n"):
        title, _, body = block.partition("\n")
        tables[title.removeprefix("# ")] = list(csv.DictReader(io.StringIO(body)))
    return tables
