"""Coaching over the control API: the team lead writes notes and the "besproken" mark on
any recording; the agent whose call it was sees it and only replies to a team lead's
note; other agents, the floor, the back office and displays are refused; every write,
read and refusal is on record, without a note's text. Evaluations are in
test_coaching_evaluations.py."""

from __future__ import annotations

import re
from datetime import date
from importlib import resources
from typing import Any

import httpx
import pytest

from tests.unit.acd.coaching.room import (
    ADMIN,
    ANOUK,
    BRAM,
    ELS,
    FLOOR,
    GOOD,
    LEAD,
    T0,
    audit,
    noted,
    ok,
    shown,
)  # fmt: skip
from tests.unit.acd.rig import Rig
from tests.unit.http.demo_access import bearer


async def test_the_team_lead_sees_an_empty_coaching_with_the_sites_forms(
    api: tuple[Rig, httpx.AsyncClient],
) -> None:
    r, client = api
    answer = await shown(client)
    assert answer["recording"] == {"id": "r1", "call_id": "1718000000.r1", "agent_id": "1001",
                                   "started_at": "2026-06-12T07:00:00+00:00",
                                   "duration_s": 120.0}  # fmt: skip
    assert (answer["notes"], answer["discussed"], answer["evaluations"]) == ([], None, [])
    [form] = answer["forms"]
    assert form["id"] == "gesprek"
    assert [i["id"] for g in form["groups"] for i in g["items"]] == list(GOOD)
    assert form["groups"][0]["items"][1] == {"id": "vraag", "text": "Vat de vraag van de beller "
                                             "samen", "kind": "score", "weight": 2}  # fmt: skip
    assert form["thresholds"][0] == {"min": 80, "colour": "green", "label": "Goed"}
    assert answer["me"] == "teamlead"
    assert answer["may"] == {"note": True, "reply": True, "discussed": True, "evaluate": True}
    assert audit(r) == [("teamlead", "recording/coaching", "done", "1001")]


async def test_the_agent_sees_their_own_recordings_coaching_and_may_only_reply(
    api: tuple[Rig, httpx.AsyncClient],
) -> None:
    _, client = api
    await noted(client, LEAD)
    answer = await shown(client, ANOUK)
    assert [n["author"] for n in answer["notes"]] == ["teamlead"]
    assert answer["me"] == "anouk"
    assert answer["may"] == {"note": False, "reply": True, "discussed": False, "evaluate": False}


async def test_notes_are_threaded_by_moment_with_replies_as_written(
    api: tuple[Rig, httpx.AsyncClient],
) -> None:
    r, client = api
    late = await noted(client, LEAD, at_s=100.0, text="Mooi afgesloten")
    early = await noted(client, ADMIN, at_s=5.25, text="Begroeting vergeten")
    await r.clock.advance(60)
    first = await noted(client, ANOUK, at_s=5.25, text="Klopt, ik was gehaast", reply_to=early)
    await r.clock.advance(60)
    second = await noted(client, LEAD, at_s=5.25, text="Let er volgende keer op",
                         reply_to=early)  # fmt: skip
    notes = (await shown(client))["notes"]
    assert [(n["id"], n["at_s"], n["author"], n["author_role"]) for n in notes] == [
        (early, 5.25, "admin", "admin"), (late, 100.0, "teamlead", "team_lead"),
    ]  # fmt: skip
    assert [(n["id"], n["author"], n["text"], n["reply_to"]) for n in notes[0]["replies"]] == [
        (first, "anouk", "Klopt, ik was gehaast", early),
        (second, "teamlead", "Let er volgende keer op", early),
    ]
    assert notes[1]["replies"] == []
    assert notes[0]["written_at"] == T0.isoformat()


# ------------------------------------------------------------ who may

ROUTES = [
    ("GET", "/api/recordings/r1/coaching", None, "recording/coaching"),
    ("POST", "/api/recordings/r1/notes", {"at_s": 1.0, "text": "Let op"}, "recording/note"),
    ("POST", "/api/recordings/r1/discussed", {"on": "2026-06-15"}, "recording/discussed"),
    ("POST", "/api/recordings/r1/evaluations", {"form_id": "gesprek", "answers": GOOD},
     "recording/evaluation"),
]  # fmt: skip
SEEN = {"recording/coaching"}  # what the agent whose call it was may do (besides replies)


