"""``/metrics``: the stats service's Prometheus exposition, for admins only.

Each app owns its :class:`StatsExporter` with its own ``CollectorRegistry`` (never the
process-wide default registry), so two apps in one process, as in tests, do not clash.
Prometheus logs in with HTTP Basic as an admin user (deploy/prometheus.yml); display
tokens are refused here on purpose, because a token that sits in a wall screen's URL
must not open anything but the wallboard.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, FastAPI, Request, Response
from prometheus_client import CollectorRegistry, Gauge, Info
from prometheus_client.exposition import choose_encoder

from kcc.http_auth import Principal, require
from kcc.site.access import Role
from kcc.site.config import SiteConfig
from realtime_stats.routes_health import RedisProbe, RedisStatus

METRICS_ACCESS = require(Role.ADMIN)


class StatsExporter:
    """The service's own gauges; the contact-centre figures will join them here."""

    def __init__(self, site: SiteConfig, *, version: str, redis_configured: bool) -> None:
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

    def record_redis(self, status: RedisStatus) -> None:
        if self._redis_up is not None and status is not RedisStatus.NOT_CONFIGURED:
            self._redis_up.set(1 if status is RedisStatus.OK else 0)

    def render(self, accept: str | None) -> tuple[bytes, str]:
        """The exposition in the format ``accept`` asks for, and its content type."""
        encoder, content_type = choose_encoder(accept or "")
        return encoder(self.registry), content_type


def add_routes(app: FastAPI, exporter: StatsExporter, redis: RedisProbe) -> None:
    """``GET /metrics``, admin only."""

    @app.get("/metrics", response_class=Response)
    async def metrics(
        request: Request, _: Annotated[Principal, Depends(METRICS_ACCESS)]
    ) -> Response:
        exporter.record_redis(await redis.status())
        body, content_type = exporter.render(request.headers.get("accept"))
        return Response(body, media_type=content_type)
