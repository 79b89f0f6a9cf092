"""The stats service's Prometheus exposition: `StatsExporter`, one registry per app.

Each app owns its exporter with its own ``CollectorRegistry`` (never the process-wide
default registry), so two apps in one process, as in tests, do not clash. Beside the
contact-centre series (:mod:`realtime_stats.prometheus.collector`) it exports the
service's own: its build, that it is up, and whether Redis answered.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Gauge, Info
from prometheus_client.exposition import choose_encoder

from realtime_stats.health.redis_probe import RedisStatus
from realtime_stats.prometheus.collector import BoardCollector
from realtime_stats.wallboard.feed import BoardFeed
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
        # No feed, no figures: absent series rather than an empty day of zeros.
        if feed is not None:
            self.registry.register(BoardCollector(site, feed))

    def record_redis(self, status: RedisStatus) -> None:
        if self._redis_up is not None and status is not RedisStatus.NOT_CONFIGURED:
            self._redis_up.set(1 if status is RedisStatus.OK else 0)

    def render(self, accept: str | None) -> tuple[bytes, str]:
        """The exposition in the format ``accept`` asks for, and its content type."""
        encoder, content_type = choose_encoder(accept or "")
        return encoder(self.registry), content_type
