"""The controller's ``/metrics``: its spool, AMI and FastAGI read at each scrape, for
Prometheus' metrics login and the admin (as the stats service's), on the control API through
httpx's ASGI transport (starlette's TestClient warns here: it wants a package this project
does not have)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta

import httpx
import pytest
from fastapi import FastAPI
from prometheus_client.parser import text_string_to_metric_families

from acd.prometheus.exporter import Watched
from acd.publisher import EventPublisher
from acd.publisher.spool import EventSpool
from contract import events as stream
from tests.unit.acd.fake_redis import MemoryRedis
from tests.unit.acd.rig import T0, rig
from tests.unit.acd.test_control_api import SITE
from tests.unit.http.demo_access import basic, bearer

ADMIN = basic("admin")


@dataclass
class AmiStandIn:
    connected: bool = True
    reconnects: int = 0


@dataclass
class AgiStandIn:
    active_sessions: int = 0
    rejected_connections: int = 0


def started(n: int) -> stream.CallStarted:
    return stream.CallStarted(
        at=T0 + timedelta(seconds=n), call_id=f"c{n}", caller="0612345678", dialled="14023"
    )


def samples(body: str) -> dict[str, float]:
    """The unlabelled series (the per-call tables' gauge: ``test_call_entries``)."""
    families = text_string_to_metric_families(body)
    return {s.name: s.value for f in families for s in f.samples if not s.labels}


@asynccontextmanager
async def client_of(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://ctl") as client:
        yield client


@pytest.fixture
def parts() -> Iterator[tuple[EventPublisher, AmiStandIn, AgiStandIn]]:
    with EventSpool.in_memory() as spool:
        publisher = EventPublisher("redis://unused", redis=MemoryRedis(), spool=spool)  # type: ignore[arg-type]
        yield publisher, AmiStandIn(), AgiStandIn()


async def test_the_series_follow_the_parts_at_each_scrape(
    parts: tuple[EventPublisher, AmiStandIn, AgiStandIn],
) -> None:
    publisher, ami, agi = parts
    async with rig(SITE) as r:
        app = r.controller.control_app(Watched(events=publisher, ami=ami, agi=agi))
        async with client_of(app) as client:
            first = samples((await client.get("/metrics", headers=ADMIN)).text)
            assert first == {
                "kcc_controller_event_backlog": 0,
                "kcc_controller_event_spool_bytes": 0,
                "kcc_controller_events_published_total": 0,
                "kcc_controller_events_dropped_total": 0,
                "kcc_controller_ami_connected": 1,
                "kcc_controller_ami_reconnects_total": 0,
                "kcc_controller_agi_sessions": 0,
                "kcc_controller_agi_sessions_refused_total": 0,
            }
            for n in (1, 2):
                publisher.publish(started(n))  # Redis not drained: both wait in the spool
            ami.connected, ami.reconnects = False, 3
            agi.active_sessions, agi.rejected_connections = 4, 1
            reply = await client.get("/metrics", headers=ADMIN)
    assert reply.status_code == 200 and reply.headers["content-type"].startswith("text/plain")
    now = samples(reply.text)
    assert now["kcc_controller_event_backlog"] == 2
    assert now["kcc_controller_event_spool_bytes"] == publisher.spool.bytes > 0
    assert now["kcc_controller_ami_connected"] == 0
    assert now["kcc_controller_ami_reconnects_total"] == 3
    assert (
        now["kcc_controller_agi_sessions"],
        now["kcc_controller_agi_sessions_refused_total"],
    ) == (4, 1)


async def test_metrics_are_for_prometheus_and_the_admin_only(
    parts: tuple[EventPublisher, AmiStandIn, AgiStandIn],
) -> None:
    publisher, ami, agi = parts
    async with rig(SITE) as r:
        app = r.controller.control_app(Watched(events=publisher, ami=ami, agi=agi))
        async with client_of(app) as client:
            assert (await client.get("/metrics")).status_code == 401
            for user in ("floor", "teamlead", "anouk"):
                assert (await client.get("/metrics", headers=basic(user))).status_code == 403
            assert (await client.get("/metrics", headers=bearer())).status_code in (401, 403)
            assert (await client.get("/metrics", headers=ADMIN)).status_code == 200
            assert (await client.get("/metrics", headers=basic("prometheus"))).status_code == 200


async def test_two_apps_have_their_own_registries() -> None:
    async with rig(SITE) as r:
        apps = [r.controller.control_app(Watched(agi=AgiStandIn(n, 0))) for n in (1, 2)]
        async with client_of(apps[0]) as one, client_of(apps[1]) as two:
            got = [samples((await c.get("/metrics", headers=ADMIN)).text) for c in (one, two)]
    assert [g["kcc_controller_agi_sessions"] for g in got] == [1, 2]
    assert "kcc_controller_event_backlog" not in got[0]  # no publisher given: no series
