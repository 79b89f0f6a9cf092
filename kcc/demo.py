"""`make demo`: the stack with simulated agents and callers, until Ctrl-C.

Agents are real SIPp softphones that register at the TIC positions, are logged
in through the controller's HTTP API (as a floor manager would) and answer after
a couple of seconds; callers are SIPp clients dialling 14023 at random intervals.
They go through the real IVR - a municipality and a topic pressed on the keypad,
timed from the rendered prompts - and some hang up while they wait. Back-office
colleagues, callers dialling them directly and warm transfers come from
`kcc.demo_backoffice`. Everything runs on loopback.
"""

from __future__ import annotations

import json
import random
import signal
import time
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import FrameType
from zoneinfo import ZoneInfo

import httpx

from ivr_flows.hours import is_open
from kcc.demo_backoffice import DEMO_REGISTRATION_S, DemoBackOffice
from kcc.sipp import AgentPhone, Caller
from kcc.sipp.runner import PortAllocator
from kcc.sipp.scenarios import Digit, Pause, Step
from kcc.stack.stack import PROMPTS_INSIDE, Stack
from site_config import SiteConfig
from site_config.demo_secrets import DEMO_DISPLAY_TOKEN, demo_password
from site_config.passwords import verify_token

DEMO_FLOOR_LOGIN = ("floor", demo_password("floor"))  # documented in docs/site-config.md

# Talk time of the agents at the normal positions, in turn. Long enough for a warm
# transfer's consult to be answered before the agent hangs up (which completes it):
# the shortest must outlast kcc.demo_backoffice.TransferPolicy.latest_consult_answer_s
# (about 17.5 s), the longest must stay below the colleagues' talk time (60 s).
AGENT_TALK_S = (25.0, 35.0, 45.0)

# The first agent records each call with the phone's key (#3) shortly after answering,
# so the replay (/recordings) has calls to play; the recording ends with the call.
RECORD_STEPS: tuple[Step, ...] = (Pause(3), Digit("#"), Digit("3"))


@dataclass(frozen=True, kw_only=True)
class DemoLoad:
    mean_interval_s: float = 12.0
    max_callers: int = 8
    seed: int = 14023


def wallboard_url(stack: Stack) -> str:
    tokens = stack.site.access.display_tokens
    if any(verify_token(DEMO_DISPLAY_TOKEN, t.token_sha256) for t in tokens):
        return f"{stack.http_url}/wallboard?token={DEMO_DISPLAY_TOKEN}"
    return f"{stack.http_url}/wallboard"


def demo_ivr_time(site: SiteConfig, now: datetime) -> datetime | None:
    """None while every municipality is open; else the next moment all of them are.

    Steps of 15 minutes over the coming two weeks, so a demo started on Christmas Eve
    evening still finds the first working morning after the holidays.
    """

    def all_open(when: datetime) -> bool:
        return all(is_open(m.opening_hours, when, m.extra_closed_days) for m in site.municipalities)

    if all_open(now):
        return None
    start = now.replace(minute=now.minute - now.minute % 15, second=0, microsecond=0)
    for step in range(1, 14 * 24 * 4):
        when = start + timedelta(minutes=15 * step)
        if all_open(when):
            return when + timedelta(minutes=30)  # not on the opening minute itself
    raise ValueError("the site's municipalities are never all open in the next two weeks")


def run_demo(
    site: SiteConfig,
    *,
    load: DemoLoad = DemoLoad(),
    duration_s: float | None = None,
    instance: str = "demo",
) -> int:
    stop = _StopFlag()
    with ExitStack() as stack_exit:
        ivr_time = demo_ivr_time(site, datetime.now(UTC))
        controller_args: list[str] = []
        if ivr_time is not None:
            # At night or at the weekend every caller would only hear "closed".
            controller_args = ["--ivr-time", ivr_time.isoformat()]
            local = ivr_time.astimezone(ZoneInfo(site.timezone))
            print(f"the municipalities are closed now: the IVR's clock starts at {local:%A %H:%M}")
        stack = stack_exit.enter_context(
            # The demo is the one run that may use the sample's published secrets.
            Stack(site, instance=instance, controller_args=controller_args, demo=True)
        )
        target = f"{site.services.bind_host}:{site.services.sip_port}"
        ports = PortAllocator(40000, 48000)
        workdir = stack.state_dir / "sipp"
        api = stack_exit.enter_context(
            httpx.Client(base_url=stack.control_url, auth=DEMO_FLOOR_LOGIN, timeout=10)
        )
        _staff_positions(site, api, stack_exit, target, ports)
        backoffice = DemoBackOffice(
            site=site,
            target=target,
            ports=ports,
            api=api,
            exit_stack=stack_exit,
            workdir=workdir,
            seed=load.seed,
        )
        backoffice.start()
        print(f"wallboard: {wallboard_url(stack)}", flush=True)
        print(f"recordings: {stack.control_url}/recordings (teamlead / demo-teamlead)", flush=True)
        print("simulated callers are dialling 14023; Ctrl-C stops everything", flush=True)
        menu = _menu_timing(stack)
        _call_loop(target, ports, load, stop, duration_s, stack_exit, workdir, menu, backoffice)
    print("demo stopped; every process it started has ended", flush=True)
    return 0