@pytest.mark.parametrize(("method", "path", "body", "action"), ROUTES)
@pytest.mark.parametrize(
    ("who", "name"),
    [(LEAD, "teamlead"), (ADMIN, "admin"), (ANOUK, "anouk"), (BRAM, "bram"), (FLOOR, "floor"),
     (ELS, "els")],
)  # fmt: skip
async def test_who_may_use_each_route(
    api: tuple[Rig, httpx.AsyncClient], method: str, path: str, body: object, action: str,
    who: dict[str, str], name: str,
) -> None:  # fmt: skip
    r, client = api
    reply = await client.request(method, path, json=body, headers=who)
    allowed = name in ("teamlead", "admin") or (name == "anouk" and action in SEEN)
    assert reply.status_code == (200 if allowed else 403), reply.text
    [entry] = r.audit.day(T0.date()).entries
    assert (entry.user, entry.action, entry.outcome.value) == (
        name, action, "done" if allowed else "forbidden",
    )  # fmt: skip
    if not allowed:
        assert entry.reason == reply.json()["detail"]
        assert entry.detail["recording_id"] == "r1"


@pytest.mark.parametrize(("method", "path", "body", "action"), ROUTES)
async def test_anonymous_callers_and_displays_are_refused_before_anything(
    api: tuple[Rig, httpx.AsyncClient], method: str, path: str, body: object, action: str
) -> None:
    r, client = api
    assert (await client.request(method, path, json=body)).status_code == 401
    assert (await client.request(method, path, json=body, headers=bearer())).status_code == 403
    assert audit(r) == []


@pytest.mark.parametrize(
    ("who", "message"),
    [
        (BRAM, r"^'bram' is agent 1002 and sees the coaching of their own recordings only; "
               r"recording r1 is agent 1001's$"),
        (FLOOR, r"^'floor' \(floor_manager\) may not see or write coaching: it is between the "
                r"team lead and the agent whose call it was$"),
        (ELS, r"^'els' \(back_office\) may not see or write coaching"),
    ],
)  # fmt: skip
async def test_a_refusal_says_why(
    api: tuple[Rig, httpx.AsyncClient], who: dict[str, str], message: str
) -> None:
    _, client = api
    reply = await client.get("/api/recordings/r1/coaching", headers=who)
    assert reply.status_code == 403
    assert re.search(message, reply.json()["detail"])


async def test_an_agent_writes_no_note_of_their_own_only_replies_to_a_team_leads(
    api: tuple[Rig, httpx.AsyncClient],
) -> None:
    r, client = api
    reply = await client.post("/api/recordings/r1/notes", json={"at_s": 3, "text": "Ik"},
                              headers=ANOUK)  # fmt: skip
    assert reply.status_code == 403
    assert reply.json()["detail"] == (
        "'anouk' is an agent: an agent answers a team lead's note (reply_to); only team leads "
        "write notes"
    )
    top = await noted(client, LEAD)
    own = await noted(client, ANOUK, reply_to=top)
    reply = await client.post("/api/recordings/r1/notes", json={"at_s": 3, "text": "Nog iets",
                              "reply_to": own}, headers=ANOUK)  # fmt: skip
    assert reply.status_code == 403
    assert reply.json()["detail"] == (
        f"'anouk' is an agent and replies only to a team lead's note; note {own} is by "
        "'anouk' (agent)"
    )
    assert [a for _, a, o, _ in audit(r) if o == "forbidden"] == ["recording/note"] * 2


async def test_another_agent_may_not_reply_on_a_call_not_theirs(
    api: tuple[Rig, httpx.AsyncClient],
) -> None:
    _, client = api
    top = await noted(client, LEAD)
    reply = await client.post("/api/recordings/r1/notes", json={"at_s": 3, "text": "Hoi",
                              "reply_to": top}, headers=BRAM)  # fmt: skip
    assert reply.status_code == 403
    assert "sees the coaching of their own recordings only" in reply.json()["detail"]


