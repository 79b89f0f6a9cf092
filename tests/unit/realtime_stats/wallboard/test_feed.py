"""InMemoryBoardFeed: records in, inputs out, and subscribers woken on change."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from contextlib import aclosing
from datetime import UTC, datetime, timedelta

import pytest

from contract.vocabulary import AgentState, CallbackOutcome
from realtime_stats.figures.callback_records import CallbackNote
from realtime_stats.figures.records import AgentInterval, CallRecord, RecordError
from realtime_stats.wallboard.feed import BoardFeed, InMemoryBoardFeed

T0 = datetime(2026, 6, 15, 9, 0, tzinfo=UTC)


def waiting(call_id: str, minute: int = 0) -> CallRecord:
    return CallRecord(call_id=call_id, entered_at=T0 + timedelta(minutes=minute))


def state(agent: str, kind: AgentState, minute: int) -> AgentInterval:
    return AgentInterval(agent_id=agent, state=kind, start=T0 + timedelta(minutes=minute))


def test_is_a_board_feed() -> None:
    feed: BoardFeed = InMemoryBoardFeed()
    assert feed.inputs().calls == ()


def test_inputs_carry_the_records_and_the_clock() -> None:
    feed = InMemoryBoardFeed(clock=lambda: T0 + timedelta(hours=1))
    feed.set_records(
        calls=[waiting("c1"), waiting("c2")],
        intervals=[state("1001", AgentState.AVAILABLE, 0)],
        agent_names={"1001": "Anouk"},
        agent_positions={"1001": "tic1"},
    )
    inputs = feed.inputs()
    assert [c.call_id for c in inputs.calls] == ["c1", "c2"]
    assert [i.agent_id for i in inputs.intervals] == ["1001"]
    assert inputs.now == T0 + timedelta(hours=1)
    assert (dict(inputs.agent_names), dict(inputs.agent_positions)) == (
        {"1001": "Anouk"},
        {"1001": "tic1"},
    )
    feed.set_records(calls=[waiting("c3")])  # names and positions are kept when not given
    assert ([c.call_id for c in feed.inputs().calls], feed.inputs().agent_names["1001"]) == (
        ["c3"],
        "Anouk",
    )


def test_put_call_replaces_by_call_id() -> None:
    feed = InMemoryBoardFeed()
    feed.put_call(waiting("c1"))
    answered = CallRecord(call_id="c1", entered_at=T0, answered_at=T0 + timedelta(seconds=7))
    feed.put_call(answered)
    assert feed.inputs().calls == (answered,)


def test_put_callback_note_replaces_by_note_id_and_set_records_replaces_all() -> None:
    feed = InMemoryBoardFeed()
    due = T0 + timedelta(hours=8)
    feed.put_callback_note(CallbackNote(note_id="n1", department_id="bel", noted_at=T0, due_at=due))
    done = CallbackNote(
        note_id="n1",
        department_id="bel",
        noted_at=T0,
        due_at=due,
        done_at=T0 + timedelta(hours=1),
        outcome=CallbackOutcome.CALLED_BACK,
    )
    feed.put_callback_note(done)
    assert feed.inputs().callback_notes == (done,)
    feed.set_records(calls=[waiting("c1")])
    assert feed.inputs().callback_notes == ()


def test_put_agent_state_ends_the_open_interval() -> None:
    feed = InMemoryBoardFeed()
    feed.put_agent_state(state("1001", AgentState.AVAILABLE, 0), position="tic2")
    feed.put_agent_state(state("1002", AgentState.AVAILABLE, 1))
    feed.put_agent_state(state("1001", AgentState.TALKING, 5))
    intervals = feed.inputs().intervals
    assert [(i.agent_id, i.state, i.end) for i in intervals] == [
        ("1001", AgentState.AVAILABLE, T0 + timedelta(minutes=5)),
        ("1002", AgentState.AVAILABLE, None),
        ("1001", AgentState.TALKING, None),
    ]
    assert feed.inputs().agent_positions == {"1001": "tic2"}


def test_a_state_before_the_open_one_is_refused_and_nothing_is_lost() -> None:
    feed = InMemoryBoardFeed()
    feed.put_agent_state(state("1001", AgentState.AVAILABLE, 10))
    with pytest.raises(RecordError, match="AgentInterval 1001 available: end is before start"):
        feed.put_agent_state(state("1001", AgentState.TALKING, 5))
    assert [(i.state, i.end) for i in feed.inputs().intervals] == [(AgentState.AVAILABLE, None)]


async def next_within(changes: AsyncIterator[None], seconds: float = 1.0) -> bool:
    """True if the subscription yields within ``seconds``; the pending wait is cancelled."""
    try:
        async with asyncio.timeout(seconds):
            await anext(changes)
    except TimeoutError:
        return False
    return True


async def test_a_subscriber_is_woken_once_per_burst() -> None:
    feed = InMemoryBoardFeed()
    changes = feed.subscribe()
    first = asyncio.ensure_future(anext(changes))
    await asyncio.sleep(0)  # registered
    assert feed.subscriber_count == 1
    for minute in range(5):
        feed.put_call(waiting(f"c{minute}", minute))
    await asyncio.wait_for(first, 1)
    # The five notifies came before the subscriber ran: one wake, not five.
    assert await next_within(changes, 0.05) is False
    assert feed.subscriber_count == 0  # the timeout above ended the generator


async def test_every_subscriber_is_woken_and_leaves_on_close() -> None:
    feed = InMemoryBoardFeed()
    async with aclosing(feed.subscribe()) as one, aclosing(feed.subscribe()) as two:
        waits = [asyncio.ensure_future(anext(one)), asyncio.ensure_future(anext(two))]
        await asyncio.sleep(0)
        assert feed.subscriber_count == 2
        feed.notify()
        await asyncio.wait_for(asyncio.gather(*waits), 1)
    assert feed.subscriber_count == 0


async def test_a_change_from_another_thread_wakes_the_subscriber() -> None:
    feed = InMemoryBoardFeed()
    async with aclosing(feed.subscribe()) as changes:
        woken = asyncio.ensure_future(anext(changes))
        await asyncio.sleep(0)
        writer = threading.Thread(target=feed.put_call, args=(waiting("c1"),))
        writer.start()
        await asyncio.wait_for(woken, 1)
        writer.join()
    assert [c.call_id for c in feed.inputs().calls] == ["c1"]


def test_notify_skips_a_subscriber_whose_loop_has_closed() -> None:
    feed = InMemoryBoardFeed()
    changes = feed.subscribe()

    async def wake_once() -> None:
        pending = asyncio.ensure_future(anext(changes))
        await asyncio.sleep(0)
        feed.notify()
        await pending  # the generator now rests at its yield, still subscribed

    async def close() -> None:
        await changes.aclose()

    loop = asyncio.new_event_loop()
    loop.run_until_complete(wake_once())
    loop.close()
    feed.notify()  # must not raise about the closed loop
    assert feed.subscriber_count == 1
    asyncio.run(close())
    assert feed.subscriber_count == 0
