"""Who may replay what, and the audit log of every look: an agent hears their own calls
only (another's is 404, as an unknown one), team leads and the admin every call,
everyone else 403; each list, view, listen, seek, download and refusal is on record with
the login and the client's address. Downloads only when the site allows them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from acd.audit import Outcome, Via
from tests.unit.acd.replay.room import ANOUKS, BRAMS, SITE_WITH_DOWNLOADS, Room, room
from tests.unit.http.demo_access import basic, bearer

LEAD, ANOUK, BRAM = basic("teamlead"), basic("anouk"), basic("bram")
ROUTES = [
    "/recordings",
    f"/recordings/{ANOUKS}",
    "/api/recordings",
    f"/api/recordings/{ANOUKS}",
    f"/api/recordings/{ANOUKS}/audio",
    f"/api/recordings/{ANOUKS}/waveform",
    f"/api/recordings/{ANOUKS}/download",
]


@pytest.fixture
async def replay(tmp_path: Path) -> AsyncIterator[Room]:
    async with room(tmp_path) as r:
        yield r


@pytest.fixture
async def downloads(tmp_path: Path) -> AsyncIterator[Room]:
    async with room(tmp_path, SITE_WITH_DOWNLOADS) as r:
        yield r


# ------------------------------------------------------------ who


@pytest.mark.parametrize(
    ("login", "status"),
    [
        (ANOUK, 200),  # her own call
        (BRAM, 404),  # another agent's: as if it did not exist
        (LEAD, 200),
        (basic("admin"), 200),
        (basic("floor"), 403),
        (basic("els"), 403),  # back office
        (bearer(), 403),  # a display token
        ({}, 401),
    ],
)
@pytest.mark.parametrize("path", ["", "/audio", "/waveform"])
async def test_the_access_matrix(
    replay: Room, login: dict[str, str], status: int, path: str
) -> None:
    reply = await replay.client.get(f"/api/recordings/{ANOUKS}{path}", headers=login)
    assert reply.status_code == status, reply.text


@pytest.mark.parametrize("path", ROUTES)
async def test_every_route_wants_a_login_and_refuses_the_floor_and_displays(
    replay: Room, path: str
) -> None:
    assert (await replay.client.get(path)).status_code == 401
    assert (await replay.client.get(path, params={"token": "demo-wall-display"})).status_code == 401
    for login in (basic("floor"), basic("els"), bearer()):
        reply = await replay.client.get(path, headers=login)
        assert reply.status_code == 403, (path, login)


async def test_another_agents_recording_is_answered_as_an_unknown_one(replay: Room) -> None:
    theirs = await replay.client.get(f"/api/recordings/{ANOUKS}", headers=BRAM)
    unknown = await replay.client.get("/api/recordings/nope", headers=BRAM)
    assert theirs.json()["detail"] == f"no recording {ANOUKS!r}"
    assert unknown.json()["detail"] == "no recording 'nope'"
    assert (await replay.client.get(f"/recordings/{ANOUKS}", headers=BRAM)).status_code == 404
    [looked, probed, page] = replay.entries()
    assert (looked.action, looked.outcome, looked.detail["recording"]) == (
        "recording/view", Outcome.FORBIDDEN, ANOUKS,
    )  # fmt: skip
    assert looked.reason is not None and "hears only their own" in looked.reason
    assert (probed.outcome, probed.reason) == (Outcome.REFUSED, "no recording 'nope'")
    assert page.outcome is Outcome.FORBIDDEN


async def test_an_agents_list_is_their_own_and_only_their_own(replay: Room) -> None:
    own = (await replay.client.get("/api/recordings", headers=ANOUK)).json()
    assert [r["id"] for r in own["recordings"]] == [ANOUKS]
    assert own["scope"] == {"agent_id": "1001"}
    assert own["choices"]["agents"] == [{"id": "1001", "name": "Anouk de Vries"}]
    same = await replay.client.get("/api/recordings?agent=1001", headers=ANOUK)
    assert [r["id"] for r in same.json()["recordings"]] == [ANOUKS]
    other = await replay.client.get("/api/recordings?agent=1002", headers=ANOUK)
    assert other.status_code == 403
    assert other.json()["detail"] == (
        "'anouk' is agent 1001 and hears only their own recordings, not those of agent 1002"
    )
    assert [r["id"] for r in (await replay.client.get("/api/recordings", headers=BRAM))
            .json()["recordings"]] == [BRAMS]  # fmt: skip


# ------------------------------------------------------------ the audit log


async def test_every_look_is_audited_with_who_what_and_the_address(replay: Room) -> None:
    client = replay.client
    await client.get("/api/recordings?topic=burgerzaken", headers=LEAD)
    await client.get(f"/api/recordings/{ANOUKS}", headers=LEAD)
    await client.get(f"/api/recordings/{ANOUKS}/waveform", headers=LEAD)
    await client.get(f"/api/recordings/{ANOUKS}/audio", headers=LEAD)
    await client.get(f"/api/recordings/{ANOUKS}/audio", headers={**LEAD, "Range": "bytes=0-"})
    await client.get(f"/api/recordings/{ANOUKS}/audio", headers={**LEAD, "Range": "bytes=9000-"})
    await client.get(
        f"/api/recordings/{ANOUKS}/audio", headers={**LEAD, "Range": "bytes=99999999-"}
    )
    await client.get(f"/api/recordings/{ANOUKS}/download", headers=LEAD)
    await client.get(f"/api/recordings/{ANOUKS}", headers=basic("floor"))
    await client.get(f"/api/recordings/{ANOUKS}/audio", headers=bearer())
    entries = replay.entries()
    assert [(e.user, e.action, e.outcome.value, e.detail.get("recording"), e.agent_id)
            for e in entries] == [
        ("teamlead", "recording/list", "done", None, None),
        ("teamlead", "recording/view", "done", ANOUKS, "1001"),
        ("teamlead", "recording/view", "done", ANOUKS, "1001"),
        ("teamlead", "recording/listen", "done", ANOUKS, "1001"),
        ("teamlead", "recording/listen", "done", ANOUKS, "1001"),
        ("teamlead", "recording/seek", "done", ANOUKS, "1001"),
        ("teamlead", "recording/listen", "refused", ANOUKS, "1001"),  # 416
        ("teamlead", "recording/download", "forbidden", ANOUKS, None),  # switched off
        ("floor", "recording/view", "forbidden", ANOUKS, None),
        ("wall", "recording/listen", "forbidden", ANOUKS, None),
    ]  # fmt: skip
    assert {e.address for e in entries} == {"127.0.0.1"}
    assert {e.via for e in entries} == {Via.WEB}
    assert entries[0].detail == {"topic": "burgerzaken", "count": "1"}
    assert entries[2].detail == {"recording": ANOUKS, "part": "waveform"}
    assert entries[3].detail == {"recording": ANOUKS}
    assert entries[5].detail == {"recording": ANOUKS, "range": "bytes=9000-"}
    assert entries[8].reason is not None and "has role floor_manager" in entries[8].reason


async def test_the_pages_are_audited_only_when_refused(replay: Room) -> None:
    assert (await replay.client.get("/recordings", headers=LEAD)).status_code == 200
    assert (await replay.client.get(f"/recordings/{ANOUKS}", headers=ANOUK)).status_code == 200
    assert replay.entries() == []
    assert (await replay.client.get("/recordings", headers=basic("floor"))).status_code == 403
    [refused] = replay.entries()
    assert (refused.action, refused.outcome) == ("recording/list", Outcome.FORBIDDEN)


# ------------------------------------------------------------ downloading


async def test_a_download_is_refused_while_the_site_switches_it_off(replay: Room) -> None:
    reply = await replay.client.get(f"/api/recordings/{ANOUKS}/download", headers=LEAD)
    assert reply.status_code == 403
    assert "recording.download_enabled" in reply.json()["detail"]


async def test_a_download_when_allowed_is_the_wav_as_an_attachment(downloads: Room) -> None:
    reply = await downloads.client.get(f"/api/recordings/{ANOUKS}/download", headers=ANOUK)
    assert reply.status_code == 200
    assert reply.headers["content-disposition"] == (f'attachment; filename="opname-{ANOUKS}.wav"')
    assert reply.headers["cache-control"] == "no-store"
    assert reply.content[:4] == b"RIFF"
    listed = (await downloads.client.get(f"/api/recordings/{ANOUKS}", headers=ANOUK)).json()
    assert listed["urls"]["download"] == f"/api/recordings/{ANOUKS}/download"
    theirs = await downloads.client.get(f"/api/recordings/{ANOUKS}/download", headers=BRAM)
    assert theirs.status_code == 404
    actions = [(e.user, e.action, e.outcome.value) for e in downloads.entries()]
    assert actions == [
        ("anouk", "recording/download", "done"),
        ("anouk", "recording/view", "done"),
        ("bram", "recording/download", "forbidden"),
    ]


# ------------------------------------------------------------ the pages


async def test_the_pages_are_dutch_and_under_the_csp(replay: Room) -> None:
    listing = await replay.client.get("/recordings", headers=ANOUK)
    player = await replay.client.get(f"/recordings/{ANOUKS}", headers=LEAD)
    for page in (listing, player):
        assert page.headers["content-type"].startswith("text/html")
        assert page.headers["cache-control"] == "no-store"
        policy = page.headers["content-security-policy"]
        assert "default-src 'none'" in policy and "script-src 'nonce-" in policy
        assert '<html lang="nl">' in page.text and "{{" not in page.text
    assert 'data-agent="1001"' in listing.text and "Opnames" in listing.text
    assert "media-src 'self'" in player.headers["content-security-policy"]
    assert "media-src" not in listing.headers["content-security-policy"]
    assert f'data-recording="{ANOUKS}"' in player.text
    for words in ("Medewerker", "Beller", "Tijdlijn", "Aandeel medewerker", "Langste stilte",
                  "Door elkaar praten", '<section id="coaching" class="card coaching"',
                  f'data-recording="{ANOUKS}"></section>', 'src="/coaching.js"',
                  'href="/coaching.css"'):  # fmt: skip
        assert words in player.text


async def test_a_refused_page_is_a_short_dutch_page_and_no_login_asks_for_one(
    replay: Room,
) -> None:
    floor = await replay.client.get("/recordings", headers=basic("floor"))
    theirs = await replay.client.get(f"/recordings/{ANOUKS}", headers=BRAM)
    unknown = await replay.client.get("/recordings/nope", headers=LEAD)
    for page, status, title in ((floor, 403, "Geen toegang"), (theirs, 404, "Opname niet gevonden"),
                                (unknown, 404, "Opname niet gevonden")):  # fmt: skip
        assert page.status_code == status
        assert page.headers["content-type"].startswith("text/html")
        assert f"<h1>{title}</h1>" in page.text and '<html lang="nl">' in page.text
        assert page.headers["cache-control"] == "no-store"
        assert "default-src 'none'" in page.headers["content-security-policy"]
    assert theirs.text == unknown.text  # nothing tells the agent the recording exists
    anonymous = await replay.client.get("/recordings")
    assert anonymous.status_code == 401 and "Basic" in anonymous.headers["www-authenticate"]
