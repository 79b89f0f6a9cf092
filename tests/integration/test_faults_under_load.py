"""Faults while calls flow: the controller killed, AMI cut, Redis restarted, the stats
service killed, PostgreSQL restarted.

Each test runs the test site's floor (four positions in one SIPp phone bank, their
agents logged in, no after-call work) under a steady load of callers through the real
IVR into Burgerzaken, makes its fault once calls are being answered, keeps the load
going through it, and then holds the books to it (tests/integration/load_books.py):
SIPp's every call succeeded, each caller number has exactly one complete record in the
stats service's store, and the wallboard shows what the store's records give.

The load is modest for four agents: a call every 2 s, 3 s of talk (two agents busy on
average), a minute and a half at most per test.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kcc.sipp.runner import PortAllocator
from kcc.stack.asterisk import Asterisk
from kcc.stack.postgres import PostgresServer
from kcc.stack.redis import RedisServer
from tests.integration.acd_harness import ControllerRunner, CuttableProxy, EventLog, of_type
from tests.integration.ami_watch import AmiWatch
from tests.integration.ivr_timing import IvrTiming
from tests.integration.load_books import (
    Ledger,
    assert_board_equals_store,
    assert_every_call_succeeded,
    assert_one_complete_record_each,
    check_books,
    read_ledger,
    settled_books,
    wait_ended,
)
from tests.integration.load_harness import (
    Rig,
    SteadyCallers,
    ivr_seconds,
    load_rig,
    redis_away,
    staffed_floor,
)
from tests.integration.test_store_postgres import free_tcp_port

pytestmark = pytest.mark.integration

TOPIC = "burgerzaken"
RATE_PER_S = 0.5
CALLS = 24  # 48 s of arrivals
TALK_S = 3.0
FLOWING = 3  # calls answered before the fault: the load is flowing
DURING = 2  # calls placed while the fault lasts


@pytest.fixture
def rig_parts(
    controller: ControllerRunner, asterisk: Asterisk, ami_secret: str
) -> tuple[ControllerRunner, Asterisk, str]:
    return controller, asterisk, ami_secret


def _callers(
    tag: int,
    sip_target: str,
    ports: PortAllocator,
    timing: IvrTiming,
    tmp_path: Path,
    *,
    calls: int = CALLS,
    rate_per_s: float = RATE_PER_S,
) -> SteadyCallers:
    """The test's callers: numbers 0688<tag>0 and the call number, one prefix per test."""
    return SteadyCallers(
        sip_target=sip_target,
        ports=ports,
        prefix=f"0688{tag}0",
        steps=timing.to_topic("1", "1"),  # Haarlem, Burgerzaken
        calls=calls,
        rate_per_s=rate_per_s,
        workdir=tmp_path / "callers",
    )


def _wait_flowing(events: EventLog) -> None:
    events.wait(of_type("call.answered"), count=FLOWING, timeout_s=90)


def test_redis_restarted_under_load_loses_no_call_and_no_record(
    rig_parts: tuple[ControllerRunner, Asterisk, str],
    redis_server: RedisServer,
    sip_target: str,
    ports: PortAllocator,
    timing: IvrTiming,
    tmp_path: Path,
) -> None:
    with load_rig(*rig_parts, tmp_path / "rig") as rig:
        with (
            staffed_floor(rig, sip_target, ports, tmp_path / "bank", topics=[TOPIC], talk_s=TALK_S),
            _callers(1, sip_target, ports, timing, tmp_path) as callers,
        ):
            _wait_flowing(rig.events)
            with redis_away(redis_server):
                # The controller's events wait in its spool meanwhile (docs/reliability.md).
                callers.wait_placed(DURING)
            result = callers.finish()
        check_books(rig, callers.numbers, result)


def test_the_stats_service_killed_under_load_loses_no_call_and_no_record(
    rig_parts: tuple[ControllerRunner, Asterisk, str],
    sip_target: str,
    ports: PortAllocator,
    timing: IvrTiming,
    tmp_path: Path,
) -> None:
    with load_rig(*rig_parts, tmp_path / "rig") as rig:
        with (
            staffed_floor(rig, sip_target, ports, tmp_path / "bank", topics=[TOPIC], talk_s=TALK_S),
            _callers(2, sip_target, ports, timing, tmp_path) as callers,
        ):
            _wait_flowing(rig.events)
            rig.stats.kill()  # SIGKILL: what it had folded but not stored is gone with it
            callers.wait_placed(DURING)
            rig.stats.start()  # resumes from the position stored with its records
            result = callers.finish()
        check_books(rig, callers.numbers, result)


def test_postgresql_restarted_under_load_loses_no_call_and_no_record(
    rig_parts: tuple[ControllerRunner, Asterisk, str],
    sip_target: str,
    ports: PortAllocator,
    timing: IvrTiming,
    tmp_path: Path,
) -> None:
    with PostgresServer(port=free_tcp_port()) as postgres:
        database = postgres.create_database("faults_under_load")
        with load_rig(*rig_parts, tmp_path / "rig", database=database) as rig:
            with (
                staffed_floor(
                    rig, sip_target, ports, tmp_path / "bank", topics=[TOPIC], talk_s=TALK_S
                ),
                _callers(4, sip_target, ports, timing, tmp_path) as callers,
            ):
                _wait_flowing(rig.events)
                postgres.restart()  # the stats service's connection is cut
                callers.wait_placed(DURING)
                result = callers.finish()
            check_books(rig, callers.numbers, result)
            # The restart did reach the store: a write failed on the cut connection and
            # was retried (realtime_stats.ingest.consumer), not skipped.
            assert rig.stats.proc is not None
            assert "store failed" in rig.stats.proc.log_path.read_text(errors="replace")


