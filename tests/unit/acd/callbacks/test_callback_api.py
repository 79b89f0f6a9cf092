"""Callback notes over the control API: an agent writes one from the call, its addressee
lists and closes it; callback numbers only for the addressee, team leads and the admin;
every write, read and close on record, without the caller's data."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from acd.callbacks.machine import NoteState
from acd.callbacks.readers import Scope
from tests.unit.acd.rig import Rig, rig
from tests.unit.acd.test_control_api import SITE
from tests.unit.http.demo_access import basic

ANOUK, FLOOR, LEAD, ADMIN = basic("anouk"), basic("floor"), basic("teamlead"), basic("admin")
ELS, MARK, PRIYA = basic("els"), basic("mark"), basic("priya")  # 301, 302 burgerzaken; 311
FRIDAY = datetime(2026, 5, 22, 9, 15, tzinfo=UTC)  # before Whit Monday


@pytest.fixture
async def api() -> AsyncIterator[tuple[Rig, httpx.AsyncClient]]:
    async with rig(SITE, start=FRIDAY) as r:
        transport = httpx.ASGITransport(app=r.controller.control_app())
        async with httpx.AsyncClient(transport=transport, base_url="http://ctl") as client:
            yield r, client


def body(**changes: str | None) -> dict[str, Any]:
    return {
        "department": "burgerzaken",
        "caller_name": "Jan Smit",
        "callback_number": "06 1234 5678",
        "question": "Is mijn paspoort al klaar?",
        "call_id": "1718000000.7",
        **changes,
    }


async def written(client: httpx.AsyncClient, **changes: str | None) -> str:
    reply = await client.post("/api/agents/1001/callback-notes", json=body(**changes),
                              headers=ANOUK)  # fmt: skip
    assert reply.status_code == 200, reply.text
    note_id: str = reply.json()["id"]
    return note_id


async def listed(client: httpx.AsyncClient, who: dict[str, str], **query: str) -> list[str]:
    reply = await client.get("/api/callback-notes", params=query, headers=who)
    assert reply.status_code == 200, reply.text
    return [n["id"] for n in reply.json()["notes"]]


def audit(r: Rig) -> list[tuple[str, str, str]]:
    return [(e.user, e.action, e.outcome.value) for e in r.audit.day(FRIDAY.date()).entries]


async def test_a_note_written_on_friday_before_a_monday_holiday_is_due_at_the_end_of_tuesday(
    api: tuple[Rig, httpx.AsyncClient],
) -> None:
    r, client = api
    reply = await client.post("/api/agents/1001/callback-notes", json=body(extension="301"),
                              headers=ANOUK)  # fmt: skip
    assert reply.status_code == 200, reply.text
    answer = reply.json()
    assert answer == {"ok": True, "id": answer["id"], "due": "2026-05-26T15:00:00+00:00"}
    assert len(answer["id"]) == 32
    [entry] = r.audit.day(FRIDAY.date()).entries
    assert (entry.user, entry.action, entry.outcome.value, entry.agent_id) == (
        "anouk", "callback-notes", "done", "1001",
    )  # fmt: skip
    assert entry.detail == {"note_id": answer["id"], "department": "burgerzaken",
                            "extension": "301", "due": "2026-05-26T15:00:00+00:00"}  # fmt: skip


async def test_the_floor_may_write_for_an_agent_and_the_agent_only_for_themself(
    api: tuple[Rig, httpx.AsyncClient],
) -> None:
    r, client = api
    floor = await client.post("/api/agents/1002/callback-notes", json=body(), headers=FLOOR)
    assert floor.status_code == 200
    other = await client.post("/api/agents/1002/callback-notes", json=body(), headers=ANOUK)
    assert other.status_code == 403
    office = await client.post("/api/agents/1001/callback-notes", json=body(), headers=ELS)
    assert office.status_code == 403
    [note] = r.controller.callbacks.notes(NoteState.OPEN, Scope())
    assert note.note.agent_id == "1002"


async def test_a_wrong_field_is_named_and_refused_on_record_without_the_callers_data(
    api: tuple[Rig, httpx.AsyncClient],
) -> None:
    r, client = api
    cases = [
        (body(callback_number="06 1234 567"), "callback_number: 9 digits, not 10; allowed: "),
        (body(extension="311"), "extension: unknown; allowed: an extension of department "),
        (body(caller_name=""), "caller_name: empty; allowed: the caller's name, 1 to 80 "),
        (body(topic="paspoort"), "topic: unknown; allowed: a topic id (or none): "),
    ]
    for sent, message in cases:
        reply = await client.post("/api/agents/1001/callback-notes", json=sent, headers=ANOUK)
        assert reply.status_code == 422, reply.text
        assert reply.json()["detail"].startswith(message)
    missing = {k: v for k, v in body().items() if k != "question"}
    reply = await client.post("/api/agents/1001/callback-notes", json=missing, headers=ANOUK)
    assert reply.status_code == 422
    assert reply.json()["detail"][0]["loc"] == ["body", "question"]
    assert audit(r) == [("anouk", "callback-notes", "refused")] * 4
    assert all(e.detail == {} for e in r.audit.day(FRIDAY.date()).entries)
    assert r.controller.callbacks.notes(NoteState.OPEN, Scope()) == []
    assert r.types("callback.") == []
    on_disk = "".join(p.read_text() for p in r.audit.folder.glob("audit-*.jsonl"))
    assert "callback_number: 9 digits" in on_disk  # the refusals are there, the data not
    assert "Smit" not in on_disk and "1234" not in on_disk and "paspoort?" not in on_disk


async def test_each_colleague_sees_their_departments_notes_and_nothing_else(
    api: tuple[Rig, httpx.AsyncClient],
) -> None:
    _, client = api
    everyone = await written(client)
    for_els = await written(client, extension="301")
    for_mark = await written(client, extension="302")
    taxes = await written(client, department="belastingen", topic="belastingen")
    assert set(await listed(client, ELS)) == {everyone, for_els}
    assert set(await listed(client, MARK)) == {everyone, for_mark}
    assert await listed(client, PRIYA) == [taxes]
    assert await listed(client, basic("tom")) == []
    assert await listed(client, ELS, department="burgerzaken") == await listed(client, ELS)
    for boss in (LEAD, ADMIN):
        assert set(await listed(client, boss)) == {everyone, for_els, for_mark, taxes}
        assert await listed(client, boss, department="belastingen") == [taxes]


async def test_a_listed_note_shows_everything_to_its_addressee_and_stands_out_when_overdue(
    api: tuple[Rig, httpx.AsyncClient],
) -> None:
    r, client = api
    note_id = await written(client, extension="301", topic="burgerzaken")
    [shown] = (await client.get("/api/callback-notes", headers=ELS)).json()["notes"]
    assert shown == {
        "id": note_id, "state": "open", "overdue": False,
        "created_at": "2026-05-22T09:15:00+00:00", "due": "2026-05-26T15:00:00+00:00",
        "call_id": "1718000000.7", "agent_id": "1001", "municipality": "haarlem",
        "department": "burgerzaken", "extension": "301", "topic": "burgerzaken",
        "caller_name": "Jan Smit", "callback_number": "0612345678",
        "question": "Is mijn paspoort al klaar?",
        "done_at": None, "done_by": None, "outcome": None,
    }  # fmt: skip
    await r.clock.advance(4 * 24 * 3600)  # Tuesday 11:15 in Haarlem: not yet
    assert (await client.get("/api/callback-notes", headers=ELS)).json()["notes"][0][
        "overdue"
    ] is False
    await r.clock.advance(5 * 3600 + 45 * 60 + 1)  # one second past 17:00
    [late] = (await client.get("/api/callback-notes", headers=ELS)).json()["notes"]
    assert late["overdue"] is True


@pytest.mark.parametrize("who", [ANOUK, FLOOR])
async def test_agents_and_the_floor_may_not_see_callback_numbers(
    api: tuple[Rig, httpx.AsyncClient], who: dict[str, str]
) -> None:
    r, client = api
    await written(client)
    reply = await client.get("/api/callback-notes", headers=who)
    assert reply.status_code == 403
    assert "may not see callback notes: they hold callers' numbers" in reply.json()["detail"]
    assert audit(r)[-1][1:] == ("callback-notes/read", "forbidden")


async def test_a_colleague_asking_for_another_department_is_refused(
    api: tuple[Rig, httpx.AsyncClient],
) -> None:
    r, client = api
    other = await client.get("/api/callback-notes", params={"department": "belastingen"},
                             headers=ELS)  # fmt: skip
    assert other.status_code == 403
    assert other.json()["detail"] == (
        "'els' is in department burgerzaken and sees only its callback notes, "
        "not those of belastingen"
    )
    unknown = await client.get("/api/callback-notes", params={"department": "paspoort"},
                               headers=LEAD)  # fmt: skip
    assert unknown.status_code == 422
    assert unknown.json()["detail"].startswith("department: unknown; allowed: a department id")
    bad_state = await client.get("/api/callback-notes", params={"state": "all"}, headers=LEAD)
    assert bad_state.status_code == 422
    assert audit(r) == [
        ("els", "callback-notes/read", "forbidden"),
        ("teamlead", "callback-notes/read", "refused"),
    ]


async def test_the_addressee_closes_a_note_once_with_an_outcome(
    api: tuple[Rig, httpx.AsyncClient],
) -> None:
    r, client = api
    note_id = await written(client, extension="301")
    url = f"/api/callback-notes/{note_id}/done"
    for stranger in (MARK, PRIYA, ANOUK, FLOOR):
        refused = await client.post(url, json={"outcome": "called_back"}, headers=stranger)
        assert refused.status_code == 403, refused.text
    mark = await client.post(url, json={"outcome": "called_back"}, headers=MARK)
    assert mark.json()["detail"] == (
        f"'mark' may not close callback note {note_id}: it is for extension 301 of burgerzaken"
    )
    wrong = await client.post(url, json={"outcome": "maybe"}, headers=ELS)
    assert wrong.status_code == 422
    ok = await client.post(url, json={"outcome": "not_reached"}, headers=ELS)
    assert ok.status_code == 200 and ok.json() == {"ok": True}
    again = await client.post(url, json={"outcome": "called_back"}, headers=LEAD)
    assert again.status_code == 409
    assert again.json()["detail"].startswith(f"callback note {note_id} is done already: "
                                             "closed by 'els' on 2026-05-22 11:15")  # fmt: skip
    gone = await client.post("/api/callback-notes/nope/done", json={"outcome": "otherwise"},
                             headers=LEAD)  # fmt: skip
    assert gone.status_code == 404
    [done] = (await client.get("/api/callback-notes", params={"state": "done"},
                               headers=ELS)).json()["notes"]  # fmt: skip
    assert (done["id"], done["state"], done["outcome"], done["done_by"]) == (
        note_id, "done", "not_reached", "els",
    )  # fmt: skip
    assert await listed(client, ELS) == []
    assert r.types("callback.") == ["callback.noted", "callback.done"]
    closes = [a for a in audit(r) if a[1] == "callback-notes/done"]
    assert closes == [
        ("mark", "callback-notes/done", "forbidden"),
        ("priya", "callback-notes/done", "forbidden"),
        ("anouk", "callback-notes/done", "forbidden"),
        ("floor", "callback-notes/done", "forbidden"),
        ("mark", "callback-notes/done", "forbidden"),
        ("els", "callback-notes/done", "done"),
        ("teamlead", "callback-notes/done", "refused"),
        ("teamlead", "callback-notes/done", "refused"),
    ]


async def test_a_department_note_is_closed_by_any_colleague_there_or_a_team_lead(
    api: tuple[Rig, httpx.AsyncClient],
) -> None:
    _, client = api
    first, second = await written(client), await written(client)
    by_mark = await client.post(f"/api/callback-notes/{first}/done",
                                json={"outcome": "called_back"}, headers=MARK)  # fmt: skip
    assert by_mark.status_code == 200
    by_lead = await client.post(f"/api/callback-notes/{second}/done",
                                json={"outcome": "otherwise"}, headers=LEAD)  # fmt: skip
    assert by_lead.status_code == 200
    assert await listed(client, ELS) == []
