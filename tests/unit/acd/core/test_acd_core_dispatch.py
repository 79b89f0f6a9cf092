"""Who gets which caller: skills, longest-waiting caller, longest-idle agent, ring failures."""

from __future__ import annotations

from acd.core import inputs as ev
from acd.core.effects import MirrorMember, RingAgent
from acd.core.states import AgentState, PauseReason
from site_config import Agent, SiteConfig
from tests.unit.acd.core.acd_driver import Driver, of_type, published, rings

# Sample roster: 1001 burgerzaken+algemeen, 1002 burgerzaken+belastingen+algemeen,
# 1005 every topic.


def test_caller_is_not_offered_to_an_agent_without_the_topic_while_it_is_on_duty(
    floor: Driver,
) -> None:
    floor.on_duty_paused("1004", "tic3")  # belastingen is on duty, on a break
    floor.login("1001", "tic1")
    assert rings(floor.queue("c1", "belastingen")) == []
    assert floor.state("1001") is AgentState.AVAILABLE
    assert rings(floor.login("1002", "tic2")) == [("c1", "1002")]


def test_ring_carries_position_extension_and_ring_no_answer_time(floor: Driver) -> None:
    floor.login("1001", "tic3")
    (ring,) = of_type(floor.queue("c1", "burgerzaken"), RingAgent)
    tic3 = next(p for p in floor.site.positions if p.id == "tic3")
    assert (ring.position_id, ring.extension) == ("tic3", tic3.extension)
    assert ring.ring_timeout_s == floor.site.norms.ring_no_answer_s


def test_free_agent_takes_the_longest_waiting_caller_of_their_topic(floor: Driver) -> None:
    floor.on_duty_paused("1005", "tic3")  # every topic on duty, on a break
    floor.queue("c1", "belastingen")
    floor.wait(5)
    floor.queue("c2", "burgerzaken")
    floor.wait(5)
    floor.queue("c3", "burgerzaken")
    # 1001 cannot take the older belastingen caller, so takes the oldest burgerzaken one.
    assert rings(floor.login("1001", "tic1")) == [("c2", "1001")]


def test_longest_waiting_caller_across_topics_goes_first(floor: Driver) -> None:
    floor.login("1005", "tic1")
    floor.feed(ev.AgentPause, agent_id="1005", reason=PauseReason.BREAK)
    floor.queue("c1", "burgerzaken")
    floor.wait(3)
    floor.queue("c2", "belastingen")
    floor.wait(3)
    floor.queue("c3", "burgerzaken")
    assert rings(floor.feed(ev.AgentUnpause, agent_id="1005")) == [("c1", "1005")]
    floor.answer("c1", "1005")
    floor.complete("c1", "1005")
    assert rings(floor.feed(ev.AgentEndAcw, agent_id="1005")) == [("c2", "1005")]


def test_callers_queued_at_the_same_instant_go_in_arrival_order(floor: Driver) -> None:
    for call_id in ("c9", "c1", "c5"):
        floor.queue(call_id, "burgerzaken")
    assert [w.call_id for w in floor.acd.waiting()] == ["c9", "c1", "c5"]
    assert rings(floor.login("1001", "tic1")) == [("c9", "1001")]


def test_longest_idle_agent_gets_the_caller(floor: Driver) -> None:
    floor.login("1002", "tic1")
    floor.wait(10)
    floor.login("1001", "tic2")
    assert rings(floor.queue("c1", "burgerzaken")) == [("c1", "1002")]
    floor.answer("c1", "1002")
    floor.complete("c1", "1002")
    floor.feed(ev.AgentEndAcw, agent_id="1002")
    # 1002 is available again but only just; 1001 has been idle longer.
    floor.wait(1)
    assert rings(floor.queue("c2", "burgerzaken")) == [("c2", "1001")]


def test_equally_idle_agents_are_taken_by_agent_id(floor: Driver) -> None:
    floor.login("1002", "tic1")
    floor.login("1001", "tic2")
    assert rings(floor.queue("c1", "burgerzaken")) == [("c1", "1001")]


def test_several_offers_in_one_input(floor: Driver) -> None:
    floor.queue("c1", "burgerzaken")
    floor.queue("c2", "belastingen")
    floor.login("1001", "tic1")
    floor.feed(ev.PositionOpen, position_id="tic4")
    floor.login("1004", "tic4")  # belastingen
    assert {w.call_id: w.offered_to for w in floor.acd.waiting()} == {"c1": "1001", "c2": "1004"}


