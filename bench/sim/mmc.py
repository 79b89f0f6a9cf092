"""Discrete-event M/M/s FIFO queue with waiting messages every 20 s.

Theory of operation
-------------------
Callers arrive as a Poisson process whose rate is piecewise constant (``Phase``: a
load as a share of capacity ``s / mean_service``), cycled ``cycles`` times; a caller
who finds a free agent is answered at once, otherwise joins the FIFO queue. Handling
time (talk + after-call work) is exponential. No caller abandons.

A queued caller gets an announcement at 20 s, 40 s, ... while still waiting. At each,
the simulation records

* ours: the snapshot (position, agents, how long each busy agent has been busy, the
  handling time learned so far from finished calls) through ``CallerWaitAnnouncer`` and
  the Dutch rounding - the nominal value of the phrase the caller hears;
* ours_raw: the same estimate before rounding (diagnostic only);
* asterisk: what app_queue would say at that moment (``AsteriskQueueModel``); when it
  says nothing about the hold time the caller is scored as having heard "under a
  minute" (30 s), the most favourable reading of that silence.

When the caller is answered, each record is scored against the real remaining wait.
Times are absolute seconds from the start; Asterisk sees them truncated to whole
seconds as time() would give them.
"""

from __future__ import annotations

import heapq
import math
import random
from collections import deque
from dataclasses import dataclass, field
from enum import IntEnum

from acd.waiting import (
    CallerWaitAnnouncer,
    HandlingObservation,
    HandlingPrior,
    HandlingTimes,
    NobodyServing,
    QueueSnapshot,
    spoken_wait,
)
from sim.asterisk import AsteriskQueueModel
from sim.scoring import FLOOR_S, ErrorTally

TOPIC = "sim"


@dataclass(frozen=True, slots=True, kw_only=True)
class Phase:
    """A stretch of time with a constant arrival rate of ``load`` x capacity."""

    duration_s: float
    load: float


@dataclass(frozen=True, slots=True, kw_only=True)
class Scenario:
    name: str
    servers: int
    phases: tuple[Phase, ...]
    cycles: int
    mean_service_s: float
    seed: int
    announce_every_s: float = 20.0

    @property
    def horizon_s(self) -> float:
        return self.cycles * sum(p.duration_s for p in self.phases)


@dataclass(slots=True)
class ScenarioResult:
    scenario: Scenario
    ours: ErrorTally = field(default_factory=ErrorTally)
    ours_raw: ErrorTally = field(default_factory=ErrorTally)
    asterisk: ErrorTally = field(default_factory=ErrorTally)
    asterisk_silent: int = 0
    callers: int = 0
    announced_callers: int = 0
    handling_s_sum: float = 0.0
    """Sum over announcements of the learned handling time used."""

    @property
    def mean_learned_handling_s(self) -> float:
        return self.handling_s_sum / self.ours.count if self.ours.count else math.nan


@dataclass(slots=True)
class _Caller:
    arrived: float
    queue_index: int
    announcer: CallerWaitAnnouncer = field(default_factory=CallerWaitAnnouncer)
    heard: list[tuple[float, float, float, float]] = field(default_factory=list)
    """Per announcement: (time, ours spoken, ours raw, asterisk heard)."""


class _Event(IntEnum):
    DEPARTURE = 0
    ARRIVAL = 1
    ANNOUNCE = 2


