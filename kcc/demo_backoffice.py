"""The demo's back office: colleagues' phones, callers dialling them, warm transfers.

`kcc demo` (kcc/demo.py) runs this beside its TIC agents and 14023 callers, so the
second pillar of the reports - the department table: reachability, fallback traffic,
transfers - fills in a demo too:

- Three colleagues' SIPp phones register and stay up: 301 answers after 5 s and 321
  after 8 s (both within the 3-ring norm of 15 s); 311 never answers, so every direct
  call to it falls back to the TIC's general queue after the department's 15 s.
- Now and then a caller on the public trunk dials one of them directly and hangs up
  after a while.
- About one TIC call in five is warm-transferred to 321 or 301. The demo's agents are
  SIPp phones with a fixed talk time, so the demo plays the agent's part: it reads
  `GET /api/acd/state` every second and, a few seconds into a call, asks the control
  API for the transfer (what `#2` on the phone does); the agent's phone hanging up at
  the end of its talk time completes it.

Which talking agent transfers, and which colleague a direct caller dials, are decided
by pure code from a state snapshot and a seeded RNG; `DemoBackOffice` does the I/O.

Why the timings fit: an agent is seen talking within a poll of answering, and the
transfer is asked for 3 to 8 s into the call (a later first sight - a slow machine -
leaves the call alone). Asterisk rings the colleague within about a second, who answers
after at most 8 s: the consult is answered at most ~17.5 s into the call
(`TransferPolicy.latest_consult_answer_s`). The demo's agents talk 25 to 45 s
(`kcc.demo.AGENT_TALK_S`), so they hang up - completing the transfer - only after the
colleague answered; hanging up while it still rang would hand the caller to a ringing
phone instead (Asterisk's `atxferdropcall=no`). Colleagues hang up after 60 or 75 s,
counted from answering the consult: longer than any agent's whole call, so they never
leave a consult first (that would give the agent the caller back, nothing transferred).
They hang up themselves rather than talk until the caller does because most demo
callers never hang up once answered: a transferred one would hold the colleague until
SIPp's 300 s limit and Asterisk's 120 s RTP timeout, and make their direct calls busy.
"""

from __future__ import annotations

import random
import time
from collections.abc import Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx

from kcc.sipp import AgentPhone, Caller
from kcc.sipp.runner import PortAllocator
from site_config import SiteConfig

# The demo's SIPp phones register once and do not renew: long enough for a day's demo
# (Asterisk's AORs allow up to 12 h; asterisk_conf/pjsip.py).
DEMO_REGISTRATION_S = 43200


@dataclass(frozen=True, kw_only=True)
class Colleague:
    """A back-office colleague's simulated phone."""

    extension: str
    answer_after_s: float | None  # None: never answers
    talk_s: float | None = None  # from answering; None: until the other side hangs up


COLLEAGUES = (
    Colleague(extension="301", answer_after_s=5.0, talk_s=60.0),
    Colleague(extension="321", answer_after_s=8.0, talk_s=75.0),
    Colleague(extension="311", answer_after_s=None),
)


@dataclass(frozen=True, kw_only=True)
class TransferPolicy:
    """Which TIC calls the demo's agents transfer, to whom, and when in the call."""

    share: float = 0.2
    targets: tuple[str, ...] = ("321", "301")
    earliest_s: float = 3.0
    latest_s: float = 8.0
    setup_s: float = 1.5  # the API call, AMI Atxfer and the INVITE to the colleague

    def __post_init__(self) -> None:
        if not 0.0 <= self.share <= 1.0:
            raise ValueError(f"transfer share {self.share} is not a fraction between 0 and 1")
        if not self.targets:
            raise ValueError("transfer policy names no target extension")
        if not 0.0 <= self.earliest_s <= self.latest_s:
            raise ValueError(
                f"transfer window {self.earliest_s}-{self.latest_s} s: "
                "need 0 <= earliest_s <= latest_s"
            )

    def latest_consult_answer_s(self, colleagues: Sequence[Colleague]) -> float:
        """How far into a TIC call a consult is answered at the latest."""
        answer = {c.extension: c.answer_after_s for c in colleagues}
        slowest = 0.0
        for extension in self.targets:
            after = answer.get(extension)
            if after is None:
                raise ValueError(
                    f"transfer target {extension} is no answering colleague; "
                    f"answering: {sorted(e for e, a in answer.items() if a is not None)}"
                )
            slowest = max(slowest, after)
        return self.latest_s + self.setup_s + slowest


