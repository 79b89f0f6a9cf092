"""TIC positions: one agent each, the peak position closed until the floor scales up."""

from __future__ import annotations

from acd.core import inputs as ev
from acd.core.effects import MirrorMember
from acd.core.states import AgentState, PositionState
from tests.unit.acd.core.acd_driver import Driver, of_type, published, rejected, rings


def test_only_the_peak_position_starts_closed(floor: Driver) -> None:
    peak = {p.id for p in floor.site.positions if p.peak}
    assert peak  # the sample has one
    states = {p.position_id: p.state for p in floor.acd.positions()}
    assert {pid for pid, s in states.items() if s is PositionState.CLOSED} == peak


def test_login_at_the_closed_peak_position_is_refused_until_opened(floor: Driver) -> None:
    before = floor.seen()
    assert "closed" in rejected(floor.login("1001", "tic4")).why
    assert floor.seen() == before
    assert floor.feed(ev.PositionOpen, position_id="tic4") == []
    floor.login("1001", "tic4")
    assert floor.agent("1001").position_id == "tic4"


def test_login_seats_the_agent_and_mirrors_the_membership(floor: Driver) -> None:
    effects = floor.login("1003", "tic2")
    (mirror,) = of_type(effects, MirrorMember)
    assert mirror == MirrorMember(
        agent_id="1003",
        extension="202",
        topics=frozenset(next(a for a in floor.site.agents if a.id == "1003").topics),
        logged_in=True,
        paused=False,
    )
    (topics,) = published(effects, "agent.topics")
    assert topics.fields["topics"].split(",") == sorted(mirror.topics)
    assert {p.position_id: p.agent_id for p in floor.acd.positions()}["tic2"] == "1003"


def test_a_taken_position_is_refused_naming_who_sits_there(floor: Driver) -> None:
    floor.login("1001", "tic1")
    why = rejected(floor.login("1002", "tic1")).why
    assert "1001" in why and "tic1" in why


def test_closing_logs_out_a_free_agent_at_once(floor: Driver) -> None:
    floor.feed(ev.PositionOpen, position_id="tic4")
    floor.login("1001", "tic4")
    effects = floor.feed(ev.PositionClose, position_id="tic4")
    assert floor.state("1001") is AgentState.LOGGED_OUT
    (mirror,) = of_type(effects, MirrorMember)
    assert (mirror.logged_in, mirror.extension) == (False, "204")
    assert published(effects, "agent.state")[0].fields["position_id"] == "tic4"


def test_closing_logs_out_a_busy_agent_after_their_call(floor: Driver) -> None:
    floor.feed(ev.PositionOpen, position_id="tic4")
    floor.login("1001", "tic4")
    floor.queue("c1", "burgerzaken")
    floor.answer("c1", "1001")
    assert floor.feed(ev.PositionClose, position_id="tic4") == []
    assert floor.state("1001") is AgentState.TALKING
    assert "closed" in rejected(floor.login("1002", "tic4")).why
    floor.queue("c2", "burgerzaken")
    floor.complete("c1", "1001")
    effects = floor.feed(ev.AgentEndAcw, agent_id="1001")
    assert floor.state("1001") is AgentState.LOGGED_OUT
    assert rings(effects) == []
    assert [w.call_id for w in floor.acd.waiting()] == ["c2"]


def test_opening_an_open_or_closing_a_closed_position_is_refused(floor: Driver) -> None:
    assert "already open" in rejected(floor.feed(ev.PositionOpen, position_id="tic1")).why
    assert "already closed" in rejected(floor.feed(ev.PositionClose, position_id="tic4")).why


def test_unknown_position_is_named_with_the_known_ones(floor: Driver) -> None:
    for effects in (
        floor.login("1001", "tic9"),
        floor.feed(ev.PositionOpen, position_id="tic9"),
        floor.feed(ev.PositionClose, position_id="tic9"),
    ):
        why = rejected(effects).why
        assert "'tic9'" in why
        assert all(p.id in why for p in floor.site.positions)
