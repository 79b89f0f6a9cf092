"""The wallboard's feed from the controller's event stream (``ingest.consumer.EventConsumer``).

The consumer folds the Redis Stream into today's call records, agent intervals and
callback notes and stores them; this adapter hands them to the wallboard and wakes it on every
folded batch. A restart of the stats service rebuilds the day from the store and
the stream, so the figures carry on where they were.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime

from realtime_stats.ingest.consumer import EventConsumer
from realtime_stats.wallboard.feed import BoardInputs


class ConsumerBoardFeed:
    """``BoardFeed`` over a running ``EventConsumer``."""

    def __init__(
        self, consumer: EventConsumer, clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    ) -> None:
        self._consumer, self._clock = consumer, clock

    def inputs(self) -> BoardInputs:
        fold = self._consumer.fold
        # Read before the records: the wallboard renders in a worker thread while the
        # loop may be folding, so the id may lag the records, never run ahead of them.
        through = fold.last_stream_id
        return BoardInputs(
            calls=tuple(fold.calls()),
            intervals=tuple(fold.intervals_as_they_came()),
            callback_notes=tuple(fold.notes()),
            agent_positions=fold.positions(),
            now=self._clock(),
            events_through="" if through is None else str(through),
        )

    async def subscribe(self) -> AsyncIterator[None]:
        async with self._consumer.subscribe() as changes:
            async for _ in changes:
                yield None