class _Simulation:
    def __init__(self, scenario: Scenario) -> None:
        self.sc = scenario
        self.rng = random.Random(scenario.seed)
        self.result = ScenarioResult(scenario)
        self.handling = HandlingTimes(prior=HandlingPrior())
        self.asterisk = AsteriskQueueModel()
        self.busy_since: list[float | None] = [None] * scenario.servers
        self.queue: deque[_Caller] = deque()
        self.joined = 0
        self.dequeued = 0
        self.events: list[tuple[float, int, int, object]] = []
        self.seq = 0

    def push(self, when: float, kind: _Event, ref: object) -> None:
        self.seq += 1
        heapq.heappush(self.events, (when, kind, self.seq, ref))

    def run(self) -> ScenarioResult:
        first = self.next_arrival(0.0)
        if first is not None:
            self.push(first, _Event.ARRIVAL, None)
        while self.events:
            now, kind, _, ref = heapq.heappop(self.events)
            if kind == _Event.ARRIVAL:
                self.on_arrival(now)
            elif kind == _Event.DEPARTURE:
                assert isinstance(ref, int)
                self.on_departure(now, ref)
            else:
                assert isinstance(ref, _Caller)
                self.on_announce(now, ref)
        return self.result

    def next_arrival(self, now: float) -> float | None:
        """Next Poisson arrival after ``now`` with the piecewise-constant rate."""
        cycle = sum(p.duration_s for p in self.sc.phases)
        capacity = self.sc.servers / self.sc.mean_service_s
        while now < self.sc.horizon_s:
            offset = now % cycle
            for phase in self.sc.phases:
                if offset < phase.duration_s:
                    break
                offset -= phase.duration_s
            phase_end = now + (phase.duration_s - offset)
            candidate = now + self.rng.expovariate(phase.load * capacity)
            if candidate < phase_end:
                return candidate if candidate < self.sc.horizon_s else None
            now = phase_end  # memoryless: redraw at the new rate from the boundary
        return None

    def on_arrival(self, now: float) -> None:
        self.result.callers += 1
        nxt = self.next_arrival(now)
        if nxt is not None:
            self.push(nxt, _Event.ARRIVAL, None)
        caller = _Caller(arrived=now, queue_index=self.joined)
        free = self.free_server()
        if free is not None:
            self.answer(now, caller, free)
            return
        self.joined += 1
        self.queue.append(caller)
        self.push(now + self.sc.announce_every_s, _Event.ANNOUNCE, caller)

    def free_server(self) -> int | None:
        for index, since in enumerate(self.busy_since):
            if since is None:
                return index
        return None

    def answer(self, now: float, caller: _Caller, server: int) -> None:
        self.asterisk.on_answer(math.floor(now) - math.floor(caller.arrived))
        self.busy_since[server] = now
        self.push(
            now + self.rng.expovariate(1.0 / self.sc.mean_service_s), _Event.DEPARTURE, server
        )
        if caller.heard:
            self.result.announced_callers += 1
        for at, ours, ours_raw, asterisk in caller.heard:
            actual = now - at
            self.result.ours.add(ours, actual)
            self.result.ours_raw.add(ours_raw, actual)
            self.result.asterisk.add(asterisk, actual)
        caller.heard.clear()

    def on_departure(self, now: float, server: int) -> None:
        started = self.busy_since[server]
        assert started is not None
        self.busy_since[server] = None
        # The simulated handling time is one exponential draw: talk + after-call work.
        self.handling.observe(TOPIC, HandlingObservation(talk_s=now - started, after_call_work_s=0))
        self.asterisk.on_call_end()
        if self.queue:
            self.dequeued += 1
            self.answer(now, self.queue.popleft(), server)

    def on_announce(self, now: float, caller: _Caller) -> None:
        position = caller.queue_index - self.dequeued + 1
        if position < 1:
            return  # answered already
        learned = self.handling.for_topic(TOPIC)
        busy = tuple(now - since for since in self.busy_since if since is not None)
        snapshot = QueueSnapshot(
            position=position,
            agents_serving=self.sc.servers,
            agents_busy=len(busy),
            mean_handling_s=learned.mean_s,
            handling_cv=learned.cv,
            busy_for_s=busy,
        )
        self.result.handling_s_sum += learned.mean_s
        told = caller.announcer.tell(snapshot)
        assert not isinstance(told, NobodyServing)
        heard = self.asterisk.heard(math.floor(now) - math.floor(caller.arrived))
        if not heard.announced:
            self.result.asterisk_silent += 1
        asterisk_s = 60.0 * heard.minutes if heard.announced else FLOOR_S
        ours = spoken_wait(told.expected_s).nominal_s
        caller.heard.append((now, ours, told.expected_s, asterisk_s))
        self.push(now + self.sc.announce_every_s, _Event.ANNOUNCE, caller)


def simulate(scenario: Scenario) -> ScenarioResult:
    """Run one scenario to its horizon and let every queued caller be answered."""
    return _Simulation(scenario).run()
