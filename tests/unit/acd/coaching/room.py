"""What the coaching API tests share: who calls, the recordings on the catalogue, and
small helpers for the answers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from recordings.catalog_rows import RecordingRow
from tests.unit.acd.rig import Rig
from tests.unit.http.demo_access import basic

LEAD, ADMIN, FLOOR = basic("teamlead"), basic("admin"), basic("floor")
ANOUK, BRAM, ELS = basic("anouk"), basic("bram"), basic("els")  # agents 1001, 1002; 301
T0 = datetime(2026, 6, 15, 7, 0, tzinfo=UTC)  # Monday 09:00 in Haarlem
GOOD = {"begroeting": "yes", "vraag": 80, "antwoord": 90, "afspraak": 70, "afsluiting": "yes"}


def recording(id_: str, agent_id: str | None, **changes: Any) -> RecordingRow:
    values: dict[str, Any] = {
        "id": id_, "call_id": f"1718000000.{id_}", "agent_id": agent_id, "extension": "201",
        "position_id": "tic1", "topic": "burgerzaken", "municipality": "haarlem",
        "started_at": T0 - timedelta(days=3), "duration_s": 120.0, "size": 1000,
        "sha256": "a" * 64, "key_id": "k1", "file": f"{id_}.kccrec", "category": "standard",
        **changes,
    }  # fmt: skip
    return RecordingRow(**values)


def audit(r: Rig) -> list[tuple[str, str, str, str | None]]:
    return [(e.user, e.action, e.outcome.value, e.agent_id)
            for e in r.audit.day(T0.date()).entries]  # fmt: skip


async def ok(reply: httpx.Response) -> dict[str, Any]:
    assert reply.status_code == 200, reply.text
    answer: dict[str, Any] = reply.json()
    return answer


async def noted(client: httpx.AsyncClient, who: dict[str, str], **body: Any) -> str:
    reply = await client.post("/api/recordings/r1/notes", json={"at_s": 12.5, "text": "Goed",
                                                               **body}, headers=who)  # fmt: skip
    note_id: str = (await ok(reply))["note"]["id"]
    return note_id


async def shown(client: httpx.AsyncClient, who: dict[str, str] = LEAD) -> dict[str, Any]:
    return await ok(await client.get("/api/recordings/r1/coaching", headers=who))


# ------------------------------------------------------------ reading
