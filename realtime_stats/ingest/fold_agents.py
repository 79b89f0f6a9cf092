"""The fold's agent part: `agent.state` events into agent intervals, and who handles what.

Each `AgentStateChanged` closes the agent's open interval and opens a new one; the same
state repeated adds nothing. After-call work is added to the call it was for when the
interval closes. An agent is *handling* an answered call while talking on it or wrapping
it up: once they move on (another call, a pause, available), the call's handling is done
(`TrackedCall.agent_done`), which `realtime_stats.ingest.fold_calls` needs too. A
`controller.started` closes every open interval (`controller_started`). Handlers
read the `FoldState` and return a `FoldUpdate`; they raise `RecordError` for an
impossible event, which the fold then skips whole.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from contract.events import AgentStateChanged
from contract.vocabulary import AgentState
from realtime_stats.figures.records import AgentInterval
from realtime_stats.figures.tracked_records import TrackedInterval
from realtime_stats.ingest.fold_step import FoldState, FoldUpdate

# While an agent talks on a call or wraps it up, the call's handling is not finished.
_HANDLING = frozenset({AgentState.TALKING, AgentState.AFTER_CALL_WORK})


def state_changed(state: FoldState, event: AgentStateChanged) -> FoldUpdate:
    agent, now = event.agent_id, event.state
    reason = event.reason.value if now is AgentState.PAUSED and event.reason else None
    interval = AgentInterval(agent_id=agent, state=now, start=event.at, pause_reason=reason)
    # A logged-out agent is at no position (the event names the one they left).
    position = None if now is AgentState.LOGGED_OUT else event.position_id or None
    new = TrackedInterval(interval=interval, call_id=event.call_id or None, position_id=position)
    current = current_interval(state, agent)
    if current is not None and current == replace(
        new, interval=replace(new.interval, start=current.interval.start)
    ):
        return FoldUpdate()  # the same state repeated: nothing new to record
    update = release(state, agent, keep=new.call_id if now in _HANDLING else None)
    if current is not None:
        _close(state, current, event.at, update)
    update.intervals.append(new)
    if now in _HANDLING and new.call_id is not None:
        update.handling[agent] = new.call_id
    return update


def controller_started(state: FoldState, at: datetime, update: FoldUpdate) -> None:
    """A new controller knows no agent state from before it: each agent's open interval
    ends at `at` (never before it started), so the agent shows logged out until the new
    controller restores them; their `agent.state` then opens a new interval, after this
    one, so no second counts the same time. Run after `fold_calls.controller_started`,
    whose versions of the calls it reads (after-call work is added to its call)."""
    for agent in state.intervals:
        current = current_interval(state, agent)
        if current is None or current.interval.state is AgentState.LOGGED_OUT:
            continue  # logged out is what the board shows for a closed one anyway
        end = max(at, current.interval.start)
        if end == current.interval.start:  # `_close` leaves a zero-length one to be replaced
            update.intervals.append(replace(current, interval=replace(current.interval, end=end)))
        else:
            _close(state, current, end, update)


def current_interval(state: FoldState, agent: str) -> TrackedInterval | None:
    """The agent's open interval (a restored day may end with a closed one)."""
    per = state.intervals.get(agent)
    last = next(reversed(per.values())) if per else None
    return last if last is not None and last.interval.end is None else None


def _close(state: FoldState, current: TrackedInterval, at: datetime, update: FoldUpdate) -> None:
    """End the agent's open interval at `at`; after-call work is added to its call."""
    if current.interval.start == at:
        return  # a zero-length interval: the new one, with the same key, replaces it
    update.intervals.append(replace(current, interval=replace(current.interval, end=at)))
    if current.interval.state is not AgentState.AFTER_CALL_WORK or current.call_id is None:
        return
    tracked = update.calls.get(current.call_id) or state.calls.get(current.call_id)
    if tracked is None or tracked.record.answered_at is None:
        update.note = f"after-call work for call {current.call_id}, not an answered call here"
        return
    seconds = (at - current.interval.start).total_seconds()
    record = replace(tracked.record, after_call_seconds=tracked.record.after_call_seconds + seconds)
    update.calls[current.call_id] = replace(tracked, record=record)


def release(state: FoldState, agent: str, *, keep: str | None) -> FoldUpdate:
    """The agent moved on from the call it was handling, unless that call is `keep`."""
    update = FoldUpdate()
    call_id = state.handling.get(agent)
    if call_id is None or call_id == keep:
        return update
    update.handling[agent] = None
    tracked = state.calls.get(call_id)
    if tracked is not None:
        update.calls[call_id] = replace(tracked, agent_done=True)
    return update
