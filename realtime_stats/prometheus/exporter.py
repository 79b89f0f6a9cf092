"""The stats service's Prometheus exposition: `StatsExporter`, one registry per app.

Each app owns its exporter with its own ``CollectorRegistry`` (never the process-wide
default registry), so two apps in one process, as in tests, do not clash. Beside the
contact-centre series (:mod:`realtime_stats.prometheus.collector`) it exports the
service's own: its build, that it is up, whether Redis answered, and whether the event
stream lost events before this service read them.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Gauge, Info
from prometheus_client.exposition import choose_encoder

from realtime_stats.health.redis_probe import RedisStatus
from realtime_stats.ingest.consumer import ConsumerStatus
from realtime_stats.prometheus.collector import BoardCollector
from realtime_stats.wallboard.feed import BoardFeed
from realtime_stats.wallboard.kept_snapshot import KeptSnapshot
from site_config.config import SiteConfig


class StatsExporter:
    """The service's own gauges and, given a feed, the contact-centre figures."""

    def __init__(
        self,
        site: SiteConfig,
        *,
        version: str,
        redis_configured: bool,
        feed: BoardFeed | None = None,
        follows_events: bool = False,
        kept: KeptSnapshot | None = None,
    ) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        Info(
            "kcc_build", "Version of the kcc backend and the site it serves", registry=self.registry
        ).info({"version": version, "site": site.name})
        up = Gauge("kcc_stats_up", "1 while the stats service answers", registry=self.registry)
        up.set(1)
        # Absent, not 0, without Redis: an alert on kcc_redis_up == 0 must not fire then.
        self._redis_up = (
            Gauge(
                "kcc_redis_up",
                "1 if Redis answered PING at this scrape, 0 if not",
                registry=self.registry,
            )
            if redis_configured
            else None
        )
        # Absent, not 0, when the service follows no event stream.
        self._gap = self._gaps = None
        if follows_events:
            self._gap = Gauge(
                "kcc_stats_event_gap",
                "1 if events were trimmed from the stream before this service read them "
                "(found since start; the figures miss them), else 0",
                registry=self.registry,
            )
            self._gaps = Gauge(
                "kcc_stats_event_gaps",
                "Gaps in the event stream found since start",
                registry=self.registry,
            )
        # No feed, no figures: absent series rather than an empty day of zeros.
        if feed is not None:
            self.registry.register(BoardCollector(site, feed, kept))

    def record_redis(self, status: RedisStatus) -> None:
        if self._redis_up is not None and status is not RedisStatus.NOT_CONFIGURED:
            self._redis_up.set(1 if status is RedisStatus.OK else 0)

    def record_events(self, status: ConsumerStatus) -> None:
        if self._gap is not None and self._gaps is not None:
            self._gap.set(0 if status.gap is None else 1)
            self._gaps.set(status.gaps)

    def render(self, accept: str | None) -> tuple[bytes, str]:
        """The exposition in the format ``accept`` asks for, and its content type."""
        encoder, content_type = choose_encoder(accept or "")
        return encoder(self.registry), content_type
