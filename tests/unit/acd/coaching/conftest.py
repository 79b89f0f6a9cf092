"""The control API on the rig, with three recordings on its catalogue."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from tests.unit.acd.coaching.room import T0, recording
from tests.unit.acd.rig import Rig, rig
from tests.unit.acd.test_control_api import SITE


@pytest.fixture
async def api() -> AsyncIterator[tuple[Rig, httpx.AsyncClient]]:
    async with rig(SITE, start=T0) as r:
        for row in (recording("r1", "1001"), recording("r2", "1002"), recording("r3", None)):
            r.catalog.add(row, [])
        transport = httpx.ASGITransport(app=r.controller.control_app())
        async with httpx.AsyncClient(transport=transport, base_url="http://ctl") as client:
            yield r, client