def test_with_the_menu_off_the_general_topic_decides(site: SiteConfig) -> None:
    general = site.ivr.general_topic
    no_general = Agent(id="1009", name="Zonder Algemeen", topics=("burgerzaken",))
    menu_off = site.model_copy(
        update={
            "ivr": site.ivr.model_copy(update={"topic_menu_enabled": False}),
            "agents": (*site.agents, no_general),
        }
    )
    floor = Driver(menu_off)
    floor.on_duty_paused("1005", "tic3")  # the general topic is on duty, on a break
    floor.login("1009", "tic1")
    assert rings(floor.queue("c1", general)) == []
    assert rings(floor.login("1003", "tic2")) == [("c1", "1003")]


def test_ring_no_answer_pauses_the_agent_and_offers_the_next(floor: Driver) -> None:
    floor.login("1001", "tic1")
    floor.wait(1)
    floor.login("1002", "tic2")
    floor.queue("c1", "burgerzaken")
    floor.wait(15)
    effects = floor.fail("c1", "1001")
    assert floor.agent("1001").state is AgentState.PAUSED
    assert floor.agent("1001").pause_reason is PauseReason.NOT_ANSWERING
    (not_answered,) = published(effects, "call.not_answered")
    assert dict(not_answered.fields) == {"position_id": "tic1", "reason": "no_answer"}
    assert of_type(effects, MirrorMember)[0].paused is True
    assert rings(effects) == [("c1", "1002")]


def test_ring_no_answer_keeps_the_callers_place(floor: Driver) -> None:
    floor.login("1001", "tic1")
    floor.queue("c1", "burgerzaken")
    first_at = floor.now
    floor.wait(10)
    floor.queue("c2", "burgerzaken")
    second_at = floor.now
    floor.wait(5)
    floor.fail("c1", "1001")
    assert [(w.call_id, w.queued_at, w.offered_to) for w in floor.acd.waiting()] == [
        ("c1", first_at, None),
        ("c2", second_at, None),
    ]
    assert rings(floor.login("1002", "tic2")) == [("c1", "1002")]


def test_busy_and_unavailable_pause_as_not_answering_with_their_reason(site: SiteConfig) -> None:
    for reason in ("busy", "unavailable"):
        floor = Driver(site)
        floor.login("1001", "tic1")
        floor.queue("c1", "burgerzaken")
        effects = floor.fail("c1", "1001", reason)
        assert floor.agent("1001").pause_reason is PauseReason.NOT_ANSWERING
        assert published(effects, "call.not_answered")[0].fields["reason"] == reason
        state = published(effects, "agent.state")[0]
        assert (state.fields["state"], state.fields["reason"]) == ("paused", "not_answering")


def test_an_error_frees_the_agent_but_does_not_offer_them_that_call_again(floor: Driver) -> None:
    floor.login("1001", "tic1")
    floor.queue("c1", "burgerzaken")
    effects = floor.fail("c1", "1001", "error")
    assert floor.state("1001") is AgentState.AVAILABLE
    assert rings(effects) == []
    assert rings(floor.queue("c2", "burgerzaken")) == [("c2", "1001")]
    assert rings(floor.login("1002", "tic2")) == [("c1", "1002")]


def test_paused_and_logged_out_agents_get_no_calls(floor: Driver) -> None:
    floor.login("1001", "tic1")
    floor.feed(ev.AgentPause, agent_id="1001", reason=PauseReason.BACKOFFICE)
    floor.login("1002", "tic2")
    floor.feed(ev.AgentLogout, agent_id="1002")
    assert rings(floor.queue("c1", "burgerzaken")) == []
    assert [w.offered_to for w in floor.acd.waiting()] == [None]


def test_live_topics_route_calls_and_survive_logout(floor: Driver) -> None:
    floor.on_duty_paused("1005", "tic3")  # burgerzaken on duty, on a break
    floor.feed(ev.AgentSetTopics, agent_id="1001", topics=frozenset({"belastingen"}))
    floor.login("1001", "tic1")
    assert rings(floor.queue("c1", "burgerzaken")) == []
    assert rings(floor.queue("c2", "belastingen")) == [("c2", "1001")]
    assert floor.agent("1001").topics == frozenset({"belastingen"})
