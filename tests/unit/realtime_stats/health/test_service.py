"""The health report: Redis asked, the event stream's progress read from the consumer."""

from __future__ import annotations

import socket
from datetime import datetime
from typing import NoReturn

from realtime_stats.health.redis_probe import RedisProbe, RedisStatus
from realtime_stats.health.service import EventsHealth, HealthService, events_health
from realtime_stats.ingest.consumer import ConsumerSettings, ConsumerStatus, EventConsumer
from realtime_stats.ingest.gap import StreamGap
from realtime_stats.store import FoldSnapshot, SaveBatch, StreamId


class UnusedStore:
    """The consumer is never run here: its store must not be touched."""

    def snapshot(self, since: datetime) -> FoldSnapshot:
        raise AssertionError("the store was read")

    def write(self, batch: SaveBatch) -> NoReturn:
        raise AssertionError("the store was written")


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


async def test_without_redis_or_a_stream_the_service_is_ok_and_says_no_more() -> None:
    async with RedisProbe(None) as redis:
        report = await HealthService(redis).report()
    assert (report.status, report.redis, report.events) == ("ok", RedisStatus.NOT_CONFIGURED, None)
    assert not report.degraded


async def test_an_unreachable_redis_degrades_and_the_stream_is_reported() -> None:
    consumer = EventConsumer(ConsumerSettings(redis_url="redis://unused"), UnusedStore())
    async with RedisProbe(f"redis://127.0.0.1:{closed_port()}/0", timeout_s=0.5) as redis:
        report = await HealthService(redis, consumer).report()
    assert report.degraded and report.status == "degraded"
    assert report.redis is RedisStatus.UNREACHABLE
    assert report.events == EventsHealth(
        connected=False, caught_up=False, stored_through="", last_error=None
    )


def test_the_stored_position_is_the_stream_id_as_text() -> None:
    status = ConsumerStatus(
        connected=True, caught_up=True, position=StreamId(1_732_000_000_000, 4), last_error="x"
    )
    assert events_health(status) == EventsHealth(
        connected=True, caught_up=True, stored_through="1732000000000-4", last_error="x"
    )


def test_a_gap_is_reported_with_what_was_lost_but_does_not_degrade() -> None:
    gap = StreamGap(StreamId(1_000, 0), StreamId(9_000, 0), StreamId(9_001, 0))
    status = ConsumerStatus(
        connected=True, caught_up=True, position=StreamId(9_500, 0), last_error=None, gap=gap,
        gaps=1,
    )  # fmt: skip
    health = events_health(status)
    assert health.gaps == 1
    assert health.gap == (
        "entries after 1000-0 up to 9000-0 were trimmed from the stream before they were "
        "read (the oldest left is 9001-0)"
    )
