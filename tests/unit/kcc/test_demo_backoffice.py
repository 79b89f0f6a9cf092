"""The demo's back office: which calls are transferred, when, and the API calls it makes."""

from __future__ import annotations

import json
import random
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from kcc.demo import AGENT_TALK_S
from kcc.demo_backoffice import (
    COLLEAGUES,
    Colleague,
    DemoBackOffice,
    DirectCallLoad,
    TalkingAgent,
    TransferPicker,
    TransferPolicy,
    plan_direct_call,
    talking_agents,
)
from kcc.sipp.runner import PortAllocator
from site_config import load_site_config

AT = datetime(2025, 3, 4, 10, 0, 0, tzinfo=UTC)


class _Always(random.Random):
    """An RNG whose every draw says "transfer"; choice takes the first target."""

    def random(self) -> float:
        return 0.0

    def choice(self, seq: Any) -> Any:
        return seq[0]


class _Never(random.Random):
    def random(self) -> float:
        return 0.999


def _agent(agent_id: str, state: str, *, talking_s: float = 0, call_id: str | None = None) -> Any:
    return {
        "agent_id": agent_id,
        "position_id": "tic1",
        "state": state,
        "since": (AT - timedelta(seconds=talking_s)).isoformat(),
        "pause_reason": None,
        "topics": ["algemeen"],
        "call_id": call_id,
    }


def _snapshot(*agents: Any) -> dict[str, Any]:
    return {"at": AT.isoformat(), "agents": list(agents), "waiting": []}


def test_talking_agents_reads_only_the_talking_ones_and_for_how_long() -> None:
    snapshot = _snapshot(
        _agent("1001", "talking", talking_s=4.5, call_id="c1"),
        _agent("1002", "available"),
        _agent("1003", "after_call_work", talking_s=9, call_id="c0"),
    )
    assert talking_agents(snapshot) == [TalkingAgent("1001", "c1", 4.5)]


@pytest.mark.parametrize(
    ("broken", "named"),
    [
        ({"call_id": None}, "agents[0]: 'call_id' is None"),
        ({"since": "yesterday"}, "agents[0]: 'since' is 'yesterday', not an ISO time"),
        ({"since": "2025-03-04T09:59:56"}, "'since' is '2025-03-04T09:59:56', not an ISO time"),
        ({"agent_id": 1001}, "agents[0]: 'agent_id' is 1001"),
    ],
)
def test_a_talking_agent_with_a_bad_field_is_refused_naming_it(
    broken: dict[str, Any], named: str
) -> None:
    agent = {**_agent("1001", "talking", talking_s=4, call_id="c1"), **broken}
    with pytest.raises(ValueError, match="/api/acd/state") as error:
        talking_agents(_snapshot(agent))
    assert named in str(error.value)


def test_an_answer_without_agents_or_time_is_refused() -> None:
    with pytest.raises(ValueError, match="'agents' is missing"):
        talking_agents({"at": AT.isoformat()})
    with pytest.raises(ValueError, match="the answer: 'at'"):
        talking_agents({"agents": []})


def test_a_call_is_decided_once_inside_the_window() -> None:
    picker = TransferPicker(TransferPolicy(earliest_s=3, latest_s=8, targets=("321", "301")))
    assert picker.pick([TalkingAgent("1001", "c1", 1.0)], _Always()) == []
    (request,) = picker.pick([TalkingAgent("1001", "c1", 3.5)], _Always())
    assert (request.agent_id, request.call_id, request.extension) == ("1001", "c1", "321")
    assert picker.pick([TalkingAgent("1001", "c1", 4.5)], _Always()) == []


def test_a_call_first_seen_after_the_window_is_never_transferred() -> None:
    picker = TransferPicker(TransferPolicy(earliest_s=3, latest_s=8))
    assert picker.pick([TalkingAgent("1001", "c1", 8.5)], _Always()) == []
    assert picker.pick([TalkingAgent("1001", "c1", 9.5)], _Always()) == []


def test_a_call_not_picked_stays_decided_and_the_next_call_is_decided_afresh() -> None:
    picker = TransferPicker(TransferPolicy())
    assert picker.pick([TalkingAgent("1001", "c1", 4)], _Never()) == []
    assert picker.pick([TalkingAgent("1001", "c1", 5)], _Always()) == []
    assert picker.pick([], _Always()) == []  # the agent's call ended
    assert [r.call_id for r in picker.pick([TalkingAgent("1001", "c2", 4)], _Always())] == ["c2"]


def test_about_one_call_in_five_goes_to_both_targets() -> None:
    picker, rng = TransferPicker(TransferPolicy()), random.Random(14023)
    requests = []
    for n in range(2000):
        requests += picker.pick([TalkingAgent("1001", f"c{n}", 4.0)], rng)
    assert 0.17 <= len(requests) / 2000 <= 0.23, len(requests)
    assert {r.extension for r in requests} == {"321", "301"}


