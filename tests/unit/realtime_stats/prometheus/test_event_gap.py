"""``kcc_stats_event_gap``: 0 while the stream lost nothing unread, 1 once a gap was found;
absent from a service that follows no event stream."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

from realtime_stats.health.redis_probe import RedisStatus
from realtime_stats.ingest.consumer import ConsumerStatus
from realtime_stats.ingest.gap import StreamGap
from realtime_stats.prometheus.exporter import StatsExporter
from realtime_stats.store import StreamId
from site_config import load_site_config
from tests.unit.http.demo_access import SAMPLE


def _samples(exporter: StatsExporter) -> dict[str, float]:
    body, _ = exporter.render(None)
    return {
        s.name: s.value
        for family in text_string_to_metric_families(body.decode())
        for s in family.samples
    }


def _status(gap: StreamGap | None, gaps: int) -> ConsumerStatus:
    return ConsumerStatus(
        connected=True, caught_up=True, position=StreamId(9_500, 0), last_error=None, gap=gap,
        gaps=gaps,
    )  # fmt: skip


def test_the_gap_gauge_follows_the_consumer() -> None:
    exporter = StatsExporter(
        load_site_config(SAMPLE), version="t", redis_configured=True, follows_events=True
    )
    exporter.record_redis(RedisStatus.OK)
    exporter.record_events(_status(None, 0))
    assert (
        _samples(exporter)["kcc_stats_event_gap"],
        _samples(exporter)["kcc_stats_event_gaps"],
    ) == (0, 0)
    gap = StreamGap(StreamId(1_000, 0), StreamId(9_000, 0), None)
    exporter.record_events(_status(gap, 2))
    assert (
        _samples(exporter)["kcc_stats_event_gap"],
        _samples(exporter)["kcc_stats_event_gaps"],
    ) == (1, 2)


def test_a_service_following_no_stream_has_no_gap_series() -> None:
    exporter = StatsExporter(load_site_config(SAMPLE), version="t", redis_configured=False)
    exporter.record_events(_status(None, 0))
    assert "kcc_stats_event_gap" not in _samples(exporter)
