"""The call records as Asterisk's own queue_log, for tools that read that format.

Each line is `epoch|callid|queuename|agent|event|data...`, the layout Asterisk's
logger writes; the event fields follow apps/app_queue.c:

| event | agent | data |
| --- | --- | --- |
| ENTERQUEUE | NONE | url, caller number, original position |
| CONNECT | member | hold time, bridged channel uniqueid, ring time |
| COMPLETECALLER | member | hold time, call time, original position |
| ABANDON | NONE | position, original position, wait time |
| RINGNOANSWER | member | ring time in milliseconds |
| ADDMEMBER / REMOVEMEMBER | member | "PAUSED" or empty / empty |
| PAUSE / UNPAUSE | member | reason |

Times are whole seconds: Asterisk subtracts `time()` values, so a duration is the
difference of the two truncated epochs, and so is it here. The member name is the agent
id (the controller's QueueAdd sets MemberName so); the queue is `kcc-<topic>`.

What the records do not hold is written empty rather than made up: the caller's number
and the agent channel's uniqueid. Who hung up is not recorded either, so every finished
call is COMPLETECALLER. A ring that was not answered is known only from an agent's
RINGING interval that names its call (`TrackedInterval.call_id`); a plain
`AgentInterval` gives none. Pure functions; no I/O.
"""

from __future__ import annotations

import heapq
import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from contract.dialplan import queue_name
from contract.vocabulary import AgentState
from realtime_stats.figures.periods import Period
from realtime_stats.figures.records import AgentInterval, CallRecord
from realtime_stats.figures.tracked_records import TrackedInterval

MEMBER_CALLID = "MANAGER"  # members are added and removed over AMI, as Asterisk logs it
NO_CALLID = "NONE"


@dataclass(frozen=True, slots=True, order=True)
class QueueLogLine:
    """One queue_log line; lines sort by time, then by the order they were made in."""

    epoch: int
    seq: int
    callid: str
    queue: str
    agent: str
    event: str
    data: tuple[str, ...]

    def __str__(self) -> str:
        return "|".join(
            (str(self.epoch), self.callid, self.queue, self.agent, self.event, *self.data)
        )


def _epoch(moment: datetime) -> int:
    return math.floor(moment.timestamp())


def _span(start: datetime, end: datetime) -> int:
    return _epoch(end) - _epoch(start)


class _Lines:
    """Collects lines with a running sequence number, so equal times keep their order."""

    def __init__(self) -> None:
        self.lines: list[QueueLogLine] = []

    def add(
        self, at: datetime, callid: str, queue: str, agent: str, event: str, *data: object
    ) -> None:
        line = QueueLogLine(
            _epoch(at), len(self.lines), callid, queue, agent, event, tuple(map(str, data))
        )
        self.lines.append(line)


def export_queue_log(
    calls: Iterable[CallRecord],
    intervals: Iterable[AgentInterval | TrackedInterval],
    period: Period,
    *,
    default_topic: str,
    agent_topics: Mapping[str, Sequence[str]],
) -> list[str]:
    """queue_log lines for the calls that entered in `period` and the member changes in it.

    `default_topic` is the queue of a call without a topic (menu off); `agent_topics`
    names each agent's queues, for the member events.
    """
    calls = [c for c in calls if period.contains(c.entered_at)]
    tracked = [
        i if isinstance(i, TrackedInterval) else TrackedInterval(interval=i) for i in intervals
    ]
    queue_of: Callable[[CallRecord], str] = lambda c: queue_name(c.topic_id or default_topic)  # noqa: E731
    out = _Lines()
    _call_lines(out, calls, tracked, queue_of)
    _member_lines(out, [t.interval for t in tracked], period, agent_topics)
    return [str(line) for line in sorted(out.lines)]


def _call_lines(
    out: _Lines,
    calls: Sequence[CallRecord],
    tracked: Sequence[TrackedInterval],
    queue_of: Callable[[CallRecord], str],
) -> None:
    per_queue: dict[str, list[CallRecord]] = defaultdict(list)
    for call in calls:
        per_queue[queue_of(call)].append(call)
    rings = _rings(tracked)
    # The ring that became the answer: the answering agent's RINGING interval ending at
    # the answer. Found without a call id, so plain intervals give the ring time too.
    answer_rings = {
        (t.interval.agent_id, t.interval.end): t.interval
        for t in tracked
        if t.interval.state is AgentState.RINGING and t.interval.end is not None
    }
    for queue, queued in per_queue.items():
        queued.sort(key=lambda c: (c.entered_at, c.call_id))
        positions = original_positions(queued)
        line = _Line(queued)
        for index, call in enumerate(queued):
            opos = positions[index]
            out.add(call.entered_at, call.call_id, queue, "NONE", "ENTERQUEUE", "", "", opos)
            for missed in rings.get(call.call_id, ()):
                _ring_line(out, call, missed, queue)
            if call.answered_at is not None:
                answer_ring = answer_rings.get((call.agent_id or "", call.answered_at))
                _answered_lines(out, call, queue, opos, answer_ring)
            elif call.ended_at is not None:
                pos = line.position_at(index, call.ended_at)
                wait = _span(call.entered_at, call.ended_at)
                out.add(call.ended_at, call.call_id, queue, "NONE", "ABANDON", pos, opos, wait)


