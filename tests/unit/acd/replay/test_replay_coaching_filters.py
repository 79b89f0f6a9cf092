"""The list's coaching filters on real recordings and a real coaching store: "with
notes" and "not yet reviewed" (no evaluation, not "besproken") narrow the list before
it is paged, each row says whether it has notes and was reviewed, the page offers both
as checkboxes, and the audit entry names the filters asked."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from acd.replay.service import Replay
from recordings.catalog_rows import RecordingFilter
from recordings.coaching_rows import Discussed, Evaluation, Note
from tests.unit.acd.replay.room import ANOUKS, BRAMS, SITE, T0, Room, room
from tests.unit.http.demo_access import basic

LEAD, ANOUK = basic("teamlead"), basic("anouk")


@pytest.fixture
async def replay(tmp_path: Path) -> AsyncIterator[Room]:
    async with room(tmp_path) as r:
        yield r


def add_note(r: Room, recording_id: str, number: int = 1) -> None:
    r.coaching.add_note(Note(
        id=f"n{number}", recording_id=recording_id, at_s=2.0, author="teamlead",
        author_role="team_lead", text="Goed doorgevraagd", written_at=T0 + timedelta(hours=3),
    ))  # fmt: skip


def evaluate(r: Room, recording_id: str) -> None:
    r.coaching.add_evaluation(Evaluation(
        id="e1", recording_id=recording_id, form_id="gesprek", evaluator="teamlead",
        submitted_at=T0 + timedelta(hours=3), answers={"vraag": 80}, score=80.0,
    ))  # fmt: skip


def discuss(r: Room, recording_id: str) -> None:
    r.coaching.mark_discussed(Discussed(
        recording_id=recording_id, on=T0.date(), by="teamlead", at=T0 + timedelta(hours=3),
    ))  # fmt: skip


async def listed(r: Room, query: str, headers: dict[str, str] = LEAD) -> dict[str, Any]:
    reply = await r.client.get(f"/api/recordings?{query}", headers=headers)
    assert reply.status_code == 200, reply.text
    data: dict[str, Any] = reply.json()
    return data


def ids(data: dict[str, Any]) -> list[str]:
    return [row["id"] for row in data["recordings"]]


async def test_each_row_says_whether_it_has_notes_and_was_reviewed(replay: Room) -> None:
    rows = (await listed(replay, ""))["recordings"]
    assert [(r["has_notes"], r["reviewed"]) for r in rows] == [(False, False), (False, False)]
    add_note(replay, ANOUKS)
    evaluate(replay, BRAMS)
    rows = (await listed(replay, ""))["recordings"]
    assert [(r["id"], r["has_notes"], r["reviewed"]) for r in rows] == [
        (BRAMS, False, True), (ANOUKS, True, False),
    ]  # fmt: skip
    discuss(replay, ANOUKS)
    rows = (await listed(replay, ""))["recordings"]
    assert [(r["has_notes"], r["reviewed"]) for r in rows] == [(False, True), (True, True)]


async def test_with_notes_pages_over_the_recordings_with_notes(replay: Room) -> None:
    assert ids(await listed(replay, "notes=1")) == []
    add_note(replay, ANOUKS)  # the older one: a page filtered after the query would miss it
    first = await listed(replay, "notes=1&limit=1")
    assert (ids(first), first["more"]) == ([ANOUKS], False)
    add_note(replay, BRAMS, 2)
    first = await listed(replay, "notes=1&limit=1")
    second = await listed(replay, "notes=1&limit=1&offset=1")
    assert (ids(first), first["more"], ids(second), second["more"]) == (
        [BRAMS], True, [ANOUKS], False,
    )  # fmt: skip
    assert ids(await listed(replay, "notes=1&topic=belastingen")) == [BRAMS]


async def test_not_yet_reviewed_leaves_out_the_evaluated_and_the_discussed(
    replay: Room,
) -> None:
    assert ids(await listed(replay, "unreviewed=1")) == [BRAMS, ANOUKS]
    evaluate(replay, BRAMS)  # the newer one: the first page of one is the older one
    first = await listed(replay, "unreviewed=1&limit=1")
    assert (ids(first), first["more"]) == ([ANOUKS], False)
    assert ids(await listed(replay, "unreviewed=1&limit=1&offset=1")) == []
    discuss(replay, ANOUKS)
    assert ids(await listed(replay, "unreviewed=1")) == []
    assert ids(await listed(replay, "unreviewed=0")) == [BRAMS, ANOUKS]


async def test_both_filters_together_and_an_agent_still_sees_only_their_own(
    replay: Room,
) -> None:
    add_note(replay, ANOUKS)
    add_note(replay, BRAMS, 2)
    evaluate(replay, BRAMS)
    assert ids(await listed(replay, "notes=1&unreviewed=1")) == [ANOUKS]
    assert ids(await listed(replay, "notes=1", headers=ANOUK)) == [ANOUKS]
    discuss(replay, ANOUKS)
    assert ids(await listed(replay, "notes=1&unreviewed=1")) == []


async def test_the_audit_entry_names_the_coaching_filters(replay: Room) -> None:
    add_note(replay, ANOUKS)
    await listed(replay, "notes=1&unreviewed=1")
    await listed(replay, "topic=burgerzaken")
    first, second = replay.entries()
    assert first.detail == {"notes": "1", "unreviewed": "1", "count": "1"}
    assert second.detail == {"topic": "burgerzaken", "count": "1"}


async def test_the_page_offers_both_checkboxes_and_the_badges(replay: Room) -> None:
    page = await replay.client.get("/recordings", headers=LEAD)
    assert page.status_code == 200
    for words in ('id="f-notes" type="checkbox"', "Met notities",
                  'id="f-unreviewed" type="checkbox"', "Nog niet beoordeeld",
                  "'notities'", "'beoordeeld'", "params.set(name, '1')"):  # fmt: skip
        assert words in page.text


def test_without_a_coaching_store_nothing_has_notes_or_was_reviewed(replay: Room) -> None:
    bare = Replay(replay.reader, SITE)
    assert [(r.has_notes, r.reviewed) for r in bare.recordings(RecordingFilter())] == [
        (False, False), (False, False),
    ]  # fmt: skip
    assert bare.recordings(RecordingFilter(), with_notes=True) == []
    assert len(bare.recordings(RecordingFilter(), unreviewed=True)) == 2
