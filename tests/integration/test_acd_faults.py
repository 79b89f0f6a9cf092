"""Faults through the real path: the controller killed with callers waiting (the
dialplan's app_queue fallback answers them), and AMI cut during a call (reconnect,
resync, the record completed)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path

import pytest

from kcc.sipp.runner import PortAllocator
from site_config import SiteConfig
from tests.integration.acd_harness import (
    ControlApi,
    ControllerRunner,
    CuttableProxy,
    EventLog,
    call_id_of,
    of_type,
    place,
    seated_agent,
)
from tests.integration.ami_watch import AmiWatch
from tests.integration.ivr_timing import IvrTiming

pytestmark = pytest.mark.integration


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