async def test_a_call_without_an_agent_is_for_coaches_only(
    api: tuple[Rig, httpx.AsyncClient],
) -> None:
    _, client = api
    reply = await client.get("/api/recordings/r3/coaching", headers=ANOUK)
    assert reply.status_code == 403
    assert reply.json()["detail"].endswith("recording r3 is not an agent's call")
    assert (await client.get("/api/recordings/r3/coaching", headers=LEAD)).status_code == 200


@pytest.mark.parametrize(("method", "path", "body", "action"), ROUTES)
async def test_an_unknown_or_deleted_recording_is_404_on_record(
    api: tuple[Rig, httpx.AsyncClient], method: str, path: str, body: object, action: str
) -> None:
    r, client = api
    r.catalog.mark_deleting("r2")
    for unknown in ("r9", "r2"):
        reply = await client.request(method, path.replace("r1", unknown), json=body, headers=LEAD)
        assert reply.status_code == 404
        assert reply.json()["detail"] == f"no recording {unknown!r} (never kept, or deleted)"
    assert audit(r) == [("teamlead", action, "refused", None)] * 2
    # The agent gets the same answer; the floor is refused before any look-up.
    reply = await client.request(method, path.replace("r1", "r9"), json=body, headers=ANOUK)
    assert reply.status_code == 404
    reply = await client.request(method, path.replace("r1", "r9"), json=body, headers=FLOOR)
    assert reply.status_code == 403


# ------------------------------------------------------------ notes


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"at_s": 121.5, "text": "Te laat"}, "at_s: 121.5; allowed: a moment of the recording, 0 "
                                             "to 120.0 seconds"),
        ({"at_s": -1, "text": "Te vroeg"}, "at_s: -1.0; allowed: a moment of the recording"),
        ({"at_s": 1, "text": "x" * 2001}, "text: 2001 characters; allowed: 1 to 2000 characters"),
        ({"at_s": 1, "text": "   "}, "text: empty; allowed: 1 to 2000 characters"),
        ({"at_s": 1, "text": "Hoi", "reply_to": "n9"}, "reply_to: no note 'n9' on recording r1; "
                                                       "allowed: the id of a note on the same "
                                                       "recording"),
    ],
)  # fmt: skip
async def test_a_wrong_note_is_422_naming_the_field(
    api: tuple[Rig, httpx.AsyncClient], body: dict[str, Any], message: str
) -> None:
    r, client = api
    reply = await client.post("/api/recordings/r1/notes", json=body, headers=LEAD)
    assert reply.status_code == 422
    assert reply.json()["detail"].startswith(message)
    [entry] = r.audit.day(T0.date()).entries
    assert (entry.action, entry.outcome.value, entry.agent_id) == ("recording/note", "refused",
                                                                   "1001")  # fmt: skip
    assert entry.reason == reply.json()["detail"]
    assert "x" * 10 not in entry.to_json()


async def test_a_moment_just_past_the_end_is_the_end(api: tuple[Rig, httpx.AsyncClient]) -> None:
    _, client = api
    reply = await client.post("/api/recordings/r1/notes", json={"at_s": 120.6, "text": "Einde"},
                              headers=LEAD)  # fmt: skip
    assert (await ok(reply))["note"]["at_s"] == 120.0


async def test_replies_go_one_level_deep_and_stay_on_their_recording(
    api: tuple[Rig, httpx.AsyncClient],
) -> None:
    _, client = api
    top = await noted(client, LEAD)
    reply = await noted(client, LEAD, reply_to=top)
    answer = await client.post("/api/recordings/r1/notes", json={"at_s": 1, "text": "En?",
                               "reply_to": reply}, headers=LEAD)  # fmt: skip
    assert answer.status_code == 422
    assert answer.json()["detail"].startswith(f"reply_to: note {reply} is a reply itself")
    answer = await client.post("/api/recordings/r2/notes", json={"at_s": 1, "text": "Hier?",
                               "reply_to": top}, headers=LEAD)  # fmt: skip
    assert answer.status_code == 422
    assert answer.json()["detail"].startswith(f"reply_to: no note {top!r} on recording r2")


