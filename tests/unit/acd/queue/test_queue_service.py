"""QueueService, the ACD core's adapter, on recording fakes of the agents' room: callers
joining and leaving, effects carried out (events, rings, timers on the fake clock, the
mirror), commands and their refusals, and ``close``."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

from acd.clock import FakeClock
from acd.core import AgentState
from acd.core import effects as fx
from acd.core import inputs as ev
from acd.core.acd import Acd
from acd.queue.service import QueuedCaller, QueueService
from contract import MemorySink
from tests.unit.acd.rig import T0, sample_site


@dataclass
class Ringer:
    """The agents' room as the queue sees it: what it was asked to ring and to cancel."""

    rung: list[tuple[fx.RingAgent, QueuedCaller]] = field(default_factory=list)
    cancelled: list[str] = field(default_factory=list)
    answered: set[str] = field(default_factory=set)  # calls an agent has when they leave

    def ring(self, effect: fx.RingAgent, caller: QueuedCaller) -> None:
        self.rung.append((effect, caller))

    def cancel(self, effect: fx.CancelRing) -> None:
        self.cancelled.append(effect.call_id)

    async def settle(self, call_id: str) -> bool:
        return call_id in self.answered


@dataclass
class Mirror:
    applied: list[fx.MirrorMember] = field(default_factory=list)

    def apply(self, effect: fx.MirrorMember) -> None:
        self.applied.append(effect)


@dataclass
class Queue:
    service: QueueService
    sink: MemorySink
    clock: FakeClock
    ringer: Ringer
    mirror: Mirror

    def do(self, command: object) -> None:
        assert self.service.command(command) is None

    def state(self, agent_id: str) -> AgentState:
        return next(a.state for a in self.service.agents() if a.agent_id == agent_id)


@pytest.fixture
def q() -> Iterator[Queue]:
    sink, clock, ringer, mirror = MemorySink(), FakeClock(T0), Ringer(), Mirror()
    service = QueueService(Acd(sample_site()), sink, clock, ringer=ringer, mirror=mirror)
    yield Queue(service, sink, clock, ringer, mirror)
    service.close()


def caller(call_id: str = "c1", topic: str = "burgerzaken") -> QueuedCaller:
    return QueuedCaller(call_id, "PJSIP/trunk-00000001", "0612345678", topic, "haarlem")


def log_in(q: Queue, agent_id: str = "1001", position_id: str = "tic1") -> None:
    q.do(ev.AgentLogin(agent_id=agent_id, position_id=position_id, at=q.clock.now()))


def talk(q: Queue, call_id: str = "c1", agent_id: str = "1001") -> None:
    """The agent's leg was answered, then hung up: what AgentLegs feeds."""
    q.service.feed(ev.OfferAnswered(call_id=call_id, agent_id=agent_id, at=q.clock.now()))
    q.service.feed(ev.CallCompleted(call_id=call_id, agent_id=agent_id, at=q.clock.now()))


def test_a_caller_who_joins_is_published_and_rung_at_an_available_agent(q: Queue) -> None:
    log_in(q)
    q.sink.clear()
    q.service.join(caller())
    assert q.sink.types == ["call.queued", "agent.state", "call.offered"]
    [(ring, rung)] = q.ringer.rung
    assert (ring.call_id, ring.agent_id, ring.extension) == ("c1", "1001", "201")
    assert rung == caller()
    assert q.service.callers == 1
    assert q.state("1001") is AgentState.RINGING


def test_a_caller_waits_with_a_place_in_the_queue_until_they_leave(q: Queue) -> None:
    q.service.join(caller("c1"))
    q.service.join(caller("c2"))
    assert [w.call_id for w in q.service.waiting()] == ["c1", "c2"]
    snapshot = q.service.snapshot("c2")
    assert snapshot is not None and snapshot.position == 2
    assert q.ringer.rung == []  # nobody to ring


async def test_a_caller_who_hangs_up_leaves_the_queue(q: Queue) -> None:
    q.service.join(caller())
    assert await q.service.left("c1") is False
    assert q.service.waiting() == [] and q.service.callers == 0
    assert q.service.snapshot("c1") is None
    ended = q.sink.events[-1]
    assert (ended.TYPE, ended.call_id) == ("call.ended", "c1")


async def test_a_caller_taken_by_an_agent_leaves_the_session_but_not_the_call(q: Queue) -> None:
    log_in(q)
    q.service.join(caller())
    q.service.feed(ev.OfferAnswered(call_id="c1", agent_id="1001", at=q.clock.now()))
    q.ringer.answered.add("c1")
    assert await q.service.left("c1") is True
    assert "call.ended" not in q.sink.types
    assert q.state("1001") is AgentState.TALKING


