"""The steady load and the polling baseline of bench/bench_wallboard_latency.py.

The load is what `kcc demo` runs, tighter: real SIPp agent phones at the TIC positions,
logged in through the controller's API as a floor manager would, and real SIPp callers
dialling 14023 at a steady pace, pressing a municipality and a topic timed from the
rendered prompts; a share of them gives up while waiting. The baseline is what common
wallboards do: fetch the figures every few seconds.
"""

from __future__ import annotations

import json
import random
import threading
import time
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import yaml
from latency import Sighting, parse_through

from kcc.demo import DEMO_FLOOR_LOGIN
from kcc.sipp import AgentPhone, Caller
from kcc.sipp.runner import PortAllocator
from kcc.sipp.scenarios import Digit, Pause, Step
from kcc.stack.stack import PROMPTS_INSIDE, Stack


@dataclass(frozen=True, kw_only=True)
class SteadyLoad:
    """About one new call every 2-3 s for 3 agents with short calls: a busy hour on a
    municipal floor compressed in time, not a stress test (the machine has 2 cores)."""

    duration_s: float = 150.0
    interval_s: tuple[float, float] = (2.0, 3.0)  # between new calls, uniform
    max_callers: int = 12  # SIPp callers alive at once
    agents: int = 3
    answer_after_s: float = 1.0
    talk_s: tuple[float, ...] = (3.0, 4.0, 5.0)  # per agent
    after_call_work_s: int = 2  # the bench site's norm: the controller ends it
    give_up_share: float = 0.15
    give_up_after_s: tuple[float, float] = (8.0, 25.0)  # after the last key, uniform
    topics_keys: str = "1234"  # topics the first three agents master between them
    seed: int = 14023


def write_bench_site(
    sample: Path, folder: Path, services: dict[str, Any], load: SteadyLoad
) -> Path:
    """The sample site with the bench's own ports, folders and after-call-work norm."""
    data = yaml.safe_load(sample.read_text(encoding="utf-8"))
    data["services"] = {**data.get("services", {}), **services}
    data["ivr"]["flow_file"] = str((sample.parent / data["ivr"]["flow_file"]).resolve())
    data["norms"] = {**data.get("norms", {}), "after_call_work_s": load.after_call_work_s}
    data["recording"] = {**data.get("recording", {}), "directory": str(folder / "recordings")}
    path = folder / "site.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def staff_agents(
    stack: Stack, exit_stack: ExitStack, ports: PortAllocator, load: SteadyLoad
) -> list[str]:
    """Auto-answering phones at the first normal positions, their agents logged in there."""
    site = stack.site
    target = f"{site.services.bind_host}:{site.services.sip_port}"
    seats = [p for p in site.positions if not p.peak][: load.agents]
    api = exit_stack.enter_context(
        httpx.Client(base_url=stack.control_url, auth=DEMO_FLOOR_LOGIN, timeout=10)
    )
    staffed = []
    for i, (position, agent) in enumerate(zip(seats, site.agents, strict=False)):
        exit_stack.enter_context(
            AgentPhone(
                target=target,
                ports=ports,
                extension=position.extension,
                password=f"demo{position.extension}",
                answer_after_s=load.answer_after_s,
                talk_s=load.talk_s[i % len(load.talk_s)],
                calls=100_000,
                workdir=stack.state_dir / "sipp" / f"agent-{position.extension}",
            )
        )
        api.post(f"/api/agents/{agent.id}/login", json={"position": position.id}).raise_for_status()
        staffed.append(f"{agent.id} at {position.id}: {', '.join(agent.topics)}")
    return staffed


def menu_start_s(stack: Stack) -> float:
    """When the municipality menu starts, from the prompts as rendered for this run."""
    assert stack.asterisk is not None
    manifest = stack.asterisk.host_path(PROMPTS_INSIDE) / "flow" / "manifest.json"
    prompts = json.loads(manifest.read_text(encoding="utf-8"))["prompts"]
    return float(prompts["welcome"]["seconds"] + prompts["recording-notice"]["seconds"])


def menu_keys(menu_start: float, rng: random.Random, topics: str) -> list[Step]:
    """A caller's keys: a municipality a little after its menu starts, then a topic."""
    municipality = rng.choice("1112")  # most callers are from Haarlem
    return [Pause(menu_start + 1.5), Digit(municipality), Pause(1.5), Digit(rng.choice(topics))]


def place_calls(
    stack: Stack, exit_stack: ExitStack, ports: PortAllocator, load: SteadyLoad
) -> list[Caller]:
    """Dial callers at the load's pace for its duration; returns every caller placed."""
    site = stack.site
    target = f"{site.services.bind_host}:{site.services.sip_port}"
    rng = random.Random(load.seed)
    menu_start = menu_start_s(stack)
    placed: list[Caller] = []
    deadline = time.monotonic() + load.duration_s
    next_call = time.monotonic()
    while time.monotonic() < deadline:
        if time.monotonic() >= next_call and sum(c.running() for c in placed) < load.max_callers:
            give_up = rng.random() < load.give_up_share
            caller = Caller(
                target=target,
                ports=ports,
                caller_id=f"06{20000000 + len(placed) + 1}",
                steps=menu_keys(menu_start, rng, load.topics_keys),
                hangup_after_s=rng.uniform(*load.give_up_after_s) if give_up else None,
                workdir=stack.state_dir / "sipp" / "callers",
            )
            exit_stack.callback(caller.stop)
            placed.append(caller)
            next_call += rng.uniform(*load.interval_s)
        time.sleep(0.1)
    return placed


def wait_callers_done(callers: list[Caller], timeout_s: float) -> int:
    """Wait for every caller to hang up or be hung up; returns how many were still on."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and any(c.running() for c in callers):
        time.sleep(0.2)
    return sum(c.running() for c in callers)


class Poller:
    """The baseline: GET /api/wallboard every ``every_s`` on a fixed schedule, keeping
    when each reply had arrived and which events it covered."""

    def __init__(self, base_url: str, token: str, every_s: float) -> None:
        self._client = httpx.Client(
            base_url=base_url, headers={"Authorization": f"Bearer {token}"}, timeout=10
        )
        self._every_s = every_s
        self._stop = threading.Event()
        self.sightings: list[Sighting] = []
        self.errors: list[str] = []
        self._thread = threading.Thread(target=self._run, name="wallboard-poller", daemon=True)

    def __enter__(self) -> Poller:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=15)
        self._client.close()

    def _run(self) -> None:
        due = time.monotonic()
        while not self._stop.is_set():
            try:
                reply = self._client.get("/api/wallboard")
                reply.raise_for_status()
                through = parse_through(reply.json()["events_through"])
                self.sightings.append(Sighting(time.time(), through))
            except (httpx.HTTPError, ValueError, KeyError) as exc:
                self.errors.append(f"{type(exc).__name__}: {exc}")
            due += self._every_s
            self._stop.wait(max(0.0, due - time.monotonic()))