def _killed_controller_ledger(rig: Rig, numbers: tuple[str, ...]) -> Ledger:
    """The stream's ledger once the calls the restarted controller had have ended."""
    events = rig.events.all()
    starts = [e.id for e in events if e.type == "controller.started"]
    assert len(starts) == 2, f"controller.started {len(starts)} times, not twice"
    restart = starts[-1]
    ledger = read_ledger(rig.events, numbers)
    later = {
        e.call_id
        for e in events
        if e.type == "call.started" and e.call_id in ledger.ids and _after(e.id, restart)
    }
    wait_ended(rig.events, later)
    return read_ledger(rig.events, numbers)


def _after(entry: str, mark: str) -> bool:
    def key(text: str) -> tuple[int, int]:
        ms, _, seq = text.partition("-")
        return int(ms), int(seq or 0)

    return key(entry) > key(mark)


def _answered_by_fallback(ami: AmiWatch, mark: int, header: str, value: str) -> None:
    """The call (its ``header`` is ``value``) joined an app_queue queue after the kill,
    and an agent took it there."""

    def which(frame: dict[str, str]) -> bool:
        return frame.get(header) == value

    ami.wait_for("QueueCallerJoin", 30, since=mark, where=which)
    ami.wait_for("AgentConnect", 30, since=mark, where=which)


def test_the_controller_killed_under_load_loses_no_call(
    rig_parts: tuple[ControllerRunner, Asterisk, str],
    ami: AmiWatch,
    sip_target: str,
    ports: PortAllocator,
    timing: IvrTiming,
    tmp_path: Path,
) -> None:
    """While no controller runs, the dialplan's app_queue fallback answers: the calls in
    its queues go on in the topic's queue, new ones (no topic chosen) in the general
    queue, where every logged-in agent is a member. The calls the controller saw have
    one complete record each, the killed one's open calls an unknown end."""
    # A caller of the outage is answered at once, while still pressing the menu's keys:
    # the agent talks on past them, or SIPp counts the call failed on the agent's BYE.
    talk_s = max(TALK_S, ivr_seconds(timing.to_topic("1", "1")) + 2)
    with load_rig(*rig_parts, tmp_path / "rig") as rig:
        with (
            staffed_floor(rig, sip_target, ports, tmp_path / "bank", topics=[TOPIC], talk_s=talk_s),
            _callers(5, sip_target, ports, timing, tmp_path) as callers,
        ):
            _wait_flowing(rig.events)
            mark = ami.mark()
            rig.controller.kill()
            callers.wait_placed(DURING)  # they find no FastAGI: the dialplan's fallback
            rig.controller.start()  # takes the agents back from the fallback queues
            # A caller of the outage, who chose no topic, taken in the general queue by
            # an agent who does not serve it (Burgerzaken's agents only, as a backup).
            _answered_by_fallback(ami, mark, "Queue", "kcc-algemeen")
            result = callers.finish()
        assert_every_call_succeeded(result, len(callers.numbers))
        ledger = _killed_controller_ledger(rig, callers.numbers)
        unseen = set(callers.numbers) - set(ledger.call_of)
        assert unseen, "every call reached a controller: the kill came at no time at all"
        for number in sorted(unseen):  # SIPp's success alone shows no answer: app_queue's
            _answered_by_fallback(ami, mark, "CallerIDNum", number)
        board, day = settled_books(rig)
        assert_one_complete_record_each(day, ledger)
        assert_board_equals_store(board, day)


def test_ami_cut_under_load_loses_no_call_and_no_record(
    rig_parts: tuple[ControllerRunner, Asterisk, str],
    sip_target: str,
    ports: PortAllocator,
    timing: IvrTiming,
    tmp_path: Path,
) -> None:
    """The controller's AMI is cut while calls flow and comes back: a call that came
    meanwhile waits for the reconnect at the FastAGI guard (acd/agi_guard.py) instead of
    being refused, so every call reaches the controller and has its record."""
    proxy_port, _ = ports.take()
    svc = rig_parts[0].site.services
    with (
        CuttableProxy(proxy_port, (svc.bind_host, svc.ami_port)) as proxy,
        load_rig(*rig_parts, tmp_path / "rig", controller_args=("--ami-port", str(proxy_port)))
        as rig,
    ):  # fmt: skip
        with (
            staffed_floor(rig, sip_target, ports, tmp_path / "bank", topics=[TOPIC], talk_s=TALK_S),
            _callers(6, sip_target, ports, timing, tmp_path) as callers,
        ):
            _wait_flowing(rig.events)
            before = proxy.connections
            proxy.cut()
            callers.wait_placed(1)  # a short outage: the client's back-off is still short
            proxy.resume()
            result = callers.finish()
        assert proxy.connections > before, "the controller did not reconnect"
        check_books(rig, callers.numbers, result)
        assert "refused for channel" not in rig.controller.log_text()