def _staff_positions(
    site: SiteConfig, api: httpx.Client, exit_stack: ExitStack, target: str, ports: PortAllocator
) -> None:
    """One agent per normal position, each logged in with their own login."""
    seats = [p for p in site.positions if not p.peak]
    for i, (position, agent) in enumerate(zip(seats, site.agents, strict=False)):
        exit_stack.enter_context(
            AgentPhone(
                target=target,
                ports=ports,
                extension=position.extension,
                password=f"demo{position.extension}",
                answer_after_s=2.0,
                talk_s=AGENT_TALK_S[i % len(AGENT_TALK_S)],
                calls=100_000,
                registration_s=DEMO_REGISTRATION_S,
                steps=RECORD_STEPS if i == 0 else (),
            )
        )
        reply = api.post(
            f"/api/agents/{agent.id}/login",
            json={"position": position.id},
            auth=_own_login(site, agent.id) or DEMO_FLOOR_LOGIN,
        )
        reply.raise_for_status()
        print(
            f"agent {agent.id} ({agent.name}) logged in at {position.id}: {', '.join(agent.topics)}"
        )


def _own_login(site: SiteConfig, agent_id: str) -> tuple[str, str] | None:
    """The agent's own web login with its documented demo password (``demo-<name>``)."""
    user = next((u for u in site.access.users if u.agent_id == agent_id), None)
    return None if user is None else (user.name, demo_password(user.name))


@dataclass(frozen=True)
class _MenuTiming:
    """When a demo caller presses keys: a little after each menu starts (barge-in)."""

    before_menu_s: float

    def keys(self, rng: random.Random) -> list[Step]:
        return [
            Pause(self.before_menu_s + 1.5),
            Digit(rng.choice("1112")),  # most callers are from Haarlem
            Pause(1.5),
            Digit(rng.choice("12345")),
        ]


def _menu_timing(stack: Stack) -> _MenuTiming:
    assert stack.asterisk is not None
    manifest = stack.asterisk.host_path(PROMPTS_INSIDE) / "flow" / "manifest.json"
    prompts = json.loads(manifest.read_text())["prompts"]
    return _MenuTiming(prompts["welcome"]["seconds"] + prompts["recording-notice"]["seconds"])


def _call_loop(
    target: str,
    ports: PortAllocator,
    load: DemoLoad,
    stop: _StopFlag,
    duration_s: float | None,
    exit_stack: ExitStack,
    workdir: Path,
    menu: _MenuTiming,
    backoffice: DemoBackOffice,
) -> None:
    rng = random.Random(load.seed)
    active: list[Caller] = []
    n = 0
    deadline = None if duration_s is None else time.monotonic() + duration_s
    next_call = time.monotonic()
    while not stop.set and (deadline is None or time.monotonic() < deadline):
        active = [c for c in active if c.running()]
        if time.monotonic() >= next_call and len(active) < load.max_callers:
            n += 1
            # Most callers wait until the agent ends the call; some give up after a while.
            patience = rng.uniform(30, 150) if rng.random() < 0.3 else None
            caller = Caller(
                target=target,
                ports=ports,
                caller_id=f"06{10000000 + n}",
                steps=menu.keys(rng),
                hangup_after_s=patience,
                workdir=workdir,
            )
            exit_stack.callback(caller.stop)
            active.append(caller)
            next_call = time.monotonic() + rng.expovariate(1 / load.mean_interval_s)
        backoffice.tick()
        stop.wait(0.5)


class _StopFlag:
    """Set by SIGINT/SIGTERM, so shutdown runs through the context managers."""

    def __init__(self) -> None:
        self.set = False
        signal.signal(signal.SIGINT, self._handle)
        signal.signal(signal.SIGTERM, self._handle)

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        self.set = True

    def wait(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        while not self.set and time.monotonic() < end:
            time.sleep(0.05)
