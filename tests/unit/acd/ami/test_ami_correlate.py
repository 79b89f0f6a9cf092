"""Correlation of responses and event lists with the actions that asked for them."""

from __future__ import annotations

from acd.ami.actions import Action, Atxfer, CoreShowChannels, Originate, Ping, QueueAdd, QueueStatus
from acd.ami.correlate import Correlator
from acd.ami.events import (
    CoreShowChannel,
    EventFactory,
    GenericEvent,
    OriginateResponse,
    QueueMember,
)
from acd.ami.frames import Event, Response, ResponseKind
from tests.unit.acd.ami.ami_frames import queue_member


def response(action_id: str, kind: str = "Success", **headers: str) -> Response:
    h = {"Response": kind, "ActionID": action_id, **headers}
    return Response(ResponseKind(kind), h)


def event(name: str, action_id: str | None = None, **headers: str) -> Event:
    h = {"Event": name, **({"ActionID": action_id} if action_id else {}), **headers}
    return Event(name, h)


def member_item(action_id: str, queue: str) -> Event:
    return event("QueueMember", action_id, **dict(queue_member(Queue=queue)))


def correlator_expecting(*pairs: tuple[str, Action]) -> Correlator:
    correlator = Correlator(EventFactory())
    for action_id, action in pairs:
        correlator.expect(action_id, action)
    return correlator


def test_single_response_completes_at_once() -> None:
    c = correlator_expecting(("a1", Ping()))
    claimed, result = c.feed(response("a1", Ping="Pong"))
    assert claimed and result is not None
    assert result.ok and result.response.headers["Ping"] == "Pong"
    assert result.action_name == "Ping"
    assert len(c) == 0


def test_frames_without_or_with_foreign_action_id_are_unclaimed() -> None:
    c = correlator_expecting(("a1", Ping()))
    assert c.feed(event("Newstate")) == (False, None)
    assert c.feed(response("zz")) == (False, None)
    assert len(c) == 1


def test_list_completes_on_eventlist_complete_with_typed_items() -> None:
    c = correlator_expecting(("q", QueueStatus()))
    assert c.feed(response("q", EventList="start", Message="Queue status will follow")) == (
        True,
        None,
    )
    assert c.feed(member_item("q", "tic")) == (True, None)
    claimed, result = c.feed(event("QueueStatusComplete", "q", EventList="Complete", ListItems="1"))
    assert claimed and result is not None
    assert [type(e).__name__ for e in result.events] == ["QueueMember", "GenericEvent"]
    assert result.items(QueueMember)[0].queue == "tic"
    assert result.items(CoreShowChannel) == ()


def test_interleaved_lists_of_two_actions_and_live_events() -> None:
    c = correlator_expecting(("q", QueueStatus()), ("c", CoreShowChannels()))
    assert c.feed(response("q", EventList="start")).claimed
    assert c.feed(response("c", EventList="start")).claimed
    assert c.feed(member_item("q", "tic")).claimed
    assert c.feed(event("Newstate", Uniqueid="1.1")) == (False, None)  # live event passes
    assert c.feed(member_item("q", "tic-afval")).claimed
    done_c = c.feed(event("CoreShowChannelsComplete", "c", EventList="Complete", ListItems="0"))
    assert done_c.completed is not None
    assert [e.name for e in done_c.completed.items(GenericEvent)] == ["CoreShowChannelsComplete"]
    done_q = c.feed(event("QueueStatusComplete", "q", EventList="Complete", ListItems="2"))
    assert done_q.completed is not None
    assert [m.queue for m in done_q.completed.items(QueueMember)] == ["tic", "tic-afval"]


def test_error_response_ends_a_list_action_without_waiting() -> None:
    c = correlator_expecting(("q", QueueStatus()))
    claimed, result = c.feed(response("q", "Error", Message="Permission denied"))
    assert claimed and result is not None and not result.ok
    assert result.message == "Permission denied"


def test_queue_add_plain_success_does_not_wait_for_a_list() -> None:
    """panoramisk 1.4 guesses a list from "Added interface to queue" and hangs."""
    c = correlator_expecting(("a", QueueAdd(queue="tic", interface="PJSIP/1001")))
    assert c.feed(response("a", Message="Added interface to queue")).completed is not None


def test_any_action_announcing_a_list_is_treated_as_one() -> None:
    c = correlator_expecting(("a", Atxfer(channel="PJSIP/1001-1", exten="2001")))
    assert c.feed(response("a", EventList="start")).completed is None
    done = c.feed(event("SomethingComplete", "a", EventList="Complete", ListItems="0"))
    assert done.completed is not None


def test_async_originate_completes_on_originate_response() -> None:
    c = correlator_expecting(("o", Originate(channel="PJSIP/1001", context="kcc", exten="s")))
    assert c.feed(response("o", Message="Originate successfully queued")) == (True, None)
    claimed, result = c.feed(
        event(
            "OriginateResponse",
            "o",
            Response="Success",
            Channel="PJSIP/1001-1",
            Context="kcc",
            Exten="s",
            Reason="4",
            Uniqueid="1.5",
            CallerIDNum="<unknown>",
            CallerIDName="<unknown>",
        )
    )
    assert claimed and result is not None
    (outcome,) = result.items(OriginateResponse)
    assert outcome.success and outcome.uniqueid == "1.5"


def test_sync_originate_completes_on_the_response() -> None:
    sync = Originate(channel="PJSIP/1001", context="kcc", exten="s", run_async=False)
    c = correlator_expecting(("o", sync))
    assert c.feed(response("o", Message="Originate successfully queued")).completed is not None


def test_failed_async_originate_completes_on_the_error() -> None:
    c = correlator_expecting(
        ("o", Originate(channel="PJSIP/1001", application="Playback", data="x"))
    )
    result = c.feed(response("o", "Error", Message="Originate failed")).completed
    assert result is not None and not result.ok


def test_abandoned_action_late_frames_are_swallowed_not_leaked() -> None:
    c = correlator_expecting(("q", QueueStatus()))
    c.feed(response("q", EventList="start"))
    c.abandon("q")
    assert c.feed(member_item("q", "tic")) == (True, None)
    assert c.late_frames == 1
    assert len(c) == 0


def test_abandoned_memory_is_bounded() -> None:
    c = Correlator(EventFactory(), remember_abandoned=2)
    for n in range(3):
        c.expect(f"a{n}", Ping())
        c.abandon(f"a{n}")
    assert c.feed(response("a0")) == (False, None)  # forgotten: oldest evicted
    assert c.feed(response("a2")).claimed


def test_drain_forgets_everything_in_flight() -> None:
    c = correlator_expecting(("a", Ping()), ("b", QueueStatus()))
    assert sorted(c.drain()) == ["a", "b"]
    assert c.feed(response("a")) == (False, None)
