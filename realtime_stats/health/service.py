"""Is the stats service healthy? Redis answering, how far the event stream is stored, and
whether events were lost unread (a gap).

`HealthService.report` asks the `RedisProbe` and reads the event consumer's status; the
service is degraded when a configured Redis does not answer. A gap does not degrade it
(a restart would not bring the events back, and a 503 could make an orchestrator try):
it is reported in `events.gap`, and alerted on through ``kcc_stats_event_gap``. A
service that follows no event stream (tests, the demo's board) reports no `events` at all.
"""

from __future__ import annotations

from pydantic import BaseModel

from realtime_stats.health.redis_probe import RedisProbe, RedisStatus
from realtime_stats.ingest.consumer import ConsumerStatus, EventConsumer


class EventsHealth(BaseModel, frozen=True):
    """How far the controller's event stream has been followed and stored."""

    connected: bool
    caught_up: bool  # the stream was read to its end at least once since start
    stored_through: str  # stream id up to which records are durable ("" none yet)
    last_error: str | None
    # Events trimmed from the stream before they were read, found since start: what
    # the figures miss (realtime_stats.ingest.gap). None: no gap.
    gap: str | None = None
    gaps: int = 0


class HealthReport(BaseModel, frozen=True):
    status: str  # "ok", or "degraded" when a configured dependency does not answer
    redis: RedisStatus
    events: EventsHealth | None = None  # None: this service follows no stream

    @property
    def degraded(self) -> bool:
        return self.status == "degraded"


def events_health(status: ConsumerStatus) -> EventsHealth:
    return EventsHealth(
        connected=status.connected,
        caught_up=status.caught_up,
        stored_through="" if status.position is None else str(status.position),
        last_error=status.last_error,
        gap=None if status.gap is None else str(status.gap),
        gaps=status.gaps,
    )


class HealthService:
    """The health of one stats service: its Redis, and its event consumer if it has one."""

    def __init__(self, redis: RedisProbe, consumer: EventConsumer | None = None) -> None:
        self._redis, self._consumer = redis, consumer

    async def report(self) -> HealthReport:
        redis = await self._redis.status()
        degraded = redis is RedisStatus.UNREACHABLE
        return HealthReport(
            status="degraded" if degraded else "ok",
            redis=redis,
            events=None if self._consumer is None else events_health(self._consumer.status),
        )