def _rings(tracked: Iterable[TrackedInterval]) -> dict[str, list[AgentInterval]]:
    rings: dict[str, list[AgentInterval]] = defaultdict(list)
    for item in tracked:
        if item.call_id and item.interval.state is AgentState.RINGING:
            rings[item.call_id].append(item.interval)
    return rings


def _ring_line(out: _Lines, call: CallRecord, ring: AgentInterval, queue: str) -> None:
    """RINGNOANSWER for a finished ring that did not become this call's answer."""
    if ring.end is None:
        return
    if call.agent_id == ring.agent_id and call.answered_at == ring.end:
        return
    milliseconds = round((ring.end - ring.start).total_seconds() * 1000)
    out.add(ring.end, call.call_id, queue, ring.agent_id, "RINGNOANSWER", milliseconds)


def _answered_lines(
    out: _Lines, call: CallRecord, queue: str, opos: int, ring: AgentInterval | None
) -> None:
    assert call.answered_at is not None
    agent = call.agent_id or "NONE"
    hold = _span(call.entered_at, call.answered_at)
    ring_time = 0 if ring is None else _span(ring.start, call.answered_at)
    out.add(call.answered_at, call.call_id, queue, agent, "CONNECT", hold, "", ring_time)
    if call.ended_at is not None:
        talk = _span(call.answered_at, call.ended_at)
        out.add(call.ended_at, call.call_id, queue, agent, "COMPLETECALLER", hold, talk, opos)


def original_positions(queued: Sequence[CallRecord]) -> list[int]:
    """Each call's place in line when it joined: callers still waiting ahead of it, plus one.

    `queued` is one queue's calls in joining order. A sweep with a heap of the leaving
    times of the callers ahead, so a month of calls costs n log n, not n squared.
    """
    ahead: list[datetime] = []
    positions = []
    for call in queued:
        while ahead and ahead[0] <= call.entered_at:
            heapq.heappop(ahead)
        positions.append(len(ahead) + 1)
        left = call.answered_at or call.ended_at
        heapq.heappush(
            ahead, left if left is not None else datetime.max.replace(tzinfo=call.entered_at.tzinfo)
        )
    return positions


class _Line:
    """One queue's calls in joining order, to find a caller's place in line at a moment."""

    def __init__(self, queued: Sequence[CallRecord]) -> None:
        self._queued = queued
        waits = [c.wait_seconds() for c in queued]
        # Longest finished wait: a caller who joined longer ago than this before a moment
        # has left by then, unless they are still waiting now (no wait yet).
        self._longest = timedelta(seconds=max((w for w in waits if w is not None), default=0.0))
        self._unfinished = [i for i, w in enumerate(waits) if w is None]

    def position_at(self, index: int, moment: datetime) -> int:
        """Callers who joined before call `index` and still wait at `moment`, plus one."""
        horizon = moment - self._longest
        count, earlier = 0, index - 1
        while earlier >= 0 and self._queued[earlier].entered_at >= horizon:
            count += self._queued[earlier].waiting_at(moment)
            earlier -= 1
        count += sum(1 for i in self._unfinished if i <= earlier)
        return count + 1


def _member_lines(
    out: _Lines,
    intervals: Sequence[AgentInterval],
    period: Period,
    agent_topics: Mapping[str, Sequence[str]],
) -> None:
    per_agent: dict[str, list[AgentInterval]] = defaultdict(list)
    for interval in intervals:
        per_agent[interval.agent_id].append(interval)
    for agent, own in per_agent.items():
        queues = [queue_name(t) for t in agent_topics.get(agent, ())]
        for at, event, data in member_changes(sorted(own, key=lambda i: i.start)):
            if period.contains(at):
                for queue in queues:
                    callid = NO_CALLID if event in ("PAUSE", "UNPAUSE") else MEMBER_CALLID
                    out.add(at, callid, queue, agent, event, data)


def member_changes(intervals: Sequence[AgentInterval]) -> list[tuple[datetime, str, str]]:
    """(time, event, data) of one agent's queue membership, from their intervals in order.

    Logged in = any state but LOGGED_OUT; a gap between intervals is logged out too,
    because the controller only leaves one when the agent is gone.
    """
    changes: list[tuple[datetime, str, str]] = []
    member, paused, last_end = False, False, None
    for interval in intervals:
        if member and last_end is not None and last_end < interval.start:
            changes.append((last_end, "REMOVEMEMBER", ""))
            member, paused = False, False
        is_paused = interval.state is AgentState.PAUSED
        if interval.state is AgentState.LOGGED_OUT:
            if member:
                changes.append((interval.start, "REMOVEMEMBER", ""))
            member, paused = False, False
        elif not member:
            changes.append((interval.start, "ADDMEMBER", "PAUSED" if is_paused else ""))
            member, paused = True, is_paused
        elif is_paused != paused:
            reason = (interval.pause_reason or "") if is_paused else ""
            changes.append((interval.start, "PAUSE" if is_paused else "UNPAUSE", reason))
            paused = is_paused
        last_end = interval.end
    if member and last_end is not None:
        changes.append((last_end, "REMOVEMEMBER", ""))
    return changes
