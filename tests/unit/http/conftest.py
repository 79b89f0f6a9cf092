"""Fixtures for the HTTP layer: the sample site with cheap password hashes, apps, clients.

The sample's scrypt hashes cost ~0.1 s each, which would make the access matrix slow;
``site`` keeps the sample's users, roles and demo passwords but re-hashes them at a
tiny scrypt cost. ``sample_site`` is the untouched sample, for the few tests that must
prove the documented demo credentials work.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from fastapi import FastAPI

from realtime_stats.app import create_app
from site_config import SiteConfig, load_site_config
from site_config.passwords import token_sha256
from tests.unit.http.demo_access import DISPLAY_TOKEN, SAMPLE, cheaply_hashed
from tests.unit.http.fakes import ClientFactory, FakeRedis


@pytest.fixture(scope="session")
def sample_site() -> SiteConfig:
    return load_site_config(SAMPLE)


@pytest.fixture(scope="session")
def site(sample_site: SiteConfig) -> SiteConfig:
    site = cheaply_hashed(sample_site)
    assert site.access.display_tokens[0].token_sha256 == token_sha256(DISPLAY_TOKEN)
    return site


@pytest.fixture
def app(site: SiteConfig) -> FastAPI:
    return create_app(site)


async def _client_for(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://testserver") as client,
    ):
        yield client


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """A client for ``app`` with the app's lifespan running."""
    async for client in _client_for(app):
        yield client


@pytest.fixture
def client_for() -> ClientFactory:
    """``async for c in client_for(app)``: a client for another app, lifespan running."""
    return _client_for


@pytest.fixture
def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@pytest.fixture
async def fake_redis() -> AsyncIterator[tuple[str, FakeRedis]]:
    """``(redis_url, FakeRedis)`` of a RESP server on a free loopback port."""
    fake = FakeRedis()
    server = await asyncio.start_server(fake.handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server:
        yield f"redis://127.0.0.1:{port}/0", fake


@pytest.fixture
def restore_uvicorn_logging() -> Iterator[None]:
    """uvicorn's Config reconfigures its loggers process-wide; put them back after."""
    import logging

    names = ("uvicorn", "uvicorn.error", "uvicorn.access")
    saved = {n: (logging.getLogger(n).handlers[:], logging.getLogger(n).level) for n in names}
    yield
    for name, (handlers, level) in saved.items():
        logger = logging.getLogger(name)
        logger.handlers[:] = handlers
        logger.setLevel(level)
