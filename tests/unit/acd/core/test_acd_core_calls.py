"""A call's life as events: queued, offered, answered, transferred, ended, and leaving early."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from acd.core import inputs as ev
from acd.core.effects import CancelRing, Publish
from acd.core.states import AgentState
from tests.unit.acd.core.acd_driver import Driver, of_type, published, rejected, rings

EVENTS_DOC = Path(__file__).resolve().parents[4] / "docs" / "events.md"

# The extra fields docs/events.md names per type (the core may add more, never fewer).
DOCUMENTED_FIELDS = {
    "call.queued": {"topic", "municipality", "fell_back_from"},
    "call.offered": {"position_id"},
    "call.not_answered": {"position_id"},
    "call.answered": {"position_id"},
    "call.transferred": {"department", "extension"},
    "call.ended": {"phase", "by"},
    "agent.state": {"state", "reason", "position_id"},
    "agent.topics": {"topics"},
}


def _documented_types() -> set[str]:
    return set(re.findall(r"^\| `((?:call|agent)\.[a-z_]+)` \|", EVENTS_DOC.read_text(), re.M))


def _whole_day(floor: Driver) -> list[Publish]:
    """Login, a not-answered ring, an answered call, a transfer, a caller who gives up."""
    effects = floor.login("1001", "tic1")
    effects += floor.login("1002", "tic2")
    effects += floor.queue("c1", "burgerzaken")
    effects += floor.fail("c1", "1001")
    effects += floor.answer("c1", "1002")
    effects += floor.feed(
        ev.CallTransferred, call_id="c1", agent_id="1002", department="burgerzaken"
    )
    effects += floor.complete("c1", "1002")
    effects += floor.queue("c2", "belastingen")
    effects += floor.feed(ev.CallerLeft, call_id="c2")
    effects += floor.feed(ev.AgentSetTopics, agent_id="1001", topics=frozenset({"algemeen"}))
    return of_type(effects, Publish)


def test_every_published_type_is_documented_with_its_fields(floor: Driver) -> None:
    events = _whole_day(floor)
    documented = _documented_types()
    assert {e.type for e in events} <= documented
    assert {e.type for e in events} == set(DOCUMENTED_FIELDS)
    for event in events:
        assert DOCUMENTED_FIELDS[event.type] <= set(event.fields), event
        assert event.at.utcoffset() is not None


def test_call_events_carry_the_call_and_its_agent(floor: Driver) -> None:
    floor.login("1001", "tic1")
    effects = floor.queue("c1", "burgerzaken", municipality="zandvoort")
    queued, offered = published(effects, "call.queued") + published(effects, "call.offered")
    assert (queued.call_id, queued.agent_id) == ("c1", "")
    assert dict(queued.fields) == {
        "topic": "burgerzaken",
        "municipality": "zandvoort",
        "fell_back_from": "",
    }
    assert (offered.agent_id, dict(offered.fields)) == ("1001", {"position_id": "tic1"})
    (answered,) = published(floor.answer("c1", "1001"), "call.answered")
    assert (answered.agent_id, dict(answered.fields)) == ("1001", {"position_id": "tic1"})
    (ended,) = published(floor.complete("c1", "1001"), "call.ended")
    assert (ended.agent_id, dict(ended.fields)) == ("1001", {"phase": "talking", "by": "agent"})
    assert floor.acd.waiting() == []


def test_caller_leaving_the_queue_ends_the_call(floor: Driver) -> None:
    floor.queue("c1", "burgerzaken")
    effects = floor.feed(ev.CallerLeft, call_id="c1")
    (ended,) = published(effects, "call.ended")
    assert dict(ended.fields) == {"phase": "queue", "by": "caller"}
    assert floor.acd.waiting() == []
    assert "unknown call 'c1'" in rejected(floor.feed(ev.CallerLeft, call_id="c1")).why


def test_caller_leaving_while_ringing_cancels_the_ring(floor: Driver) -> None:
    floor.login("1001", "tic1")
    floor.queue("c1", "burgerzaken")
    effects = floor.feed(ev.CallerLeft, call_id="c1")
    assert of_type(effects, CancelRing) == [
        CancelRing(call_id="c1", agent_id="1001", extension="201")
    ]
    assert dict(published(effects, "call.ended")[0].fields) == {"phase": "ringing", "by": "caller"}
    agent = floor.agent("1001")
    assert (agent.state, agent.pause_reason, agent.call_id) == (AgentState.AVAILABLE, None, None)
    # The agent picked up just as the caller hung up: refused, and nothing moves.
    before = floor.seen()
    rejected(floor.answer("c1", "1001"))
    assert floor.seen() == before


def test_caller_hanging_up_while_talking_starts_after_call_work(floor: Driver) -> None:
    floor.login("1001", "tic1")
    floor.queue("c1", "burgerzaken")
    floor.answer("c1", "1001")
    effects = floor.feed(ev.CallerLeft, call_id="c1")
    assert dict(published(effects, "call.ended")[0].fields) == {"phase": "talking", "by": "caller"}
    assert floor.state("1001") is AgentState.AFTER_CALL_WORK


def test_warm_transfer_names_the_department_and_its_first_extension(floor: Driver) -> None:
    floor.login("1001", "tic1")
    floor.queue("c1", "burgerzaken")
    floor.answer("c1", "1001")
    effects = floor.feed(
        ev.CallTransferred, call_id="c1", agent_id="1001", department="burgerzaken"
    )
    department = next(d for d in floor.site.departments if d.id == "burgerzaken")
    (transferred,) = published(effects, "call.transferred")
    assert dict(transferred.fields) == {
        "department": "burgerzaken",
        "extension": department.extensions[0].extension,
    }
    assert floor.state("1001") is AgentState.AFTER_CALL_WORK
    # The agent's leg ends after the transfer: the call ends for the TIC, the agent stays in ACW.
    effects = floor.complete("c1", "1001")
    assert [e.type for e in of_type(effects, Publish)] == ["call.ended"]
    assert floor.state("1001") is AgentState.AFTER_CALL_WORK


def test_transfer_to_an_unknown_department_still_completes(floor: Driver) -> None:
    floor.login("1001", "tic1")
    floor.queue("c1", "burgerzaken")
    floor.answer("c1", "1001")
    effects = floor.feed(ev.CallTransferred, call_id="c1", agent_id="1001", department="")
    assert dict(published(effects, "call.transferred")[0].fields) == {
        "department": "",
        "extension": "",
    }


def test_transferred_call_falling_back_joins_the_queue_at_the_back(floor: Driver) -> None:
    floor.login("1001", "tic1")
    floor.queue("c1", "burgerzaken")
    floor.answer("c1", "1001")
    floor.feed(ev.CallTransferred, call_id="c1", agent_id="1001", department="burgerzaken")
    floor.wait(5)
    floor.queue("c2", "burgerzaken")
    floor.wait(15)
    effects = floor.feed(
        ev.CallQueued,
        call_id="c1",
        topic="burgerzaken",
        municipality="haarlem",
        fell_back_from="burgerzaken",
    )
    assert published(effects, "call.queued")[0].fields["fell_back_from"] == "burgerzaken"
    assert [(w.call_id, w.queued_at) for w in floor.acd.waiting()] == [
        ("c2", floor.now - timedelta(seconds=15)),
        ("c1", floor.now),
    ]


def test_queueing_a_call_twice_is_refused(floor: Driver) -> None:
    floor.queue("c1", "burgerzaken")
    before = floor.seen()
    assert "queued" in rejected(floor.queue("c1", "belastingen")).why
    assert floor.seen() == before


def test_answer_from_another_agent_is_refused(floor: Driver) -> None:
    floor.login("1001", "tic1")
    floor.login("1002", "tic2")
    floor.queue("c1", "burgerzaken")
    before = floor.seen()
    why = rejected(floor.answer("c1", "1002")).why
    assert "1001" in why and "1002" in why
    assert floor.seen() == before
    assert rings(floor.answer("c1", "1001")) == []
