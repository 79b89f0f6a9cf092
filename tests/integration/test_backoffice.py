"""Back-office colleagues through the real path: direct calls, fallback to the TIC, consults.

Real SIPp callers dial a back-office extension's own number through Asterisk; the
controller rings the colleague's SIPp phone and, unanswered, queues the caller for
the TIC. A TIC agent's warm transfer goes through the control API and Asterisk's
attended transfer. What happened is read back from the controller's Redis Stream.
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from kcc.sipp import AgentPhone
from kcc.sipp.runner import PortAllocator, dial_from_phone
from kcc.sipp.scenarios import Digit, Pause
from kcc.stack.asterisk import Asterisk
from site_config import SiteConfig, load_site_config
from tests.integration.acd_harness import (
    ControlApi,
    ControllerRunner,
    EventLog,
    call_id_of,
    colleague_phone,
    of_type,
    own_controller,
    place,
    seated_agent,
)
from tests.integration.ivr_timing import IvrTiming
from tests.integration.sites import write_site

pytestmark = pytest.mark.integration


def test_direct_call_answered_by_the_colleague_within_three_rings(
    sip_target: str, ports: PortAllocator, tmp_path: Path, events: EventLog
) -> None:
    with colleague_phone(sip_target, ports, "301", answer_after_s=4.0):
        caller, number = place(sip_target, ports, tmp_path, [], dial="301", hangup_after_s=10.0)
        with caller:
            ringing = events.wait(of_type("backoffice.ringing", caller=number))[0]
            call_id = ringing.call_id
            answered = events.wait(of_type("backoffice.answered", call_id=call_id))[0]
            ended = events.wait(of_type("backoffice.ended", call_id=call_id), timeout_s=30)[0]
            assert caller.wait(30).ok
    assert ringing.fields == {
        "kind": "direct",
        "department": "burgerzaken",
        "extension": "301",
        "ring": "1",
        "caller": number,
    }
    ring_s = (answered.at - ringing.at).total_seconds()
    assert 3.5 <= ring_s <= 6.0, ring_s  # the phone answers 4 s after its INVITE
    assert ended.fields["by"] == "caller"
    # The caller hangs up 10 s after 14023 answered: the talk lasted until then.
    assert (ended.at - ringing.at).total_seconds() >= 9.0, (ringing.at, ended.at)
    types = [e.type for e in events.of_call(call_id)]
    assert "call.queued" not in types and "call.started" not in types, types


def test_unanswered_direct_call_falls_back_to_the_tic_queue_without_priority(
    site: SiteConfig,
    sip_target: str,
    ports: PortAllocator,
    tmp_path: Path,
    events: EventLog,
    api: ControlApi,
) -> None:
    fallback_s = next(d.fallback_after_s for d in site.departments if d.id == "belastingen")
    with (
        colleague_phone(sip_target, ports, "311", answer_after_s=None),
        seated_agent(
            api, site, sip_target, ports, agent_id="1005", position_id="tic1",
            answer_after_s=1.0, talk_s=3.0,
        ),
    ):  # fmt: skip
        caller, number = place(sip_target, ports, tmp_path, [], dial="311", hangup_after_s=None)
        with caller:
            ringing = events.wait(of_type("backoffice.ringing", caller=number))[0]
            call_id = ringing.call_id
            missed = events.wait(
                of_type("backoffice.not_answered", call_id=call_id), timeout_s=fallback_s + 10
            )[0]
            queued = events.wait(of_type("call.queued", call_id=call_id))[0]
            answered = events.wait(of_type("call.answered", call_id=call_id), timeout_s=30)[0]
            assert caller.wait(30).ok
    assert missed.fields["reason"] == "no_answer"
    assert abs((missed.at - ringing.at).total_seconds() - fallback_s) <= 1.0
    # The general queue, no municipality, marked as fallback traffic from the department.
    assert queued.fields == {
        "topic": site.ivr.general_topic,
        "municipality": "",
        "fell_back_from": "belastingen",
    }
    assert queued.at >= missed.at
    assert answered.agent_id == "1005"


def test_caller_hanging_up_while_the_colleague_rings_stops_the_ring(
    sip_target: str, ports: PortAllocator, tmp_path: Path, events: EventLog
) -> None:
    with colleague_phone(sip_target, ports, "302", answer_after_s=None):
        caller, number = place(sip_target, ports, tmp_path, [], dial="302", hangup_after_s=3.0)
        with caller:
            ringing = events.wait(of_type("backoffice.ringing", caller=number))[0]
            missed = events.wait(of_type("backoffice.not_answered", call_id=ringing.call_id))[0]
            assert caller.wait(30).ok
    assert missed.fields["reason"] == "caller_left"
    assert (missed.at - ringing.at).total_seconds() < 8.0
    types = [e.type for e in events.of_call(ringing.call_id)]
    assert "call.queued" not in types, types


def test_warm_transfer_from_the_api_consults_then_completes_on_hang_up(
    site: SiteConfig,
    sip_target: str,
    ports: PortAllocator,
    tmp_path: Path,
    events: EventLog,
    api: ControlApi,
    timing: IvrTiming,
) -> None:
    with (
        colleague_phone(sip_target, ports, "321", answer_after_s=3.0),
        seated_agent(
            api, site, sip_target, ports, agent_id="1001", position_id="tic1",
            answer_after_s=1.0, talk_s=14.0,
        ),
    ):  # fmt: skip
        caller, number = place(
            sip_target, ports, tmp_path, timing.to_topic("1", "1"), hangup_after_s=30.0
        )
        with caller:
            call_id = call_id_of(events, number)
            events.wait(of_type("call.answered", call_id=call_id), timeout_s=60)
            refused = api.post("/api/agents/1001/transfer", {"extension": "999"})
            assert refused.status_code == 409 and "999" in refused.text
            api.ok("POST", "/api/agents/1001/transfer", {"extension": "321"})
            ringing = events.wait(of_type("backoffice.ringing", call_id=call_id))[0]
            answered = events.wait(of_type("backoffice.answered", call_id=call_id))[0]
            transferred = events.wait(of_type("call.transferred", call_id=call_id), timeout_s=30)[0]
            assert caller.wait(60).ok
    assert ringing.agent_id == "1001"
    assert ringing.fields["kind"] == "consult"
    assert ringing.fields["department"] == "vergunningen"
    assert ringing.fields["extension"] == "321"
    ring_s = (answered.at - ringing.at).total_seconds()
    assert 2.5 <= ring_s <= 5.0, ring_s
    assert transferred.fields["department"] == "vergunningen"
    assert transferred.at > answered.at


def test_a_colleague_picks_up_a_direct_call_ringing_at_an_empty_desk(
    sip_target: str, ports: PortAllocator, tmp_path: Path, events: EventLog
) -> None:
    # 301 rings at an empty desk; 302, same department, takes it over with *8.
    # Domain: pickup instead of hunt groups, so reachability per person stays visible.
    with colleague_phone(sip_target, ports, "301", answer_after_s=None):
        caller, number = place(sip_target, ports, tmp_path, [], dial="301", hangup_after_s=12.0)
        with caller:
            ringing = events.wait(of_type("backoffice.ringing", caller=number))[0]
            # A TIC position is in no department's pickup group: refused.
            refused = dial_from_phone(
                target=sip_target, ports=ports, extension="201", password="demo201",
                dial="*8", workdir=tmp_path,
            )  # fmt: skip
            assert not refused.ok
            picked = dial_from_phone(
                target=sip_target, ports=ports, extension="302", password="demo302",
                dial="*8", workdir=tmp_path,
            )  # fmt: skip
            assert picked.ok, picked.log
            assert caller.wait(30).ok
        call_id = ringing.call_id
        answered = events.wait(of_type("backoffice.answered", call_id=call_id))[0]
        ended = events.wait(of_type("backoffice.ended", call_id=call_id))[0]
    # Answered within the fallback time, by the pickup: no fallback to the TIC.
    assert (answered.at - ringing.at).total_seconds() < 15.0
    assert ended.fields["by"] == "caller"
    types = [e.type for e in events.of_call(call_id)]
    assert "backoffice.not_answered" not in types and "call.queued" not in types, types


class LineWatch:
    """The phonebook's live stream, read in a thread: each line state 311 shows, in order."""

    def __init__(self, site: SiteConfig, extension: str) -> None:
        svc = site.services
        self.extension = extension
        self.seen: list[str] = []
        self._changed = threading.Condition()
        self._client = httpx.Client(
            base_url=f"http://{svc.control_bind_host}:{svc.control_port}",
            auth=("anouk", "demo-anouk"),  # an agent, who transfers to colleagues
            timeout=httpx.Timeout(10, read=None),
        )
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._response: httpx.Response | None = None

    def __enter__(self) -> LineWatch:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._response is not None:
            self._response.close()
        self._client.close()
        self._thread.join(5)

    def _read(self) -> None:
        with (
            contextlib.suppress(httpx.HTTPError),
            self._client.stream("GET", "/api/phonebook/stream") as response,
        ):
            self._response = response
            for raw in response.iter_lines():
                if not raw.startswith("data: "):
                    continue
                entries = json.loads(raw.removeprefix("data: "))["entries"]
                line = next(e["line"] for e in entries if e["extension"] == self.extension)
                with self._changed:
                    if not self.seen or self.seen[-1] != line:
                        self.seen.append(line)
                        self._changed.notify_all()

    def becomes(self, wanted: str, timeout_s: float = 15) -> None:
        with self._changed:
            if not self._changed.wait_for(lambda: self.seen[-1:] == [wanted], timeout_s):
                raise AssertionError(f"{self.extension} never became {wanted}: {self.seen}")


