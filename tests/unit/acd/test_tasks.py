"""TaskSet: every background task owned: started by name, failures logged, closed for good."""

from __future__ import annotations

import asyncio
import logging

import pytest

from acd.tasks import TaskSet


async def test_idle_waits_for_the_tasks_and_for_those_they_start() -> None:
    tasks, done = TaskSet("legs"), []
    release = asyncio.Event()

    async def second() -> None:
        done.append("second")

    async def first() -> None:
        await release.wait()
        tasks.spawn(second(), name="second")
        done.append("first")

    tasks.spawn(first(), name="first")
    assert len(tasks) == 1
    idle = asyncio.create_task(tasks.idle())
    await asyncio.sleep(0)
    assert not idle.done()
    release.set()
    await asyncio.wait_for(idle, 1)
    assert done == ["first", "second"]
    assert len(tasks) == 0


async def test_a_task_is_named_after_its_set_and_its_work() -> None:
    tasks = TaskSet("fallback mirror")
    task = tasks.spawn(asyncio.sleep(0), name="mirror 1001")
    assert task.get_name() == "fallback mirror: mirror 1001"
    await tasks.idle()


async def test_a_failing_task_is_logged_with_its_name_and_the_others_run_on(
    caplog: pytest.LogCaptureFixture,
) -> None:
    tasks = TaskSet("legs")

    async def broken() -> None:
        raise ValueError("no such leg")

    survivor = tasks.spawn(asyncio.sleep(0, result="rang"), name="ring 1001")
    tasks.spawn(broken(), name="hang up")
    with caplog.at_level(logging.ERROR, logger="acd.tasks"):
        await tasks.idle()
    assert survivor.result() == "rang"
    [record] = caplog.records
    assert record.getMessage() == "legs: hang up failed"
    assert record.exc_info is not None and "no such leg" in str(record.exc_info[1])


async def test_a_cancelled_task_is_not_logged_as_failed(caplog: pytest.LogCaptureFixture) -> None:
    tasks = TaskSet("legs")
    task = tasks.spawn(asyncio.Event().wait(), name="ring")
    await asyncio.sleep(0)
    task.cancel()
    with caplog.at_level(logging.ERROR, logger="acd.tasks"):
        await tasks.idle()
    assert caplog.records == []


async def test_close_cancels_what_is_left_and_waits_for_it() -> None:
    tasks, cleaned = TaskSet("legs"), []

    async def ringing() -> None:
        try:
            await asyncio.Event().wait()
        finally:
            cleaned.append("hung up")

    task = tasks.spawn(ringing(), name="ring")
    await asyncio.sleep(0)
    await tasks.close()
    assert task.cancelled() and cleaned == ["hung up"]


async def test_a_closed_set_starts_nothing_and_closes_the_work_it_was_given() -> None:
    tasks = TaskSet("legs")
    await tasks.close()
    work = asyncio.sleep(0)
    with pytest.raises(RuntimeError, match=r"legs is closed: cannot start ring 1001"):
        tasks.spawn(work, name="ring 1001")
    assert work.cr_frame is None  # closed, so no "never awaited" warning
    assert len(tasks) == 0
