"""The ACD controller through the real path: SIPp callers and agents, Asterisk, Redis.

Each test places real calls to 14023 that run the real IVR over FastAGI, wait in the
controller's queue and are answered by SIPp agent phones rung over AMI. What happened
is read back from the controller's Redis Stream and from the audio the caller got.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from kcc.sipp.rtp_listen import RtpListener, Segment, Sound
from kcc.sipp.runner import PortAllocator, dial_from_phone
from kcc.sipp.scenarios import Digit, Pause
from kcc.stack.asterisk import Asterisk
from site_config import SiteConfig, load_site_config
from tests.integration.acd_harness import (
    ControlApi,
    ControllerRunner,
    CuttableProxy,
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


def test_waiting_message_after_four_rings_and_every_four_rings_after(
    site: SiteConfig,
    sip_target: str,
    ports: PortAllocator,
    tmp_path: Path,
    events: EventLog,
    api: ControlApi,
    timing: IvrTiming,
) -> None:
    messages, segments = _hear_waiting_messages(
        site, sip_target, ports, tmp_path, events, api, timing, count=2
    )
    (first, first_end), (second, _) = messages
    assert abs(first - 20.0) <= 0.5, (first, segments)
    # Four full rings between the end of one message and the start of the next.
    assert abs(second - first_end - 20.0) <= 0.5, (second - first_end, segments)


@pytest.fixture
def three_ring_site(
    controller: ControllerRunner,
    asterisk: Asterisk,
    ami_secret: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[SiteConfig]:
    """The test site with a waiting message every 3 rings, its controller running."""
    sample = load_site_config(write_site(tmp_path_factory.mktemp("site3")))
    norms = {**sample.norms.model_dump(), "waiting_message_every_rings": 3}
    with own_controller(controller, asterisk, ami_secret, tmp_path_factory, norms=norms) as site:
        yield site


def test_waiting_message_interval_is_the_sites(
    three_ring_site: SiteConfig,
    sip_target: str,
    ports: PortAllocator,
    tmp_path: Path,
    events: EventLog,
    api: ControlApi,
    timing: IvrTiming,
) -> None:
    # The first message is what the site's interval decides; the repeat is the same
    # timer, checked at 4 rings above and on the fake clock in the unit tier.
    [(first, _)], segments = _hear_waiting_messages(
        three_ring_site, sip_target, ports, tmp_path, events, api, timing, count=1
    )
    assert abs(first - 15.0) <= 0.5, (first, segments)


def _hear_waiting_messages(
    site: SiteConfig,
    sip_target: str,
    ports: PortAllocator,
    tmp_path: Path,
    events: EventLog,
    api: ControlApi,
    timing: IvrTiming,
    *,
    count: int,
) -> tuple[list[tuple[float, float]], list[Segment]]:
    """A caller waits through ``count`` waiting messages, then is answered.

    Returns each message's (start, end) in seconds after the start of ringback, measured
    in the audio the caller received, with the segments for the failure message.
    """
    listen_port, _ = ports.take()
    with RtpListener(listen_port) as ear:
        caller, number = place(
            sip_target, ports, tmp_path, timing.to_topic("1", "1"), receive_port=listen_port
        )
        with caller:
            call_id = call_id_of(events, number)
            events.wait(of_type("call.queued", call_id=call_id, topic="burgerzaken"))
            events.wait(of_type("call.announced", call_id=call_id), count=count, timeout_s=90)
            segments = ear.wait_for(lambda s: len(_messages_after_ringback(s)) >= count, 10)
            with seated_agent(
                api, site, sip_target, ports, agent_id="1001", position_id="tic1",
                answer_after_s=1.0, talk_s=3.0,
            ):  # fmt: skip
                events.wait(of_type("call.answered", call_id=call_id), timeout_s=40)
                assert caller.wait(60).ok
    ring_start, messages = _ringback_start(segments), _messages_after_ringback(segments)
    announced = [e for e in events.of_call(call_id) if e.type == "call.announced"]
    answered = next(e for e in events.of_call(call_id) if e.type == "call.answered")
    assert all(e.at <= answered.at for e in announced), "a message played after the answer"
    assert announced[0].fields["position"] == "1"
    assert "U bent de eerste" in announced[0].fields["wait_text"]
    heard = [(start - ring_start, end - ring_start) for start, end in messages[:count]]
    return heard, segments


def _ringback_start(segments: list[Segment]) -> float:
    return next(s.start for s in segments if s.sound is Sound.RINGBACK)


def _messages_after_ringback(segments: list[Segment]) -> list[tuple[float, float]]:
    """(start, end) of each spoken message between stretches of ringback."""
    out: list[tuple[float, float]] = []
    seen_ring = False
    start: float | None = None
    for seg in segments:
        if seg.sound is Sound.RINGBACK:
            if start is not None:
                out.append((start, seg.start))
                start = None
            seen_ring = True
        elif seg.sound is Sound.OTHER and seen_ring and start is None:
            start = seg.start
    return out


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


def test_callers_are_still_answered_when_the_controller_is_killed(
    site: SiteConfig,
    sip_target: str,
    ports: PortAllocator,
    tmp_path: Path,
    events: EventLog,
    api: ControlApi,
    timing: IvrTiming,
    controller: ControllerRunner,
    ami: AmiWatch,
) -> None:
    seats = [("1001", "tic1"), ("1002", "tic2"), ("1005", "tic3")]
    with contextlib.ExitStack() as stack:
        for agent_id, position_id in seats:
            stack.enter_context(
                seated_agent(
                    api, site, sip_target, ports, agent_id=agent_id, position_id=position_id,
                    answer_after_s=0.5, talk_s=10.0, calls=2, topics=["burgerzaken"],
                )
            )  # fmt: skip
        callers = []
        for _ in range(6):
            caller, number = place(sip_target, ports, tmp_path, timing.to_topic("1", "1"))
            stack.enter_context(caller)
            callers.append((caller, number))
        call_ids = [call_id_of(events, number) for _, number in callers]
        events.wait(lambda e: e.type == "call.answered" and e.call_id in call_ids, count=3)
        events.wait(lambda e: e.type == "call.queued" and e.call_id in call_ids, count=6)
        answered = {e.call_id for e in events.all() if e.type == "call.answered"}
        waiting = [c for c in call_ids if c not in answered]
        assert len(waiting) == 3
        mark = ami.mark()
        controller.kill()
        # Asterisk sees FastAGI close: the 3 waiting callers go to app_queue and are
        # answered there by the same agents, once their controller calls end.
        for call_id in waiting:
            ami.wait_for("QueueCallerJoin", 30, since=mark, where=_linked(call_id))
        for call_id in waiting:
            ami.wait_for("AgentConnect", 90, since=mark, where=_linked(call_id))
        assert all(c.wait(90).ok for c, _ in callers)
        # A restarted controller takes the logged-in agents back from the queues.
        events.mark()
        controller.start()
        restored = {a["agent_id"]: a for a in api.state()["agents"] if a["state"] != "logged_out"}
        assert {agent for agent, _ in seats} <= set(restored)
        # ... and says first that it knows no call from before it: the stats service
        # ends the calls the killed one had as an unknown end (docs/metrics.md).
        assert events.all()[0].type == "controller.started"


def _linked(call_id: str) -> Callable[[dict[str, str]], bool]:
    return lambda frame: frame.get("Linkedid") == call_id


def test_ami_cut_during_a_call_reconnects_resyncs_and_completes_the_record(
    site: SiteConfig,
    sip_target: str,
    ports: PortAllocator,
    tmp_path: Path,
    events: EventLog,
    api: ControlApi,
    timing: IvrTiming,
    controller: ControllerRunner,
) -> None:
    proxy_port, _ = ports.take()
    svc = site.services
    with CuttableProxy(proxy_port, (svc.bind_host, svc.ami_port)) as proxy:
        controller.restart(extra=("--ami-port", str(proxy_port)))
        try:
            with seated_agent(
                api, site, sip_target, ports, agent_id="1003", position_id="tic1",
                answer_after_s=0.5, talk_s=6.0, topics=["afval-openbare-ruimte"],
            ):  # fmt: skip
                caller, number = place(sip_target, ports, tmp_path, timing.to_topic("2", "3"))
                with caller:
                    call_id = call_id_of(events, number)
                    events.wait(of_type("call.answered", call_id=call_id))
                    before = proxy.connections
                    proxy.cut()  # the agent hangs up while the controller cannot hear it
                    assert caller.wait(60).ok
                    proxy.resume()
                    ended = events.wait(of_type("call.ended", call_id=call_id), timeout_s=60)
                    assert proxy.connections > before, "the controller did not reconnect"
                    assert ended[0].fields["phase"] == "talking"
                    events.wait(of_type("agent.state", agent_id="1003", state="after_call_work"))
            kinds = [e.type for e in events.of_call(call_id)]
            for expected in ("call.started", "call.queued", "call.offered", "call.answered"):
                assert expected in kinds, kinds
        finally:
            controller.restart()


def test_feature_codes_log_in_pause_and_log_out_from_the_softphone(
    site: SiteConfig,
    sip_target: str,
    ports: PortAllocator,
    tmp_path: Path,
    events: EventLog,
    api: ControlApi,
) -> None:
    def dial(code: str, pin: str = "") -> None:
        # The PIN's keys once the prompt asking for it plays, then "#".
        keys = [step for key in pin + "#" for step in (Pause(0.5), Digit(key))] if pin else []
        result = dial_from_phone(
            target=sip_target, ports=ports, extension="203", password="demo203",
            dial=code, steps=keys, workdir=tmp_path,
        )  # fmt: skip
        assert result.ok, result.log

    def state() -> dict[str, object]:
        return next(a for a in api.state()["agents"] if a["agent_id"] == "1004")

    dial("*511004", pin="9004")  # the sample site asks every agent's PIN
    login = events.wait(of_type("agent.state", agent_id="1004", state="available"))[0]
    assert login.fields["position_id"] == "tic3"
    dial("*532")
    events.wait(of_type("agent.state", agent_id="1004", state="paused"))
    assert state()["pause_reason"] == "training"
    dial("*54")
    events.wait(
        lambda e: of_type("agent.state", agent_id="1004", state="available")(e) and e.at > login.at
    )
    dial("*52")
    events.wait(of_type("agent.state", agent_id="1004", state="logged_out"))
    # A code nobody knows, or one at a position where nobody is logged in, is refused
    # by voice and changes nothing.
    dial("*59")
    dial("*53")
    assert state()["state"] == "logged_out"
    lead = ControlApi(site, login=("teamlead", "demo-teamlead"))
    try:
        entries = lead.request("GET", "/api/audit").json()["entries"]
    finally:
        lead.close()
    by_phone = [(e["user"], e["action"], e["outcome"]) for e in entries if e["via"] == "phone"]
    assert by_phone[-4:] == [
        ("agent 1004", "login", "done"),
        ("agent 1004", "pause", "done"),
        ("agent 1004", "available", "done"),
        ("agent 1004", "logout", "done"),
    ]


AGENT_ACTIONS = [
    ("POST", "login", {"position": "tic1"}),
    ("POST", "logout", None),
    ("POST", "pause", {"reason": "break"}),
    ("POST", "available", None),
    ("POST", "after-call-work/end", None),
    ("POST", "after-call-work/extend", {"seconds": 30}),
    ("POST", "transfer", {"extension": "301"}),
]


def test_agent_1001s_login_is_refused_every_action_on_agent_1002_and_all_is_audited(
    site: SiteConfig, api: ControlApi
) -> None:
    anouk = ControlApi(site, login=("anouk", "demo-anouk"))  # agent 1001's own login
    lead = ControlApi(site, login=("teamlead", "demo-teamlead"))
    try:
        api.ok("POST", "/api/agents/1002/login", {"position": "tic2"})
        for method, action, body in AGENT_ACTIONS:
            reply = anouk.request(method, f"/api/agents/1002/{action}", body)
            assert reply.status_code == 403, (action, reply.text)
            assert reply.json()["detail"] == (
                "'anouk' is agent 1001 and may act only on agent 1001, not on agent 1002"
            )
        bram = next(a for a in api.state()["agents"] if a["agent_id"] == "1002")
        assert (bram["state"], bram["position_id"]) == ("available", "tic2")
        anouk.ok("POST", "/api/agents/1001/login", {"position": "tic1"})
        anouk.ok("POST", "/api/agents/1001/logout")
        assert anouk.request("GET", "/api/audit").status_code == 403
        audit = lead.request("GET", "/api/audit")
        assert audit.status_code == 200, audit.text
        mine = [
            (e["user"], e["via"], e["action"], e["outcome"], e["agent_id"])
            for e in audit.json()["entries"][-(len(AGENT_ACTIONS) + 3) :]
        ]
        assert mine == [
            ("floor", "web", "login", "done", "1002"),
            *(("anouk", "web", a, "forbidden", "1002") for _, a, _ in AGENT_ACTIONS),
            ("anouk", "web", "login", "done", "1001"),
            ("anouk", "web", "logout", "done", "1001"),
        ]
    finally:
        api.log_out("1002")
        anouk.close()
        lead.close()


def test_the_peak_position_opens_and_closes_live(
    site: SiteConfig, events: EventLog, api: ControlApi
) -> None:
    refused = api.post("/api/agents/1005/login", {"position": "tic4"})
    assert refused.status_code == 409 and "tic4" in refused.json()["detail"]
    api.ok("POST", "/api/positions/tic4/open")
    try:
        api.ok("POST", "/api/agents/1005/login", {"position": "tic4"})
        events.wait(of_type("agent.state", agent_id="1005", state="available"))
    finally:
        api.log_out("1005")
        api.ok("POST", "/api/positions/tic4/close")
    refused = api.post("/api/agents/1005/login", {"position": "tic4"})
    assert refused.status_code == 409
