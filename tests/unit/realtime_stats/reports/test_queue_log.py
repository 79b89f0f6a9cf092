"""The queue_log export: lines as Asterisk's app_queue would write them, worked out by hand."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from contract.vocabulary import AgentState
from realtime_stats.figures.periods import local_day
from realtime_stats.figures.records import AgentInterval, CallRecord
from realtime_stats.reports.queue_log import export_queue_log, member_changes
from tests.unit.realtime_stats.reports.test_scenario import AMS, CALLS, DAY, INTERVALS

QUEUES = {"1001": ["burgerzaken"], "1002": ["belastingen"], "1003": ["belastingen"]}

# 09:00 CEST on 2026-06-15 is epoch 1781506800.
EXPECTED = """\
1781503200|MANAGER|kcc-burgerzaken|1001|ADDMEMBER|
1781506800|c1|kcc-burgerzaken|NONE|ENTERQUEUE|||1
1781506800|MANAGER|kcc-belastingen|1002|ADDMEMBER|
1781506800|MANAGER|kcc-belastingen|1003|ADDMEMBER|
1781506810|c1|kcc-burgerzaken|1001|CONNECT|10||0
1781507050|c1|kcc-burgerzaken|1001|COMPLETECALLER|10|240|1
1781507100|c2|kcc-belastingen|NONE|ENTERQUEUE|||1
1781507125|c2|kcc-belastingen|1003|RINGNOANSWER|10000
1781507130|c2|kcc-belastingen|1002|CONNECT|30||5
1781507310|c2|kcc-belastingen|1002|COMPLETECALLER|30|180|1
1781507340|MANAGER|kcc-belastingen|1002|REMOVEMEMBER|
1781507400|c3|kcc-burgerzaken|NONE|ENTERQUEUE|||1
1781507400|MANAGER|kcc-belastingen|1003|REMOVEMEMBER|
1781507403|c3|kcc-burgerzaken|NONE|ABANDON|1|1|3
1781508000|c4|kcc-burgerzaken|NONE|ENTERQUEUE|||1
1781508040|c4|kcc-burgerzaken|NONE|ABANDON|1|1|40
1781508600|c5|kcc-burgerzaken|NONE|ENTERQUEUE|||1
1781508615|c5|kcc-burgerzaken|1001|CONNECT|15||0
1781508735|c5|kcc-burgerzaken|1001|COMPLETECALLER|15|120|1
1781508795|NONE|kcc-burgerzaken|1001|PAUSE|lunch
1781509500|NONE|kcc-burgerzaken|1001|UNPAUSE|
1781510400|MANAGER|kcc-burgerzaken|1001|REMOVEMEMBER|
"""


def test_the_scenario_day_as_queue_log() -> None:
    lines = export_queue_log(
        CALLS, INTERVALS, local_day(DAY, AMS), default_topic="algemeen", agent_topics=QUEUES
    )
    assert "\n".join(lines) + "\n" == EXPECTED  # n1 entered the next day: not in it


def test_plain_intervals_give_no_ring_no_answer() -> None:
    plain = [t.interval for t in INTERVALS]
    lines = export_queue_log(
        CALLS, plain, local_day(DAY, AMS), default_topic="algemeen", agent_topics=QUEUES
    )
    assert not any("RINGNOANSWER" in line for line in lines)
    assert "1781507130|c2|kcc-belastingen|1002|CONNECT|30||5" in lines  # ring time still known


T0 = datetime(2026, 6, 16, 8, 0, tzinfo=UTC)  # epoch 1781596800


def _call(call_id: str, enter_s: int, leave_s: int, *, answered: bool) -> CallRecord:
    entered, left = T0 + timedelta(seconds=enter_s), T0 + timedelta(seconds=leave_s)
    if answered:
        return CallRecord(call_id=call_id, entered_at=entered, answered_at=left, agent_id="1001")
    return CallRecord(call_id=call_id, entered_at=entered, ended_at=left)


def test_positions_in_line_and_a_call_without_topic() -> None:
    calls = [
        _call("a", 0, 120, answered=True),  # still talking: CONNECT only
        _call("b", 30, 90, answered=False),  # a ahead when joining and when hanging up
        _call("c", 60, 180, answered=False),  # a and b ahead when joining, nobody at the end
    ]
    lines = export_queue_log(
        calls, [], local_day(date(2026, 6, 16), AMS), default_topic="algemeen", agent_topics={}
    )
    assert lines == [
        "1781596800|a|kcc-algemeen|NONE|ENTERQUEUE|||1",
        "1781596830|b|kcc-algemeen|NONE|ENTERQUEUE|||2",
        "1781596860|c|kcc-algemeen|NONE|ENTERQUEUE|||3",
        "1781596890|b|kcc-algemeen|NONE|ABANDON|2|2|60",
        "1781596920|a|kcc-algemeen|1001|CONNECT|120||0",
        "1781596980|c|kcc-algemeen|NONE|ABANDON|1|3|120",
    ]


def test_member_changes_treat_a_gap_as_logged_out() -> None:
    def iv(state: AgentState, start: int, end: int, reason: str | None = None) -> AgentInterval:
        return AgentInterval(
            agent_id="1001",
            state=state,
            start=T0 + timedelta(minutes=start),
            end=T0 + timedelta(minutes=end),
            pause_reason=reason,
        )

    changes = member_changes(
        [
            iv(AgentState.PAUSED, 0, 10, "overleg"),
            iv(AgentState.AVAILABLE, 10, 20),
            iv(AgentState.AVAILABLE, 30, 40),  # 20..30: gone without a LOGGED_OUT interval
            iv(AgentState.LOGGED_OUT, 40, 50),
        ]
    )
    assert [(int((t - T0).total_seconds() // 60), e, d) for t, e, d in changes] == [
        (0, "ADDMEMBER", "PAUSED"),
        (10, "UNPAUSE", ""),
        (20, "REMOVEMEMBER", ""),
        (30, "ADDMEMBER", ""),
        (40, "REMOVEMEMBER", ""),
    ]