async def test_a_note_is_on_record_without_its_text(api: tuple[Rig, httpx.AsyncClient]) -> None:
    r, client = api
    note_id = await noted(client, LEAD, text="Geheime opmerking over de toon")
    [entry] = r.audit.day(T0.date()).entries
    assert (entry.user, entry.action, entry.outcome.value, entry.agent_id) == (
        "teamlead", "recording/note", "done", "1001",
    )  # fmt: skip
    assert entry.detail == {"recording_id": "r1", "at_s": "12.5", "note_id": note_id}
    assert "Geheime" not in entry.to_json()


# ------------------------------------------------------------ besproken


async def test_a_call_is_marked_discussed_once(api: tuple[Rig, httpx.AsyncClient]) -> None:
    r, client = api
    reply = await client.post("/api/recordings/r1/discussed", json={"on": "2026-06-15"},
                              headers=LEAD)  # fmt: skip
    assert (await ok(reply)) == {"ok": True}
    answer = await shown(client, ANOUK)
    assert answer["discussed"] == {"on": "2026-06-15", "by": "teamlead", "at": T0.isoformat()}
    assert (await shown(client))["may"]["discussed"] is False
    reply = await client.post("/api/recordings/r1/discussed", json={"on": "2026-06-14"},
                              headers=ADMIN)  # fmt: skip
    assert reply.status_code == 409
    assert reply.json()["detail"] == (
        "recording r1 was marked discussed already: on 2026-06-15 by 'teamlead'"
    )
    assert r.controller.parts.coaching.discussed_on("r1") == date(2026, 6, 15)
    entries = [e for e in r.audit.day(T0.date()).entries if e.action == "recording/discussed"]
    assert [(e.user, e.outcome.value) for e in entries] == [("teamlead", "done"),
                                                            ("admin", "refused")]  # fmt: skip
    assert entries[0].detail == {"recording_id": "r1", "on": "2026-06-15"}


@pytest.mark.parametrize(
    ("on", "message"),
    [("2026-06-16", "on: 2026-06-16; allowed: the day of the talk, from the day of the call "
                    "(2026-06-12) to today (2026-06-15)"),
     ("2026-06-11", "on: 2026-06-11; allowed: the day of the talk")],
)  # fmt: skip
async def test_the_discussed_day_lies_between_the_call_and_today(
    api: tuple[Rig, httpx.AsyncClient], on: str, message: str
) -> None:
    _, client = api
    reply = await client.post("/api/recordings/r1/discussed", json={"on": on}, headers=LEAD)
    assert reply.status_code == 422
    assert reply.json()["detail"].startswith(message)
    ok_day = await client.post("/api/recordings/r1/discussed", json={"on": "2026-06-12"},
                               headers=LEAD)  # fmt: skip
    assert ok_day.status_code == 200


# ------------------------------------------------------------ evaluations


@pytest.mark.parametrize(("path", "kind"), [("/coaching.js", "text/javascript"),
                                            ("/coaching.css", "text/css")])  # fmt: skip
async def test_the_panels_script_and_style_are_served_to_coaches_and_agents(
    api: tuple[Rig, httpx.AsyncClient], path: str, kind: str
) -> None:
    _, client = api
    for who in (LEAD, ANOUK, ADMIN):
        reply = await client.get(path, headers=who)
        assert reply.status_code == 200
        assert reply.headers["content-type"].startswith(kind)
        assert reply.headers["x-content-type-options"] == "nosniff"
        # Inlinable too (http_access.page.InlinePage): no end tag, no double braces.
        assert "</" not in reply.text and "{{" not in reply.text
    assert (await client.get(path, headers=FLOOR)).status_code == 403
    assert (await client.get(path)).status_code == 401


async def test_the_script_keeps_to_a_strict_csp() -> None:
    script = resources.files("acd.coaching").joinpath("coaching.js").read_text("utf-8")
    for forbidden in ("innerHTML", ".style", "setAttribute('style'", "eval(", "new Function",
                      "onclick", "http://", "https://"):  # fmt: skip
        assert forbidden not in script, forbidden
    for needed in ("section#coaching", "player-audio", "dataset.recording", "currentTime",
                   "Notitie op dit moment", "Besproken met medewerker"):  # fmt: skip
        assert needed in script, needed