@dataclass(frozen=True)
class TalkingAgent:
    agent_id: str
    call_id: str
    talking_s: float


@dataclass(frozen=True)
class TransferRequest:
    agent_id: str
    call_id: str
    extension: str


def talking_agents(snapshot: Mapping[str, Any]) -> list[TalkingAgent]:
    """The talking agents in a `GET /api/acd/state` answer, and how long they have talked."""
    at = _timestamp(snapshot, "at", "the answer")
    agents = snapshot.get("agents")
    if not isinstance(agents, list):
        raise ValueError("/api/acd/state: 'agents' is missing or not a list")
    talking = []
    for i, agent in enumerate(agents):
        where = f"agents[{i}]"
        if not isinstance(agent, Mapping):
            raise ValueError(f"/api/acd/state: {where} is not an object")
        if agent.get("state") != "talking":
            continue
        since = _timestamp(agent, "since", where)
        talking.append(
            TalkingAgent(
                agent_id=_text(agent, "agent_id", where),
                call_id=_text(agent, "call_id", where),
                talking_s=(at - since).total_seconds(),
            )
        )
    return talking


def _text(data: Mapping[str, Any], key: str, where: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value:
        raise ValueError(f"/api/acd/state: {where}: {key!r} is {value!r}, not a text")
    return value


def _timestamp(data: Mapping[str, Any], key: str, where: str) -> datetime:
    value = _text(data, key, where)
    try:
        moment: datetime | None = datetime.fromisoformat(value)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:  # naive and aware times do not subtract
        raise ValueError(
            f"/api/acd/state: {where}: {key!r} is {value!r}, not an ISO time with a UTC offset"
        )
    return moment


class TransferPicker:
    """Decides once per call, a few seconds into it, whether its agent transfers it."""

    def __init__(self, policy: TransferPolicy) -> None:
        self._policy = policy
        self._decided: set[tuple[str, str]] = set()

    def pick(self, talking: Sequence[TalkingAgent], rng: random.Random) -> list[TransferRequest]:
        policy = self._policy
        # An agent never talks to a call again once it left them: forget finished calls.
        self._decided &= {(t.agent_id, t.call_id) for t in talking}
        picked = []
        for agent in sorted(talking, key=lambda t: t.agent_id):
            key = (agent.agent_id, agent.call_id)
            if key in self._decided or agent.talking_s < policy.earliest_s:
                continue
            self._decided.add(key)
            # First seen too late: the consult might still ring when the agent hangs up.
            if agent.talking_s <= policy.latest_s and rng.random() < policy.share:
                extension = rng.choice(policy.targets)
                picked.append(TransferRequest(agent.agent_id, agent.call_id, extension))
        return picked


@dataclass(frozen=True, kw_only=True)
class DirectCallLoad:
    mean_interval_s: float = 60.0
    max_callers: int = 3
    patience_s: tuple[float, float] = (45.0, 150.0)  # from the trunk answering, at once


@dataclass(frozen=True)
class DirectCall:
    extension: str
    hangup_after_s: float


def plan_direct_call(
    rng: random.Random, extensions: Sequence[str], load: DirectCallLoad
) -> DirectCall:
    """A caller dialling a colleague's own number; long enough to wait for the TIC too."""
    if not extensions:
        raise ValueError("no back-office extension to dial directly")
    extension = rng.choice(list(extensions))
    return DirectCall(extension, round(rng.uniform(*load.patience_s), 1))


class DemoBackOffice:
    """The colleagues' phones, direct callers and transfers; `tick()` from the demo loop."""

    def __init__(
        self,
        *,
        site: SiteConfig,
        target: str,
        ports: PortAllocator,
        api: httpx.Client,
        exit_stack: ExitStack,
        workdir: Path,
        seed: int,
        direct: DirectCallLoad = DirectCallLoad(),
        policy: TransferPolicy = TransferPolicy(),
        colleagues: Sequence[Colleague] = COLLEAGUES,
        poll_every_s: float = 1.0,
    ) -> None:
        known = {e.extension for d in site.departments for e in d.extensions}
        self._colleagues = tuple(c for c in colleagues if c.extension in known)
        answering = {c.extension for c in self._colleagues if c.answer_after_s is not None}
        targets = tuple(t for t in policy.targets if t in answering)
        self._picker = TransferPicker(replace(policy, targets=targets)) if targets else None
        self._target, self._ports, self._api = target, ports, api
        self._exit, self._workdir = exit_stack, workdir
        self._direct, self._poll_every_s = direct, poll_every_s
        # Streams of their own: the 14023 callers' sequence stays what it was.
        self._direct_rng, self._transfer_rng = random.Random(seed + 1), random.Random(seed + 2)
        now = time.monotonic()
        self._next_direct = now + self._direct_rng.expovariate(1 / direct.mean_interval_s)
        self._next_poll = now
        self._active: list[Caller] = []
        self._placed = 0
        self._failing = False

    def start(self) -> None:
        """Register the colleagues' phones; the exit stack unregisters them."""
        for colleague in self._colleagues:
            self._exit.enter_context(
                AgentPhone(
                    target=self._target,
                    ports=self._ports,
                    extension=colleague.extension,
                    password=f"demo{colleague.extension}",
                    answer_after_s=colleague.answer_after_s,
                    talk_s=colleague.talk_s,
                    calls=100_000,
                    registration_s=DEMO_REGISTRATION_S,
                    workdir=self._workdir / f"phone-{colleague.extension}",
                )
            )
            after = colleague.answer_after_s
            answers = "never answers" if after is None else f"answers after {after:g} s"
            print(f"back-office colleague at {colleague.extension} {answers}", flush=True)

    def tick(self) -> None:
        now = time.monotonic()
        self._active = [c for c in self._active if c.running()]
        room = len(self._active) < self._direct.max_callers
        if self._colleagues and room and now >= self._next_direct:
            self._place_direct_call()
            self._next_direct = now + self._direct_rng.expovariate(1 / self._direct.mean_interval_s)
        if self._picker is not None and now >= self._next_poll:
            self._next_poll = now + self._poll_every_s
            for request in self._picker.pick(self._talking(), self._transfer_rng):
                self._transfer(request)

    def _place_direct_call(self) -> None:
        plan = plan_direct_call(
            self._direct_rng, [c.extension for c in self._colleagues], self._direct
        )
        self._placed += 1
        caller = Caller(
            target=self._target,
            ports=self._ports,
            caller_id=f"023{5000000 + self._placed}",  # a landline: business contacts
            dial=plan.extension,
            hangup_after_s=plan.hangup_after_s,
            workdir=self._workdir,
        )
        self._exit.callback(caller.stop)
        self._active.append(caller)
        print(f"a caller dials back-office extension {plan.extension} directly", flush=True)

    def _talking(self) -> list[TalkingAgent]:
        try:
            reply = self._api.get("/api/acd/state", timeout=3)
            reply.raise_for_status()
            talking = talking_agents(reply.json())
        except (httpx.HTTPError, ValueError) as exc:
            if not self._failing:  # once per outage, not every second
                print(f"back office: cannot read the agents' state: {exc}", flush=True)
            self._failing = True
            return []
        self._failing = False
        return talking

    def _transfer(self, request: TransferRequest) -> None:
        path = f"/api/agents/{request.agent_id}/transfer"
        try:
            reply = self._api.post(path, json={"extension": request.extension}, timeout=5)
        except httpx.HTTPError as exc:
            print(f"agent {request.agent_id}: transfer request failed: {exc}", flush=True)
            return
        if reply.status_code == 200:
            print(f"agent {request.agent_id} transfers a caller to {request.extension}", flush=True)
        else:  # e.g. 409: the caller hung up since the poll
            print(
                f"agent {request.agent_id}: transfer to {request.extension} refused: "
                f"{reply.status_code} {reply.text}",
                flush=True,
            )
