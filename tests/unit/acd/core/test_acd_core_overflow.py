"""Skills overflow: no caller is stranded in a topic nobody on duty serves, and none
waits past the topic's overflow time while an agent sits free."""

from __future__ import annotations

from datetime import timedelta

from acd.core import inputs as ev
from acd.core.effects import CancelTimer, StartTimer
from site_config import SiteConfig
from tests.unit.acd.core.acd_driver import Driver, of_type, rejected, rings

KEY = "overflow:c1"


def test_a_caller_of_a_topic_nobody_on_duty_serves_goes_to_any_free_agent_at_once(
    floor: Driver,
) -> None:
    floor.login("1001", "tic1")  # burgerzaken and algemeen only
    assert rings(floor.queue("c1", "bouwen-wonen")) == [("c1", "1001")]


def test_a_caller_of_a_served_topic_overflows_at_the_topics_time(floor: Driver) -> None:
    floor.on_duty_paused("1004", "tic3")  # belastingen on duty, on a break
    floor.login("1001", "tic1")
    queued = floor.queue("c1", "belastingen")
    assert rings(queued) == []
    [timer] = [t for t in of_type(queued, StartTimer) if t.key == KEY]
    assert timer.due == floor.now + timedelta(seconds=60)  # the sample's default
    floor.wait(59.9)
    assert rings(floor.login("1003", "tic2")) == []  # no belastingen, and not yet its time
    floor.wait(0.1)
    assert rings(floor.feed(ev.TimerFired, key=KEY)) == [("c1", "1001")]  # longest idle


def test_the_overflow_time_is_each_topics_own(site: SiteConfig) -> None:
    topics = tuple(
        t.model_copy(update={"overflow_after_s": 10}) if t.id == "belastingen" else t
        for t in site.topics
    )
    floor = Driver(site.model_copy(update={"topics": topics}))
    floor.on_duty_paused("1004", "tic3")
    floor.login("1001", "tic1")
    [timer] = [t for t in of_type(floor.queue("c1", "belastingen"), StartTimer) if t.key == KEY]
    assert timer.due == floor.now + timedelta(seconds=10)
    floor.wait(10)
    assert rings(floor.feed(ev.TimerFired, key=KEY)) == [("c1", "1001")]


def test_an_overflowing_caller_still_goes_to_a_skilled_agent_first(floor: Driver) -> None:
    floor.login("1001", "tic1")  # longest idle, but without belastingen
    floor.wait(5)
    floor.login("1002", "tic2")  # has belastingen
    assert rings(floor.queue("c1", "belastingen")) == [("c1", "1002")]


def test_the_queue_order_holds_across_topics_for_overflowing_callers(floor: Driver) -> None:
    floor.on_duty_paused("1005", "tic3")  # every topic on duty, on a break
    floor.queue("c1", "belastingen")
    floor.wait(61)  # c1 has overflowed
    floor.queue("c2", "burgerzaken")
    # 1001 handles burgerzaken, but the older, overflowing belastingen caller goes first.
    assert rings(floor.login("1001", "tic1")) == [("c1", "1001")]


def test_a_caller_not_yet_overflowing_waits_for_their_topic(floor: Driver) -> None:
    floor.on_duty_paused("1004", "tic3")
    floor.queue("c1", "belastingen")
    floor.wait(30)
    assert rings(floor.login("1001", "tic1")) == []
    assert [w.call_id for w in floor.acd.waiting()] == ["c1"]


def test_an_answered_or_ended_caller_has_their_overflow_timer_cancelled(floor: Driver) -> None:
    floor.login("1002", "tic2")
    floor.queue("c1", "belastingen")
    assert CancelTimer(key=KEY) in floor.answer("c1", "1002")
    floor.on_duty_paused("1004", "tic3")
    floor.queue("c2", "belastingen")
    assert CancelTimer(key="overflow:c2") in floor.feed(ev.CallerLeft, call_id="c2")


def test_an_overflow_timer_of_a_call_no_longer_waiting_changes_nothing(floor: Driver) -> None:
    before = floor.seen()
    assert floor.feed(ev.TimerFired, key="overflow:gone") == []
    assert floor.seen() == before


def test_an_unknown_timer_still_names_the_known_kinds(floor: Driver) -> None:
    refused = rejected(floor.feed(ev.TimerFired, key="camp-on:c1"))
    assert "known: acw:<agent id>, overflow:<call id>" in refused.why


def test_overflow_never_offers_a_caller_to_a_phone_that_failed_for_them(floor: Driver) -> None:
    floor.login("1001", "tic1")
    assert rings(floor.queue("c1", "bouwen-wonen")) == [("c1", "1001")]
    failed = floor.fail("c1", "1001", reason="error")
    assert rings(failed) == []  # back in the queue, but never to 1001's phone again
    assert [w.call_id for w in floor.acd.waiting()] == ["c1"]


def test_the_waiting_message_counts_every_serving_agent_for_an_overflowing_caller(
    floor: Driver,
) -> None:
    floor.on_duty_paused("1004", "tic3")  # belastingen on duty, on a break
    floor.login("1001", "tic1")
    floor.queue("c0", "burgerzaken")  # 1001 takes it
    floor.queue("c1", "burgerzaken")
    floor.wait(1)
    floor.queue("c2", "belastingen")
    before = floor.acd.snapshot_for("c2", floor.now)
    assert before is not None and (before.position, before.agents_serving) == (1, 0)
    floor.wait(60)  # c2 overflows: every agent may take it, every caller ahead counts
    after = floor.acd.snapshot_for("c2", floor.now)
    # c0 (its agent still ringing) and c1 are ahead of c2 now; 1001 serves.
    assert after is not None and (after.position, after.agents_serving) == (3, 1)