def test_the_phonebook_shows_a_colleagues_phone_free_ringing_and_in_a_call(
    site: SiteConfig, sip_target: str, ports: PortAllocator, tmp_path: Path, events: EventLog
) -> None:
    # Presence comes from the hint of 311 (ExtensionStatus), pushed on the live stream.
    with LineWatch(site, "311") as watch:
        with colleague_phone(sip_target, ports, "311", answer_after_s=3.0):
            watch.becomes("free")
            caller, _ = place(sip_target, ports, tmp_path, [], dial="311", hangup_after_s=8.0)
            with caller:
                watch.becomes("ringing")
                events.wait(of_type("backoffice.answered", extension="311"))
                watch.becomes("in_call")
                assert caller.wait(30).ok
            watch.becomes("free")
        watch.becomes("not_registered")  # the phone went away, and the phonebook says so
    assert watch.seen[-5:] == ["free", "ringing", "in_call", "free", "not_registered"]


# ------------------------------------------------------------ camp-on ("erachter zetten")

PRESS_1 = [Pause(2.0), Digit("1")]  # during the offer: "toets 1 om te wachten"


def test_camp_on_connects_the_caller_when_the_colleagues_call_ends(
    site: SiteConfig, sip_target: str, ports: PortAllocator, tmp_path: Path, events: EventLog
) -> None:
    # 311 talks with a first caller, who hangs up 15 s in; a second caller of 311 finds
    # the line in a call and presses 1. The moment the first call ends, 311 is rung for
    # the second caller (a camp-on ring) and answers.
    with (
        LineWatch(site, "311") as watch,
        AgentPhone(
            target=sip_target, ports=ports, extension="311", password="demo311",
            answer_after_s=1.0, talk_s=None, calls=2,
        ),
    ):  # fmt: skip
        watch.becomes("free")
        first, _ = place(sip_target, ports, tmp_path, [], dial="311", hangup_after_s=15.0)
        with first:
            events.wait(of_type("backoffice.answered", extension="311"))
            watch.becomes("in_call")
            second, number = place(
                sip_target, ports, tmp_path, PRESS_1, dial="311", hangup_after_s=40.0
            )
            with second:
                assert first.wait(30).ok
                first_ended = events.wait(
                    of_type("backoffice.ended", extension="311"), timeout_s=30
                )[0]
                ringing = events.wait(of_type("backoffice.ringing", caller=number), timeout_s=15)[0]
                answered = events.wait(of_type("backoffice.answered", call_id=ringing.call_id))[0]
                assert second.wait(60).ok
    assert ringing.fields["kind"] == "camp_on"
    assert ringing.fields["department"] == "belastingen"
    # Rung the moment the line is free: within a few seconds of the first call's end. The
    # phone's hint may report the line free a few milliseconds before the first caller's
    # Hangup reaches the controller, so the ring can come marginally first.
    assert -1.0 <= (ringing.at - first_ended.at).total_seconds() <= 5.0
    assert answered.fields["kind"] == "camp_on"
    types = [e.type for e in events.of_call(ringing.call_id)]
    # The busy phone was not rung as a direct call first, and nothing fell back.
    assert types.count("backoffice.ringing") == 1 and "call.queued" not in types, types


