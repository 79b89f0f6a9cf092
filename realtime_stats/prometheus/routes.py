"""``/metrics``: the stats service's Prometheus exposition, for the metrics login.

Prometheus logs in with HTTP Basic as a user with role ``metrics``, which opens
``/metrics`` and nothing else (deploy/prometheus.yml); admins may read it too. Display
tokens are refused here on purpose, because a token that sits in a wall screen's URL
must not open anything but the wallboard. A thin route over `MetricsService`
(``realtime_stats.prometheus.service``), which :func:`add_routes` puts on the app.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, FastAPI, Request, Response

from http_access.auth import Principal, require
from realtime_stats.prometheus.service import MetricsService
from site_config.access import Role

METRICS_ACCESS = require(Role.METRICS)  # and admin, as always


def _metrics(request: Request) -> MetricsService:
    metrics: MetricsService = request.app.state.metrics
    return metrics


# Module-level, not local: with postponed annotations FastAPI resolves the names in
# Annotated[..., Depends(...)] from the module's globals.
Metrics = Annotated[MetricsService, Depends(_metrics)]
Scraper = Annotated[Principal, Depends(METRICS_ACCESS)]


async def metrics(request: Request, _: Scraper, service: Metrics) -> Response:
    body, content_type = await service.scrape(request.headers.get("accept"))
    return Response(body, media_type=content_type)


def add_routes(app: FastAPI, service: MetricsService) -> None:
    """``GET /metrics``, for the metrics login and admins."""
    app.state.metrics = service
    app.get("/metrics", response_class=Response)(metrics)
