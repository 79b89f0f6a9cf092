"""``/metrics`` on the control API: the controller's own health, for admins only.

The same access as the stats service's ``/metrics`` (``realtime_stats.prometheus``):
HTTP Basic as an admin user; display tokens are refused. Rendering is cheap (a handful
of counters read from memory), so it runs on the event loop.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, FastAPI, Request, Response

from acd.prometheus.exporter import ControllerExporter
from http_access.auth import Principal, require
from site_config.access import Role

METRICS_ACCESS = require(Role.METRICS)  # Prometheus' own login (and admin, as always)


def _exporter(request: Request) -> ControllerExporter:
    exporter: ControllerExporter = request.app.state.controller_metrics
    return exporter


# Module-level, not local: with postponed annotations FastAPI resolves the names in
# Annotated[..., Depends(...)] from the module's globals.
Exporter = Annotated[ControllerExporter, Depends(_exporter)]
Admin = Annotated[Principal, Depends(METRICS_ACCESS)]


async def metrics(request: Request, _: Admin, exporter: Exporter) -> Response:
    body, content_type = exporter.render(request.headers.get("accept"))
    return Response(body, media_type=content_type)


def add_routes(app: FastAPI, exporter: ControllerExporter) -> None:
    """``GET /metrics``, admin only."""
    app.state.controller_metrics = exporter
    app.get("/metrics", response_class=Response)(metrics)
