"""The real-time stats service: composition root and uvicorn runner (``kcc stats-serve``).

:func:`create_app` builds every dependency of one app (authenticator, Redis probe, record
store and event consumer, the wallboard's feed, the Prometheus exporter) and each room's
service from them, then adds each room's routes (health, wallboard, prometheus,
reports); the app's lifespan opens and closes the connections. Nothing lives at module
level, so tests build as many independent apps as they like.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import os
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from importlib import metadata
from pathlib import Path
from typing import Any

import uvicorn
from fastapi import FastAPI

from http_access.auth import Authenticator, install_authenticator
from http_access.body_limit import STATS_MAX_BODY, BodyLimit
from http_access.redaction import QueryTokenRedactor
from http_access.streams import StreamSlots, install_stream_slots
from http_access.validation import install_validation_answer
from realtime_stats.health import routes as health_routes
from realtime_stats.health.redis_probe import RedisProbe
from realtime_stats.health.service import HealthService
from realtime_stats.ingest.consumer import ConsumerSettings, EventConsumer
from realtime_stats.prometheus import routes as metrics_routes
from realtime_stats.prometheus.exporter import StatsExporter
from realtime_stats.prometheus.service import MetricsService
from realtime_stats.reports import routes as report_routes
from realtime_stats.reports.service import ReportService
from realtime_stats.store import Store, open_store, store_target
from realtime_stats.wallboard import routes as wallboard_routes
from realtime_stats.wallboard.consumer_feed import ConsumerBoardFeed
from realtime_stats.wallboard.feed import BoardFeed, InMemoryBoardFeed
from realtime_stats.wallboard.kept_snapshot import KeptSnapshot
from realtime_stats.wallboard.service import WallboardService
from site_config.config import SiteConfig
from site_config.demo_secrets import refuse_demo_secrets
from site_config.loader import load_site_config

DISTRIBUTION = "kcc14023"


def _version() -> str:
    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return "unknown"


def create_app(
    site: SiteConfig,
    *,
    redis_url: str | None = None,
    feed: BoardFeed | None = None,
    database: str | None = None,
    recordings_dir: Path | None = None,
    max_body_bytes: int = STATS_MAX_BODY,
) -> FastAPI:
    """The stats app for ``site``; ``redis_url=None`` means health does not check Redis.

    With ``database`` (a ``sqlite:///`` or ``postgresql://`` URL) and ``redis_url`` the
    app follows the controller's event stream, stores the records and feeds the
    wallboard from them; without, the wallboard shows ``feed`` (tests) or nothing.
    The reports read the agents' QA scores from ``recordings_dir`` (default: the site's
    ``recording.directory``, where the controller keeps them).
    """
    redis = RedisProbe(redis_url)
    consumer: EventConsumer | None = None
    store: Store | None = None
    if database is not None and redis_url is not None:
        store = open_store(store_target(database))
        consumer = EventConsumer(ConsumerSettings(redis_url=redis_url), store)
        feed = ConsumerBoardFeed(consumer)
    board_feed = feed or InMemoryBoardFeed()
    # One set of running figures for the day, rendered by the wallboard and by /metrics.
    kept = KeptSnapshot(site)
    exporter = StatsExporter(
        site,
        version=_version(),
        redis_configured=redis_url is not None,
        feed=board_feed,
        follows_events=consumer is not None,
        kept=kept,
    )
    # No /docs, /redoc or /openapi.json: FastAPI serves them without authentication,
    # and no endpoint of this service may be reachable anonymously.
    app = FastAPI(
        title="KCC 14023 real-time stats",
        version=_version(),
        lifespan=_lifespan(redis, consumer, store),
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    # Before anything reads a body, even before authentication (http_access.body_limit).
    app.add_middleware(BodyLimit, max_bytes=max_body_bytes)
    install_authenticator(app, Authenticator(site.access))
    install_stream_slots(app, StreamSlots())
    install_validation_answer(app)
    # Routes go on the app itself, not through include_router: app.routes then lists
    # every route, and tests/unit/http checks each one refuses anonymous callers.
    health_routes.add_routes(app, HealthService(redis, consumer))
    wallboard_routes.add_routes(app, WallboardService(site, board_feed, kept=kept))
    metrics_routes.add_routes(app, MetricsService(exporter, redis, consumer))
    recordings = recordings_dir or site.recording.directory
    report_routes.add_routes(app, ReportService(site, store, recordings))
    return app


def _lifespan(
    redis: RedisProbe, consumer: EventConsumer | None, store: Store | None
) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    """The app's lifespan: Redis probed, the stream followed, the store closed at the end."""

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        async with redis:
            following = None if consumer is None else asyncio.create_task(consumer.run())
            try:
                yield
            finally:
                if following is not None:
                    following.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await following
                if store is not None:
                    store.close()

    return lifespan


def log_config() -> dict[str, Any]:
    """uvicorn's logging setup with display tokens redacted from the access log, and
    refused logins logged."""
    config = copy.deepcopy(uvicorn.config.LOGGING_CONFIG)
    config.setdefault("filters", {})["redact_query_token"] = {"()": QueryTokenRedactor}
    config["handlers"]["access"]["filters"] = ["redact_query_token"]
    # Refused logins (http_access.login: the user name and address, never a secret).
    config["loggers"]["http_access"] = {"handlers": ["default"], "level": "INFO"}
    return config


def build_server(
    site_path: str | Path,
    host: str | None = None,
    port: int | None = None,
    database: str | None = None,
    recordings_dir: Path | None = None,
    environ: Mapping[str, str] | None = None,
) -> uvicorn.Server:
    """A uvicorn server for the site at ``site_path`` (``ConfigError`` if it is bad).

    ``host``/``port`` default to the site's ``services.http_bind_host``/``http_port``,
    ``recordings_dir`` to its ``recording.directory``. A published demo secret in the
    site is a ``ConfigError`` too, unless ``environ`` (default: the process's) says
    this runs the demo (``site_config.demo_secrets``).
    """
    site = load_site_config(site_path)
    refuse_demo_secrets(site, os.environ if environ is None else environ)
    config = uvicorn.Config(
        create_app(
            site,
            redis_url=site.services.redis_url,
            database=database or site.services.database_url,
            recordings_dir=recordings_dir,
        ),
        host=site.services.http_bind_host if host is None else host,
        port=site.services.http_port if port is None else port,
        lifespan="on",
        log_config=log_config(),
        server_header=False,
        # Open wallboard streams never end by themselves: cut them on shutdown.
        timeout_graceful_shutdown=2,
        # Client addresses come from the socket: nothing trusted sits in front.
        proxy_headers=False,
    )
    return uvicorn.Server(config)


def serve(site_path: str | Path, host: str | None = None, port: int | None = None) -> None:
    """Run the stats service in the foreground until interrupted."""
    build_server(site_path, host, port).run()