CAMP_ON_S = 30  # the shortest camp-on time a site may set
BEL = "belastingen"  # 311's department


@pytest.fixture
def short_camp_on_site(
    controller: ControllerRunner,
    asterisk: Asterisk,
    ami_secret: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[SiteConfig]:
    """The test site with belastingen's camp-on time at 30 s, its controller running."""
    sample = load_site_config(write_site(tmp_path_factory.mktemp("campon")))
    departments = [
        {**d.model_dump(mode="json"), **({"camp_on_after_s": CAMP_ON_S} if d.id == BEL else {})}
        for d in sample.departments
    ]
    with own_controller(
        controller, asterisk, ami_secret, tmp_path_factory, departments=departments
    ) as site:
        yield site


def test_at_the_camp_on_time_the_caller_falls_back_into_the_tic_queue(
    short_camp_on_site: SiteConfig,
    sip_target: str,
    ports: PortAllocator,
    tmp_path: Path,
    events: EventLog,
    api: ControlApi,
) -> None:
    # 311 stays in a call the whole time; the camped-on caller waits 30 s, then goes to
    # the TIC's general queue, at the back, without priority, and an agent answers.
    site = short_camp_on_site
    with (
        LineWatch(site, "311") as watch,
        colleague_phone(sip_target, ports, "311", answer_after_s=1.0),
        seated_agent(
            api, site, sip_target, ports, agent_id="1005", position_id="tic1",
            answer_after_s=1.0, talk_s=3.0,
        ),
    ):  # fmt: skip
        watch.becomes("free")
        first, _ = place(sip_target, ports, tmp_path, [], dial="311", hangup_after_s=70.0)
        with first:
            events.wait(of_type("backoffice.answered", extension="311"))
            watch.becomes("in_call")
            second, _ = place(sip_target, ports, tmp_path, PRESS_1, dial="311", hangup_after_s=None)
            with second:
                queued = events.wait(
                    of_type("call.queued", fell_back_from=BEL), timeout_s=CAMP_ON_S + 20
                )[0]
                answered = events.wait(
                    of_type("call.answered", call_id=queued.call_id), timeout_s=30
                )[0]
                assert second.wait(30).ok
            assert first.wait(60).ok
    assert queued.fields == {
        "topic": site.ivr.general_topic,
        "municipality": "",
        "fell_back_from": BEL,
    }
    assert answered.agent_id == "1005"
    types = [e.type for e in events.of_call(queued.call_id)]
    # The colleague was never rung for the camped-on caller: their line never came free.
    assert "backoffice.ringing" not in types, types
