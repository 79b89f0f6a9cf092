"""The queue as a waiting caller sees it, for the waiting message."""

from __future__ import annotations

from acd.core import inputs as ev
from acd.core.states import PauseReason
from acd.waiting.handling import HandlingObservation, HandlingTimes
from site_config import SiteConfig
from tests.unit.acd.core.acd_driver import Driver


def test_position_counts_only_callers_of_the_same_topic_ahead(floor: Driver) -> None:
    floor.on_duty_paused("1002", "tic3")  # burgerzaken and belastingen on duty, on a break
    floor.queue("c1", "burgerzaken")
    floor.wait(1)
    floor.queue("c2", "belastingen")
    floor.wait(1)
    floor.queue("c3", "burgerzaken")
    positions = {c: floor.acd.snapshot_for(c, floor.now) for c in ("c1", "c2", "c3")}
    assert {c: s.position for c, s in positions.items() if s is not None} == {
        "c1": 1,
        "c2": 1,
        "c3": 2,
    }


def test_a_ringing_caller_still_counts_ahead(floor: Driver) -> None:
    floor.login("1001", "tic1")
    floor.queue("c1", "burgerzaken")
    floor.queue("c2", "burgerzaken")
    snapshot = floor.acd.snapshot_for("c2", floor.now)
    assert snapshot is not None and snapshot.position == 2


def test_agents_serving_are_logged_in_unpaused_with_the_topic(floor: Driver) -> None:
    floor.login("1001", "tic1")  # burgerzaken: will be talking
    floor.login("1002", "tic2")  # burgerzaken: paused, not serving
    floor.feed(ev.AgentPause, agent_id="1002", reason=PauseReason.BREAK)
    floor.queue("c1", "burgerzaken")
    floor.wait(2)
    floor.answer("c1", "1001")
    floor.login("1003", "tic3")  # no burgerzaken
    floor.queue("c2", "burgerzaken")
    floor.wait(30)
    snapshot = floor.acd.snapshot_for("c2", floor.now)
    assert snapshot is not None
    assert (snapshot.position, snapshot.agents_serving, snapshot.agents_busy) == (1, 1, 1)
    assert snapshot.busy_for_s == (30.0,)


def test_ringing_and_after_call_work_count_as_busy(floor: Driver) -> None:
    floor.login("1001", "tic1")
    floor.login("1002", "tic2")
    floor.queue("c1", "burgerzaken")  # rings 1001
    floor.queue("c2", "burgerzaken")  # rings 1002
    floor.answer("c2", "1002")
    floor.wait(100)
    floor.complete("c2", "1002")
    floor.wait(10)
    floor.queue("c3", "burgerzaken")
    snapshot = floor.acd.snapshot_for("c3", floor.now)
    assert snapshot is not None
    assert (snapshot.agents_serving, snapshot.agents_busy) == (2, 2)
    assert sorted(snapshot.busy_for_s or ()) == [0.0, 110.0]


def test_learned_handling_of_the_topic_is_used(site: SiteConfig) -> None:
    handling = HandlingTimes()
    for _ in range(5):
        handling.observe("belastingen", HandlingObservation(talk_s=400, after_call_work_s=80))
    floor = Driver(site, handling=handling)
    floor.queue("c1", "belastingen")
    floor.queue("c2", "burgerzaken")
    first = floor.acd.snapshot_for("c1", floor.now)
    second = floor.acd.snapshot_for("c2", floor.now)
    assert first is not None and second is not None
    assert first.mean_handling_s == handling.for_topic("belastingen").mean_s
    assert first.handling_cv == handling.for_topic("belastingen").cv
    assert second.mean_handling_s == handling.prior.mean_s
    assert first.agents_serving == 0


def test_no_snapshot_for_a_caller_not_waiting(floor: Driver) -> None:
    floor.login("1001", "tic1")
    floor.queue("c1", "burgerzaken")
    floor.answer("c1", "1001")
    assert floor.acd.snapshot_for("c1", floor.now) is None
    assert floor.acd.snapshot_for("nobody", floor.now) is None
