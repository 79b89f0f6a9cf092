"""The phonebook in the controller (fake AMI): hints move lines, a login resyncs them, and
the HTTP routes search, stream and set a colleague's own status, each only for whom
it is."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from acd.ami.actions import ExtensionStateList
from acd.phonebook import routes
from acd.phonebook.machine import Line
from tests.unit.acd.rig import Rig, hint, rig
from tests.unit.acd.test_control_api import SITE
from tests.unit.http.demo_access import basic

ELS, MARK, ANOUK, FLOOR = basic("els"), basic("mark"), basic("anouk"), basic("floor")


@pytest.fixture
async def api() -> AsyncIterator[tuple[Rig, httpx.AsyncClient]]:
    async with rig(SITE) as r:
        transport = httpx.ASGITransport(app=r.controller.control_app())
        async with httpx.AsyncClient(transport=transport, base_url="http://ctl") as client:
            yield r, client


async def test_hints_move_the_lines_and_a_login_reads_them_all(
    api: tuple[Rig, httpx.AsyncClient],
) -> None:
    r, _ = api
    book = r.controller.phonebook
    r.emit(hint("301", 8))
    r.emit(hint("302", 1, context="kcc-fallback"))  # not the phones' context: ignored
    await r.settle()
    assert book.entry("301").line is Line.RINGING
    assert book.entry("302").line is Line.NOT_REGISTERED
    r.asterisk.hints = [hint("301", 1), hint("302", 0), hint("311", 4)]
    await r.controller.on_connected(None)
    assert r.ami.sent_of(ExtensionStateList)
    lines = {e.colleague.extension: e.line for e in book.entries()}
    assert lines == {
        "301": Line.IN_CALL,
        "302": Line.FREE,
        "311": Line.NOT_REGISTERED,
        "321": Line.NOT_REGISTERED,
    }


async def test_everyone_who_transfers_may_search_it(api: tuple[Rig, httpx.AsyncClient]) -> None:
    r, client = api
    r.emit(hint("301", 0))
    await r.settle()
    for who in (ANOUK, ELS, FLOOR, basic("teamlead"), basic("admin")):
        reply = await client.get("/api/phonebook", params={"q": "reis"}, headers=who)
        assert reply.status_code == 200, reply.text
        assert reply.json() == {
            "entries": [
                {
                    "extension": "301",
                    "name": "Team Reisdocumenten",
                    "department": "Burgerzaken",
                    "department_id": "burgerzaken",
                    "role": None,
                    "photo": False,
                    "line": "free",
                    "line_since": r.clock.now().isoformat(),
                    "availability": "available",
                    "until": None,
                    "reachable": True,
                }
            ]
        }
    assert (await client.get("/api/phonebook")).status_code == 401
    long = await client.get("/api/phonebook", params={"q": "x" * 81}, headers=ANOUK)
    assert long.status_code == 422


async def test_a_colleague_sets_only_their_own_status_and_it_is_audited(
    api: tuple[Rig, httpx.AsyncClient],
) -> None:
    r, client = api
    until = "2026-06-15T15:00:00+02:00"
    absent = {"availability": "absent", "until": until}
    own = await client.put("/api/phonebook/301/status", json=absent, headers=ELS)
    assert own.status_code == 200, own.text
    assert (own.json()["availability"], own.json()["until"]) == ("absent", until)
    other = await client.put("/api/phonebook/302/status", json={"availability": "home"},
                             headers=ELS)  # fmt: skip
    assert other.status_code == 403
    assert other.json()["detail"] == (
        "'els' is at extension 301 and may set only their own status, not that of extension 302"
    )
    agent = await client.put("/api/phonebook/302/status", json={"availability": "home"},
                             headers=ANOUK)  # fmt: skip
    assert agent.status_code == 403
    floor = await client.put("/api/phonebook/302/status", json={"availability": "meeting"},
                             headers=FLOOR)  # fmt: skip
    assert floor.status_code == 200
    past = await client.put("/api/phonebook/302/status",
                            json={"availability": "absent", "until": "2026-06-15T08:00:00+02:00"},
                            headers=MARK)  # fmt: skip
    assert past.status_code == 409 and "has passed already" in past.json()["detail"]
    naive = await client.put("/api/phonebook/302/status",
                             json={"availability": "absent", "until": "2026-06-15T18:00:00"},
                             headers=MARK)  # fmt: skip
    assert naive.status_code == 422
    unknown = await client.put("/api/phonebook/999/status", json={"availability": "home"},
                               headers=FLOOR)  # fmt: skip
    assert unknown.status_code == 404
    entries = r.audit.day(r.clock.now().date()).entries
    assert [(e.user, e.action, e.outcome, e.detail.get("extension")) for e in entries] == [
        ("els", "status", "done", "301"),
        ("els", "status", "forbidden", "302"),
        ("anouk", "status", "forbidden", "302"),
        ("floor", "status", "done", "302"),
        ("mark", "status", "refused", "302"),
    ]


async def test_the_stream_sends_every_entry_then_again_after_each_change() -> None:
    async with rig(SITE) as r:
        events = routes._events(r.controller.phonebook)
        assert await anext(events) == "retry: 3000\n\n"
        first = json.loads((await anext(events)).removeprefix("data: "))
        assert {e["line"] for e in first["entries"]} == {"not_registered"}
        following = asyncio.ensure_future(anext(events))
        await asyncio.sleep(0)
        r.emit(hint("311", 8))
        await r.settle()
        second = json.loads((await asyncio.wait_for(following, 1)).removeprefix("data: "))
        assert [e["line"] for e in second["entries"] if e["extension"] == "311"] == ["ringing"]
        await events.aclose()


async def test_a_photo_is_served_when_the_site_has_one(tmp_path: Path) -> None:
    portrait = tmp_path / "els.png"
    portrait.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 16)
    departments = list(SITE.departments)
    first = departments[0]
    phones = (first.extensions[0].model_copy(update={"photo": portrait}), *first.extensions[1:])
    departments[0] = first.model_copy(update={"extensions": phones})
    async with rig(SITE.model_copy(update={"departments": tuple(departments)})) as r:
        transport = httpx.ASGITransport(app=r.controller.control_app())
        async with httpx.AsyncClient(transport=transport, base_url="http://ctl") as client:
            served = await client.get("/api/phonebook/301/photo", headers=ANOUK)
            assert served.status_code == 200
            assert served.content == portrait.read_bytes()
            assert served.headers["content-type"] == "image/png"
            none = await client.get("/api/phonebook/302/photo", headers=ANOUK)
            assert (none.status_code, none.json()["detail"]) == (404, "extension 302 has no photo")
            nobody = await client.get("/api/phonebook/999/photo", headers=ANOUK)
            assert nobody.status_code == 404