def test_the_demo_timings_let_every_consult_be_answered_before_the_agent_hangs_up() -> None:
    policy = TransferPolicy()
    assert min(AGENT_TALK_S) > policy.latest_consult_answer_s(COLLEAGUES) + 5
    talk = {c.extension: c.talk_s for c in COLLEAGUES}
    for extension in policy.targets:  # the colleague outlasts any agent's whole call
        assert (talk[extension] or 0) > max(AGENT_TALK_S), extension


def test_a_colleague_who_never_answers_is_no_transfer_target() -> None:
    with pytest.raises(ValueError, match="transfer target 311 is no answering colleague"):
        TransferPolicy(targets=("311",)).latest_consult_answer_s(COLLEAGUES)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"share": 1.5}, "share 1.5"),
        ({"targets": ()}, "no target"),
        ({"earliest_s": 9.0, "latest_s": 8.0}, "earliest_s <= latest_s"),
    ],
)
def test_a_bad_transfer_policy_is_refused(fields: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        TransferPolicy(**fields)


def test_direct_calls_spread_over_the_extensions_with_patience_in_range() -> None:
    rng, load = random.Random(7), DirectCallLoad(patience_s=(45.0, 150.0))
    calls = [plan_direct_call(rng, ["301", "321", "311"], load) for _ in range(200)]
    assert {c.extension for c in calls} == {"301", "321", "311"}
    assert all(45.0 <= c.hangup_after_s <= 150.0 for c in calls)
    with pytest.raises(ValueError, match="no back-office extension"):
        plan_direct_call(rng, [], load)


class _Controller:
    """The control API as a MockTransport: a fixed state answer, recorded requests."""

    def __init__(self, state: httpx.Response, transfer: httpx.Response) -> None:
        self.state, self.transfer = state, transfer
        self.requests: list[tuple[str, str, Any]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content) if request.content else None
        self.requests.append((request.method, request.url.path, body))
        return self.state if request.method == "GET" else self.transfer


def _backoffice(
    controller: _Controller, site_path: Path, tmp_path: Path, **options: Any
) -> DemoBackOffice:
    api = httpx.Client(base_url="http://control", transport=httpx.MockTransport(controller))
    return DemoBackOffice(
        site=load_site_config(site_path),
        target="127.0.0.1:5060",
        ports=PortAllocator(),
        api=api,
        exit_stack=ExitStack(),
        workdir=tmp_path,
        seed=1,
        direct=DirectCallLoad(mean_interval_s=1e9),  # no SIPp caller in a unit test
        poll_every_s=0,
        **options,
    )


def test_a_picked_call_is_transferred_through_the_api_once(
    site_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    state = _snapshot(_agent("1002", "talking", talking_s=4, call_id="c7"))
    controller = _Controller(httpx.Response(200, json=state), httpx.Response(200, json={}))
    backoffice = _backoffice(controller, site_path, tmp_path, policy=TransferPolicy(share=1.0))
    backoffice.tick()
    backoffice.tick()
    posts = [r for r in controller.requests if r[0] == "POST"]
    assert len(posts) == 1, controller.requests
    assert posts[0][1] == "/api/agents/1002/transfer"
    assert posts[0][2]["extension"] in {"321", "301"}
    assert "agent 1002 transfers a caller to" in capsys.readouterr().out


def test_a_refused_transfer_is_reported_and_the_demo_goes_on(
    site_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    state = _snapshot(_agent("1002", "talking", talking_s=4, call_id="c7"))
    refused = httpx.Response(409, json={"detail": "agent 1002 is on no call"})
    controller = _Controller(httpx.Response(200, json=state), refused)
    _backoffice(controller, site_path, tmp_path, policy=TransferPolicy(share=1.0)).tick()
    assert "refused: 409" in capsys.readouterr().out


def test_an_unreadable_state_is_reported_once_per_outage(
    site_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    controller = _Controller(httpx.Response(500, text="oops"), httpx.Response(200))
    backoffice = _backoffice(controller, site_path, tmp_path)
    backoffice.tick()
    backoffice.tick()
    out = capsys.readouterr().out
    assert out.count("cannot read the agents' state") == 1, out
    assert [r[0] for r in controller.requests] == ["GET", "GET"]


def test_without_an_answering_colleague_in_the_site_nothing_is_polled(
    site_path: Path, tmp_path: Path
) -> None:
    controller = _Controller(httpx.Response(200, json=_snapshot()), httpx.Response(200))
    colleagues = [Colleague(extension="399", answer_after_s=5.0, talk_s=60.0)]
    _backoffice(controller, site_path, tmp_path, colleagues=colleagues).tick()
    assert controller.requests == []
