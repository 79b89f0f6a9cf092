"""A subscription to the fold's changes: what a reader has not taken yet is merged."""

from __future__ import annotations

import asyncio

import pytest

from realtime_stats.ingest.changes import Changes
from realtime_stats.ingest.subscription import Subscription
from realtime_stats.store import StreamId


async def test_a_subscription_merges_what_it_has_not_read_yet() -> None:
    owner: set[Subscription] = set()
    async with Subscription(owner) as changes:
        changes.push(Changes(StreamId(1, 0), calls=frozenset({"a"})))
        changes.push(Changes(StreamId(2, 0), calls=frozenset({"b"})))
        merged = await asyncio.wait_for(anext(changes), 1)
        assert merged == Changes(StreamId(2, 0), calls=frozenset({"a", "b"}))
        assert owner == {changes}
    assert owner == set()
    with pytest.raises(StopAsyncIteration):
        await asyncio.wait_for(anext(changes), 1)