async def test_a_caller_who_leaves_while_it_rings_cancels_the_ring(q: Queue) -> None:
    log_in(q)
    q.service.join(caller())
    await q.service.left("c1")
    assert q.ringer.cancelled == ["c1"]
    assert q.state("1001") is AgentState.AVAILABLE


async def test_after_call_work_ends_on_the_clock(q: Queue) -> None:
    log_in(q)
    q.service.join(caller())
    talk(q)
    assert q.state("1001") is AgentState.AFTER_CALL_WORK
    await q.clock.advance(59.9)
    assert q.state("1001") is AgentState.AFTER_CALL_WORK
    await q.clock.advance(0.1)
    assert q.state("1001") is AgentState.AVAILABLE


async def test_a_timer_ended_early_is_cancelled_and_a_restarted_one_replaces_it(q: Queue) -> None:
    log_in(q)
    q.service.join(caller())
    talk(q)
    assert q.clock.pending == 1
    q.do(ev.AgentExtendAcw(agent_id="1001", seconds=60, at=q.clock.now()))
    assert q.clock.pending == 1  # the new due time replaced the old one
    await q.clock.advance(60)
    assert q.state("1001") is AgentState.AFTER_CALL_WORK
    q.do(ev.AgentEndAcw(agent_id="1001", at=q.clock.now()))
    assert q.state("1001") is AgentState.AVAILABLE
    assert q.clock.pending == 0


async def test_close_cancels_the_timers(q: Queue) -> None:
    log_in(q)
    q.service.join(caller())
    talk(q)
    q.service.close()
    assert q.clock.pending == 0
    await q.clock.advance(3600)
    assert q.state("1001") is AgentState.AFTER_CALL_WORK


def test_every_change_of_an_agent_is_mirrored(q: Queue) -> None:
    log_in(q)
    q.do(ev.AgentLogout(agent_id="1001", at=q.clock.now()))
    assert [(m.agent_id, m.extension, m.logged_in) for m in q.mirror.applied] == [
        ("1001", "201", True),
        ("1001", "201", False),
    ]


def test_a_refused_command_says_why_and_is_logged(
    q: Queue, caplog: pytest.LogCaptureFixture
) -> None:
    log_in(q)
    with caplog.at_level(logging.WARNING, logger="acd.queue.service"):
        refused = q.service.command(
            ev.AgentLogin(agent_id="1002", position_id="tic1", at=q.clock.now())
        )
    assert refused is not None and "taken by agent 1001" in refused
    assert f"AgentLogin refused: {refused}" in caplog.text


def test_the_agent_at_a_position_is_whoever_is_logged_in_there(q: Queue) -> None:
    assert q.service.agent_at("tic1") is None
    log_in(q)
    assert q.service.agent_at("tic1") == "1001"
    assert q.service.agent_at("tic2") is None
    q.do(ev.AgentLogout(agent_id="1001", at=q.clock.now()))
    assert q.service.agent_at("tic1") is None


def test_the_topics_and_the_clock_are_the_queues(q: Queue) -> None:
    assert q.service.topic_ids() == {t.id for t in sample_site().topics}
    assert q.service.clock is q.clock


def test_a_ring_for_a_caller_no_longer_in_a_session_fails_at_once(q: Queue) -> None:
    # The core still has c1 waiting, but no FastAGI session of ours holds them.
    q.service.feed(ev.CallQueued(call_id="c1", topic="burgerzaken", municipality="haarlem",
                                 fell_back_from=None, at=q.clock.now()))  # fmt: skip
    log_in(q)
    assert q.ringer.rung == []
    [failed] = [e for e in q.sink.events if e.TYPE == "call.not_answered"]
    assert (failed.call_id, failed.agent_id, failed.reason.value) == ("c1", "1001", "error")
    assert q.state("1001") is AgentState.AVAILABLE  # a technical error: not paused


def test_a_ring_that_fails_at_once_is_published_after_the_offer(q: Queue) -> None:
    # Found by this test: the failure was fed while the offer's own effects were still
    # being performed, so the stream said "not answered" before "offered".
    q.service.feed(ev.CallQueued(call_id="c1", topic="burgerzaken", municipality="haarlem",
                                 fell_back_from=None, at=q.clock.now()))  # fmt: skip
    q.sink.clear()
    log_in(q)
    offer = [(e.TYPE, getattr(e, "state", None)) for e in q.sink.events if e.TYPE != "agent.topics"]
    assert offer == [
        ("agent.state", AgentState.AVAILABLE),  # logged in
        ("agent.state", AgentState.RINGING),
        ("call.offered", None),
        ("call.not_answered", None),
        ("agent.state", AgentState.AVAILABLE),
    ]
