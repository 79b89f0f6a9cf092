"""Typed queue events (callers, agents, members, QueueStatus lists) from real frame layouts."""

from __future__ import annotations

import pytest

from acd.ami import events as ev
from acd.ami.events import DeviceState
from tests.unit.acd.ami.ami_frames import AGENT, TWO, build, chan, member


def test_queue_caller_events() -> None:
    join = build("QueueCallerJoin", [*chan(), ("Queue", "tic"), ("Position", "2"), ("Count", "3")])
    assert isinstance(join, ev.QueueCallerJoin)
    assert (join.queue, join.position, join.count) == ("tic", 2, 3)
    leave = build(
        "QueueCallerLeave", [*chan(), ("Queue", "tic"), ("Count", "2"), ("Position", "2")]
    )
    assert isinstance(leave, ev.QueueCallerLeave)
    abandon = build(
        "QueueCallerAbandon",
        [
            *chan(),
            ("Queue", "tic"),
            ("Position", "1"),
            ("OriginalPosition", "3"),
            ("HoldTime", "47"),
        ],
    )
    assert isinstance(abandon, ev.QueueCallerAbandon)
    assert (abandon.original_position, abandon.hold_time) == (3, 47)


def test_agent_events_carry_caller_and_agent_channels() -> None:
    called = build("AgentCalled", [*TWO, *AGENT])
    assert isinstance(called, ev.AgentCalled)
    assert (called.caller.uniqueid, called.agent.uniqueid) == ("1.1", "1.2")
    assert called.agent.name == "PJSIP/1001-00000002"
    connect = build("AgentConnect", [*TWO, *AGENT, ("RingTime", "4"), ("HoldTime", "30")])
    assert isinstance(connect, ev.AgentConnect)
    assert (connect.ring_time, connect.hold_time) == (4, 30)
    complete = build(
        "AgentComplete",
        [*TWO, *AGENT, ("HoldTime", "30"), ("TalkTime", "200"), ("Reason", "agent")],
    )
    assert isinstance(complete, ev.AgentComplete)
    assert (complete.talk_time, complete.reason) == (200, "agent")
    # Seen from Asterisk 22 in a real run: the agent's leg was gone when app_queue
    # reported the end, so the Dest* channel block is absent.
    gone = build(
        "AgentComplete",
        [*chan(), *AGENT, ("HoldTime", "6"), ("TalkTime", "3"), ("Reason", "agent")],
    )
    assert isinstance(gone, ev.AgentComplete)
    assert gone.agent is None and gone.caller.uniqueid == "1.1"
    rna = build("AgentRingNoAnswer", [*TWO, *AGENT, ("RingTime", "15")])
    assert isinstance(rna, ev.AgentRingNoAnswer)
    assert rna.ring_time == 15
    dump = build("AgentDump", [*TWO, *AGENT])
    assert isinstance(dump, ev.AgentDump)
    assert dump.interface == "PJSIP/1001"


@pytest.mark.parametrize(
    "name, cls",
    [
        ("QueueMemberAdded", ev.QueueMemberAdded),
        ("QueueMemberRemoved", ev.QueueMemberRemoved),
        ("QueueMemberPause", ev.QueueMemberPause),
        ("QueueMemberStatus", ev.QueueMemberStatus),
    ],
)
def test_queue_member_events(name: str, cls: type) -> None:
    event = build(name, member(Paused="1", PausedReason="lunch"))
    assert isinstance(event, cls)
    assert event.status is DeviceState.INUSE  # type: ignore[attr-defined]
    assert (event.in_call, event.paused, event.paused_reason) == (True, True, "lunch")  # type: ignore[attr-defined]
    assert (event.calls_taken, event.wrapuptime, event.ringinuse) == (7, 60, False)  # type: ignore[attr-defined]


def test_queue_status_list_items_follow_the_code_not_the_docs() -> None:
    params = build(
        "QueueParams",
        [
            ("Queue", "tic"),
            ("Max", "0"),
            ("Strategy", "rrmemory"),
            ("Calls", "2"),
            ("Holdtime", "31"),
            ("TalkTime", "180"),
            ("Completed", "40"),
            ("Abandoned", "3"),
            ("ServiceLevel", "20"),
            ("ServicelevelPerf", "85.5"),
            ("ServicelevelPerf2", "80.0"),
            ("Weight", "0"),
        ],
    )
    assert isinstance(params, ev.QueueParams)
    assert (params.service_level_perf, params.abandoned) == (85.5, 3)
    item = build(
        "QueueMember",
        [(k, v) for k, v in member() if k not in ("MemberName", "Interface", "Ringinuse")]
        + [("Name", "TIC 1001"), ("Location", "PJSIP/1001")],
    )
    assert isinstance(item, ev.QueueMember)
    assert (item.name, item.location, item.status) == ("TIC 1001", "PJSIP/1001", DeviceState.INUSE)
    entry = build(
        "QueueEntry",
        [
            ("Queue", "tic"),
            ("Position", "1"),
            ("Channel", "PJSIP/trunk-1"),
            ("Uniqueid", "1.1"),
            ("CallerIDNum", "0612345678"),
            ("CallerIDName", "unknown"),
            ("ConnectedLineNum", "unknown"),
            ("ConnectedLineName", "unknown"),
            ("Wait", "12"),
            ("Priority", "0"),
        ],
    )
    assert isinstance(entry, ev.QueueEntry)
    assert (entry.wait, entry.caller_id_name) == (12, None)
    done = build("QueueStatusComplete", [("EventList", "Complete"), ("ListItems", "3")])
    assert isinstance(done, ev.QueueStatusComplete)
    assert done.list_items == 3
