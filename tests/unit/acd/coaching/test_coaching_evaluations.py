"""Evaluations over the control API: scored against the site's form, one first
evaluation per evaluator, corrected by a new one that keeps the first, and wrong
answers refused naming the item."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.unit.acd.coaching.room import ADMIN, ANOUK, GOOD, LEAD, T0, audit, ok, shown
from tests.unit.acd.rig import Rig


async def evaluate(client: httpx.AsyncClient, who: dict[str, str], **body: Any) -> httpx.Response:
    sent = {"form_id": "gesprek", "answers": GOOD, **body}
    return await client.post("/api/recordings/r1/evaluations", json=sent, headers=who)


async def evaluated(
    client: httpx.AsyncClient, who: dict[str, str] = LEAD, **body: Any
) -> dict[str, Any]:
    evaluation: dict[str, Any] = (await ok(await evaluate(client, who, **body)))["evaluation"]
    return evaluation


async def test_an_evaluation_is_scored_and_coloured(api: tuple[Rig, httpx.AsyncClient]) -> None:
    r, client = api
    kept = await evaluated(client)
    assert kept == {
        "id": kept["id"], "form_id": "gesprek", "evaluator": "teamlead",
        "submitted_at": T0.isoformat(), "answers": GOOD, "score": 85.6, "colour": "green",
        "label": "Goed", "corrects": None, "current": True, "corrected_by": None,
    }  # fmt: skip
    [entry] = r.audit.day(T0.date()).entries
    assert (await shown(client, ANOUK))["evaluations"] == [kept]
    assert (entry.user, entry.action, entry.outcome.value, entry.agent_id) == (
        "teamlead", "recording/evaluation", "done", "1001",
    )  # fmt: skip
    assert entry.detail == {"recording_id": "r1", "form_id": "gesprek",
                            "evaluation_id": kept["id"], "score": "85.6"}  # fmt: skip


async def test_a_second_evaluation_is_409_and_a_correction_keeps_the_first(
    api: tuple[Rig, httpx.AsyncClient],
) -> None:
    r, client = api
    first = await evaluated(client)
    reply = await evaluate(client, LEAD)
    assert reply.status_code == 409
    assert reply.json()["detail"].endswith(f"send a correction with corrects={first['id']}")
    await r.clock.advance(3600)
    worse = {**GOOD, "antwoord": 20, "begroeting": "no"}
    second = await evaluated(client, answers=worse, corrects=first["id"])
    assert (second["score"], second["colour"], second["corrects"]) == (51.1, "red", first["id"])
    listed = (await shown(client))["evaluations"]
    assert [(e["id"], e["current"], e["corrected_by"]) for e in listed] == [
        (first["id"], False, second["id"]), (second["id"], True, None),
    ]  # fmt: skip
    assert listed[0]["answers"] == GOOD and listed[0]["score"] == 85.6
    reply = await evaluate(client, LEAD, corrects=first["id"])
    assert reply.status_code == 409
    assert reply.json()["detail"] == (
        f"corrects: evaluation {first['id']} was corrected already by {second['id']}; correct "
        "the current one"
    )
    outcomes = [(a, o) for _, a, o, _ in audit(r) if a == "recording/evaluation"]
    assert outcomes == [("recording/evaluation", o) for o in ("done", "refused", "done",
                                                              "refused")]  # fmt: skip


async def test_each_evaluator_has_their_own_and_corrects_only_their_own(
    api: tuple[Rig, httpx.AsyncClient],
) -> None:
    _, client = api
    lead = await evaluated(client)
    admin = await evaluated(client, ADMIN, answers={**GOOD, "vraag": 0})
    assert admin["score"] == 67.8
    reply = await evaluate(client, ADMIN, corrects=lead["id"])
    assert reply.status_code == 409
    assert "a correction is by the same evaluator on the same form" in reply.json()["detail"]
    assert [e["current"] for e in (await shown(client))["evaluations"]] == [True, True]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"answers": {**GOOD, "vraag": 101}}, "answers.vraag: 101; allowed: a whole number from "
                                              "0 to 100"),
        ({"answers": {**GOOD, "begroeting": "ja"}}, "answers.begroeting: 'ja'; allowed: 'yes' or "
                                                    "'no'"),
        ({"answers": {"vraag": 50}}, "answers: not answered: begroeting, antwoord, afspraak, "
                                     "afsluiting; allowed: exactly the items of form gesprek"),
        ({"answers": {**GOOD, "humor": 3}}, "answers: not on form gesprek: humor;"),
        ({"form_id": "kort"}, "form_id: 'kort' is no QA form of the site; allowed: gesprek"),
    ],
)  # fmt: skip
async def test_wrong_answers_are_422_naming_the_item(
    api: tuple[Rig, httpx.AsyncClient], body: dict[str, Any], message: str
) -> None:
    r, client = api
    reply = await evaluate(client, LEAD, **body)
    assert reply.status_code == 422
    assert reply.json()["detail"].startswith(message)
    [entry] = r.audit.day(T0.date()).entries
    assert (entry.action, entry.outcome.value, entry.reason) == (
        "recording/evaluation", "refused", reply.json()["detail"],
    )  # fmt: skip
    assert (await shown(client))["evaluations"] == []


# ------------------------------------------------------------ the panel's files
