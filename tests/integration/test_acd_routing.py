"""Routing through the real path: SIPp callers through the IVR into the controller's topic
queues, offered to skilled SIPp agents longest-waiting first, overflowing, after-call
work, ring-no-answer and a caller hanging up while an agent rings."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kcc.sipp.runner import PortAllocator
from kcc.stack.asterisk import Asterisk
from site_config import SiteConfig, load_site_config
from tests.integration.acd_harness import (
    ControlApi,
    ControllerRunner,
    EventLog,
    call_id_of,
    of_type,
    on_break,
    own_controller,
    place,
    seated_agent,
)
from tests.integration.ami_watch import AmiWatch
from tests.integration.ivr_timing import IvrTiming
from tests.integration.sites import write_site

pytestmark = pytest.mark.integration


def _offers(events: EventLog, call_id: str) -> list[str]:
    return [e.agent_id for e in events.of_call(call_id) if e.type == "call.offered"]


def test_skills_route_each_topic_to_skilled_agents_longest_waiting_first(
    site: SiteConfig,
    sip_target: str,
    ports: PortAllocator,
    tmp_path: Path,
    events: EventLog,
    api: ControlApi,
    timing: IvrTiming,
) -> None:
    # Only 1005 is logged in, on a break: burgerzaken is on duty, so its callers wait for
    # a burgerzaken agent (they would overflow to anyone after 60 s: not in this test).
    # Three callers queue - burgerzaken, afval, burgerzaken.
    with on_break(api, "1005", "tic3", ["burgerzaken"]):
        calls = []
        for topic_key in ("1", "3", "1"):
            caller, number = place(sip_target, ports, tmp_path, timing.to_topic("1", topic_key))
            caller.__enter__()
            calls.append((caller, call_id_of(events, number)))
            events.wait(of_type("call.queued", call_id=calls[-1][1]))
        (c1, burger_first), (c2, afval), (c3, burger_second) = calls
        try:
            # An agent without burgerzaken takes the afval caller, although the first
            # burgerzaken caller has waited longer.
            with seated_agent(
                api, site, sip_target, ports, agent_id="1003", position_id="tic2",
                answer_after_s=0.5, talk_s=2.0, topics=["afval-openbare-ruimte"],
            ):  # fmt: skip
                events.wait(of_type("call.answered", call_id=afval))
                assert _offers(events, afval) == ["1003"]
                # A burgerzaken agent: the longest-waiting burgerzaken caller first.
                with seated_agent(
                    api, site, sip_target, ports, agent_id="1001", position_id="tic1",
                    answer_after_s=0.5, talk_s=2.0, calls=2, topics=["burgerzaken"],
                ):  # fmt: skip
                    first = events.wait(of_type("call.answered", agent_id="1001"))[0]
                    assert first.call_id == burger_first
                    events.wait(of_type("agent.state", agent_id="1001", state="after_call_work"))
                    api.ok("POST", "/api/agents/1001/after-call-work/end")
                    events.wait(of_type("call.answered", call_id=burger_second), timeout_s=60)
                    assert c1.wait(60).ok and c2.wait(60).ok and c3.wait(60).ok
        finally:
            for caller, _ in calls:
                caller.stop()
        offered = [e for e in events.all() if e.type == "call.offered"]
        assert {(e.call_id, e.agent_id) for e in offered} == {
            (afval, "1003"),
            (burger_first, "1001"),
            (burger_second, "1001"),
        }, "a caller was offered to an agent without the topic"


OVERFLOW_S = 8  # belastingen's overflow time on the quick-overflow site


@pytest.fixture
def quick_overflow_site(
    controller: ControllerRunner,
    asterisk: Asterisk,
    ami_secret: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[SiteConfig]:
    """The test site with belastingen overflowing after 8 s, its controller running."""
    sample = load_site_config(write_site(tmp_path_factory.mktemp("overflow")))
    topics = [
        {**t.model_dump(), **({"overflow_after_s": OVERFLOW_S} if t.id == "belastingen" else {})}
        for t in sample.topics
    ]
    with own_controller(controller, asterisk, ami_secret, tmp_path_factory, topics=topics) as site:
        yield site


def test_no_caller_is_stranded_in_a_topic_nobody_serves_or_past_its_overflow_time(
    quick_overflow_site: SiteConfig,
    sip_target: str,
    ports: PortAllocator,
    tmp_path: Path,
    events: EventLog,
    api: ControlApi,
    timing: IvrTiming,
) -> None:
    # Seen in the demo: callers of a topic no agent on duty had waited minutes while an
    # agent sat free. The menu rosters agents on topics; it must not strand callers.
    site = quick_overflow_site
    with on_break(api, "1004", "tic3", ["belastingen"]), seated_agent(
        api, site, sip_target, ports, agent_id="1001", position_id="tic1",
        answer_after_s=0.5, talk_s=2.0, calls=2, topics=["burgerzaken"],
    ):  # fmt: skip
        # Bouwen en wonen: nobody on duty has it, so the free agent takes the caller.
        unserved, n_unserved = place(sip_target, ports, tmp_path, timing.to_topic("1", "5"))
        with unserved:
            call_id = call_id_of(events, n_unserved)
            queued = events.wait(of_type("call.queued", call_id=call_id, topic="bouwen-wonen"))[0]
            offered = events.wait(of_type("call.offered", call_id=call_id))[0]
            assert offered.agent_id == "1001"
            assert (offered.at - queued.at).total_seconds() < 1.0, (queued, offered)
            events.wait(of_type("call.answered", call_id=call_id))
            assert unserved.wait(60).ok
        events.wait(of_type("agent.state", agent_id="1001", state="after_call_work"))
        api.ok("POST", "/api/agents/1001/after-call-work/end")
        # Belastingen: on duty (1004, on a break), so the caller waits its 8 s first.
        served, n_served = place(sip_target, ports, tmp_path, timing.to_topic("1", "4"))
        with served:
            call_id = call_id_of(events, n_served)
            queued = events.wait(of_type("call.queued", call_id=call_id, topic="belastingen"))[0]
            offered = events.wait(of_type("call.offered", call_id=call_id), timeout_s=30)[0]
            assert offered.agent_id == "1001"
            waited = (offered.at - queued.at).total_seconds()
            assert abs(waited - OVERFLOW_S) <= 0.5, waited
            events.wait(of_type("call.answered", call_id=call_id))
            assert served.wait(60).ok


def test_after_call_work_blocks_calls_until_ended_early(
    site: SiteConfig,
    sip_target: str,
    ports: PortAllocator,
    tmp_path: Path,
    events: EventLog,
    api: ControlApi,
    timing: IvrTiming,
) -> None:
    with seated_agent(
        api, site, sip_target, ports, agent_id="1002", position_id="tic3",
        answer_after_s=0.5, talk_s=2.0, calls=2, topics=["belastingen"],
    ):  # fmt: skip
        first, n1 = place(sip_target, ports, tmp_path, timing.to_topic("1", "4"))
        with first:
            call1 = call_id_of(events, n1)
            events.wait(of_type("call.answered", call_id=call1))
            events.wait(of_type("agent.state", agent_id="1002", state="after_call_work"))
            second, n2 = place(sip_target, ports, tmp_path, timing.to_topic("1", "4"))
            with second:
                call2 = call_id_of(events, n2)
                queued = events.wait(of_type("call.queued", call_id=call2))[0]
                # Well past joining, and the agent in after-call work: no offer yet.
                events.wait(of_type("call.announced", call_id=call2), timeout_s=40)
                assert _offers(events, call2) == []
                api.ok("POST", "/api/agents/1002/after-call-work/end")
                available = of_type("agent.state", agent_id="1002", state="available")
                ended = events.wait(lambda e: available(e) and e.at > queued.at)[0]
                offer = events.wait(of_type("call.offered", call_id=call2))[0]
                assert offer.agent_id == "1002" and offer.at >= ended.at
                events.wait(of_type("call.answered", call_id=call2))
                assert first.wait(30).ok and second.wait(60).ok


def test_ring_no_answer_moves_the_call_on_and_pauses_the_agent(
    site: SiteConfig,
    sip_target: str,
    ports: PortAllocator,
    tmp_path: Path,
    events: EventLog,
    api: ControlApi,
    timing: IvrTiming,
) -> None:
    # 1004 logs in first, so is the longest idle: rung first, never answers.
    with seated_agent(
        api, site, sip_target, ports, agent_id="1004", position_id="tic1",
        answer_after_s=None, topics=["bouwen-wonen"],
    ), seated_agent(
        api, site, sip_target, ports, agent_id="1005", position_id="tic2",
        answer_after_s=0.5, talk_s=2.0, topics=["bouwen-wonen"],
    ):  # fmt: skip
        caller, number = place(sip_target, ports, tmp_path, timing.to_topic("2", "5"))
        with caller:
            call_id = call_id_of(events, number)
            events.wait(of_type("call.not_answered", call_id=call_id, agent_id="1004"))
            paused = events.wait(of_type("agent.state", agent_id="1004", state="paused"))[0]
            assert paused.fields["reason"] == "not_answering"
            answered = events.wait(of_type("call.answered", call_id=call_id))[0]
            assert answered.agent_id == "1005"
            assert _offers(events, call_id) == ["1004", "1005"]
            assert caller.wait(60).ok
        state = {a["agent_id"]: a for a in api.state()["agents"]}
        assert state["1004"]["state"] == "paused"
        assert state["1004"]["pause_reason"] == "not_answering"


def test_a_caller_hanging_up_while_the_agent_rings_stops_the_ringing_at_once(
    site: SiteConfig,
    sip_target: str,
    ports: PortAllocator,
    tmp_path: Path,
    events: EventLog,
    api: ControlApi,
    timing: IvrTiming,
    ami: AmiWatch,
) -> None:
    position = next(p for p in site.positions if p.id == "tic1")
    with seated_agent(
        api, site, sip_target, ports, agent_id="1003", position_id="tic1",
        answer_after_s=None, topics=["afval-openbare-ruimte"],
    ):  # fmt: skip
        since = ami.mark()
        steps = timing.to_topic("2", "3")
        caller, number = place(sip_target, ports, tmp_path, steps, hangup_after_s=4.0)
        with caller:
            call_id = call_id_of(events, number)
            events.wait(of_type("call.offered", call_id=call_id, agent_id="1003"))
            assert caller.wait(30).ok
            ended = events.wait(of_type("call.ended", call_id=call_id))[0]
            gone = ami.wait_for(
                "Hangup", since=since,
                where=lambda f: f.get("Channel", "").startswith(f"PJSIP/{position.extension}-"),
            )  # fmt: skip
            asked = ami.wait_for(
                "HangupRequest", since=since,
                where=lambda f: f.get("Channel", "").startswith("PJSIP/trunk-"),
            )  # fmt: skip
    assert ended.fields["phase"] == "ringing"
    # The agent's phone stops ringing when the caller goes, not seconds later.
    stopped_after = float(gone["_received"]) - float(asked["_received"])
    assert stopped_after < 1.0, stopped_after
