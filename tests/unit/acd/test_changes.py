"""ChangeFeed: a subscriber wakes once per change, changes in between merged, per key."""

from __future__ import annotations

import asyncio
import contextlib

from acd.changes import ChangeFeed


async def _count(feed: ChangeFeed[str], key: str, seen: list[str]) -> None:
    async for _ in feed.changes(key):
        seen.append(key)


async def test_changes_between_two_looks_are_merged_and_keys_kept_apart() -> None:
    feed: ChangeFeed[str] = ChangeFeed()
    seen: list[str] = []
    tasks = [asyncio.create_task(_count(feed, key, seen)) for key in ("1001", "1002")]
    await asyncio.sleep(0)  # both subscribed
    assert (feed.subscribers("1001"), feed.subscribers("1002")) == (1, 1)
    for _ in range(5):
        feed.wake("1001")  # five changes before the page looks: one wake-up
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    assert seen == ["1001"]
    feed.wake("1002")
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    assert seen == ["1001", "1002"]
    for task in tasks:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def test_a_key_goes_once_its_last_subscriber_has_left() -> None:
    feed: ChangeFeed[str] = ChangeFeed()
    first, second = feed.changes("1001"), feed.changes("1001")
    woken = [asyncio.ensure_future(first.__anext__()), asyncio.ensure_future(second.__anext__())]
    await asyncio.sleep(0)
    assert feed.subscribers("1001") == 2
    feed.wake("1001")
    await asyncio.gather(*woken)
    await first.aclose()
    assert feed.subscribers("1001") == 1
    await second.aclose()
    assert feed.subscribers("1001") == 0
    assert feed._slots == {}  # nothing per agent stays behind once their pages are closed
    feed.wake("1001")  # a wake with nobody watching is nothing
