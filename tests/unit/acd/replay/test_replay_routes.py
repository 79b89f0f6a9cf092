"""The replay over HTTP on real recordings: the list and its filters, a recording's
detail with its timeline on the audio's axis, the audio by byte range straight from
the sealed file, a tampered file refused cleanly, the waveforms."""

from __future__ import annotations

import io
import wave
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from recordings.vault import CHUNK_SIZE, HEADER_SIZE, TAG_SIZE
from tests.unit.acd.replay.room import ANOUKS, BRAMS, Room, room
from tests.unit.http.demo_access import basic

LEAD, ANOUK = basic("teamlead"), basic("anouk")


@pytest.fixture
async def replay(tmp_path: Path) -> AsyncIterator[Room]:
    async with room(tmp_path) as r:
        yield r


async def plaintext(r: Room, recording_id: str) -> bytes:
    row = r.reader.get(recording_id)
    assert row is not None
    return b"".join(r.reader.audio(row, 0, r.reader.audio_size(row)))


# ------------------------------------------------------------ the list


async def test_the_list_is_newest_first_with_names_and_utc_times(replay: Room) -> None:
    reply = await replay.client.get("/api/recordings", headers=LEAD)
    assert reply.status_code == 200
    data = reply.json()
    assert [r["id"] for r in data["recordings"]] == [BRAMS, ANOUKS]
    brams = data["recordings"][0]
    assert (brams["agent"], brams["topic"], brams["municipality"]) == (
        "Bram Jansen", "Belastingen", "Zandvoort",
    )  # fmt: skip
    assert (brams["agent_id"], brams["topic_id"], brams["municipality_id"]) == (
        "1002", "belastingen", "zandvoort",
    )  # fmt: skip
    assert brams["started_at"] == "2026-06-15T11:00:00+00:00"
    assert brams["duration_s"] == 3.0
    assert (data["more"], data["scope"], data["download_enabled"]) == (
        False, {"agent_id": None}, False,
    )  # fmt: skip
    assert {"id": "1001", "name": "Anouk de Vries"} in data["choices"]["agents"]
    assert {"id": "haarlem", "name": "Haarlem"} in data["choices"]["municipalities"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"agent": "1001"}, [ANOUKS]),
        ({"topic": "belastingen"}, [BRAMS]),
        ({"municipality": "haarlem"}, [ANOUKS]),
        ({"extension": "202"}, [BRAMS]),
        ({"min_s": "10"}, [ANOUKS]),
        ({"max_s": "10"}, [BRAMS]),
        ({"min_s": "1", "max_s": "20"}, [BRAMS, ANOUKS]),
        ({"day": "2026-06-15"}, [BRAMS, ANOUKS]),
        ({"day": "2026-06-16"}, []),
        ({"limit": "1"}, [BRAMS]),
        ({"limit": "1", "offset": "1"}, [ANOUKS]),
    ],
)
async def test_the_filters_narrow_the_list(
    replay: Room, params: dict[str, str], expected: list[str]
) -> None:
    reply = await replay.client.get("/api/recordings", params=params, headers=LEAD)
    assert [r["id"] for r in reply.json()["recordings"]] == expected


async def test_a_page_says_when_there_is_more(replay: Room) -> None:
    first = (await replay.client.get("/api/recordings?limit=1", headers=LEAD)).json()
    last = (await replay.client.get("/api/recordings?limit=1&offset=1", headers=LEAD)).json()
    assert (first["more"], last["more"]) == (True, False)


@pytest.mark.parametrize(
    ("query", "status", "message"),
    [
        ("day=yesterday", 400, "day 'yesterday' is not a date like 2026-12-02"),
        ("min_s=20&max_s=10", 400, "min_duration_s=20.0 is above max_duration_s=10.0"),
        ("limit=0", 422, None),
        ("limit=501", 422, None),
    ],
)
async def test_a_wrong_filter_is_named(
    replay: Room, query: str, status: int, message: str | None
) -> None:
    reply = await replay.client.get(f"/api/recordings?{query}", headers=LEAD)
    assert reply.status_code == status
    if message is not None:
        assert reply.json()["detail"] == message


# ------------------------------------------------------------ one recording


async def test_the_detail_puts_the_calls_marks_on_the_audios_time_axis(replay: Room) -> None:
    reply = await replay.client.get(f"/api/recordings/{ANOUKS}", headers=LEAD)
    assert reply.status_code == 200
    data = reply.json()
    assert data["recording"]["agent"] == "Anouk de Vries"
    assert data["recording"]["duration_s"] == 16.0
    assert [(s["number"], s["offset_s"], s["duration_s"]) for s in data["segments"]] == [
        (1, 0.0, 10.0), (2, 10.0, 6.0),
    ]  # fmt: skip
    assert data["segments"][0]["started_at"] == "2026-06-15T09:00:04+00:00"
    # Recorded from T0+4 s for 10 s (audio 0-10), then from T0+20 s for 6 s (audio 10-16).
    assert [(m["kind"], m["audio_s"], m["near_s"], m["segment"]) for m in data["timeline"]] == [
        ("call.queued", None, 0.0, None),  # before the recording
        ("call.answered", None, 0.0, None),
        ("call.recording", 0.0, 0.0, 1),
        ("call.transferred", None, 10.0, None),  # in the pause
        ("backoffice.answered", 13.0, 13.0, 2),  # 3 s into segment 2
        ("call.ended", None, 16.0, None),  # after it
    ]
    assert data["timeline"][1]["label"] == "Aangenomen door Anouk de Vries"
    assert data["timeline"][1]["at"] == "2026-06-15T09:00:00+00:00"
    signals = data["signals"]
    assert signals["agent_talk_s"] == pytest.approx(3.0, abs=0.3)
    assert signals["caller_talk_s"] == pytest.approx(5.0, abs=0.3)
    assert signals["agent_talk_share"] == pytest.approx(3 / 8, abs=0.05)
    assert data["urls"] == {
        "page": f"/recordings/{ANOUKS}",
        "detail": f"/api/recordings/{ANOUKS}",
        "audio": f"/api/recordings/{ANOUKS}/audio",
        "waveform": f"/api/recordings/{ANOUKS}/waveform",
        "download": None,
    }


async def test_an_unknown_recording_is_404(replay: Room) -> None:
    for path in ("", "/audio", "/waveform"):
        reply = await replay.client.get(f"/api/recordings/nope{path}", headers=LEAD)
        assert reply.status_code == 404
        assert reply.json()["detail"] == "no recording 'nope'"
    assert (await replay.client.get("/recordings/nope", headers=LEAD)).status_code == 404


# ------------------------------------------------------------ the audio


async def test_the_whole_audio_is_the_wav_with_ranges_offered(replay: Room) -> None:
    whole = await plaintext(replay, ANOUKS)
    reply = await replay.client.get(f"/api/recordings/{ANOUKS}/audio", headers=LEAD)
    assert reply.status_code == 200
    assert reply.content == whole
    assert reply.headers["content-type"] == "audio/wav"
    assert reply.headers["accept-ranges"] == "bytes"
    assert reply.headers["cache-control"] == "no-store"
    assert reply.headers["content-length"] == str(len(whole))
    assert "content-range" not in reply.headers
    with wave.open(io.BytesIO(reply.content)) as played:
        assert (played.getnchannels(), played.getframerate(), played.getnframes()) == (
            2, 8000, 16 * 8000,
        )  # fmt: skip


@pytest.mark.parametrize(
    ("header", "start", "end"),
    [
        ("bytes=0-99", 0, 100),  # the first bytes: what a player asks first
        ("bytes=200000-300000", 200000, 300001),  # the middle, across chunks
        ("bytes=-100", None, None),  # the last 100
        ("bytes=500000-", 500000, None),  # open-ended
    ],
)
async def test_a_range_is_exactly_that_slice_of_the_plaintext(
    replay: Room, header: str, start: int | None, end: int | None
) -> None:
    whole = await plaintext(replay, ANOUKS)
    size = len(whole)
    first = size - 100 if start is None else start
    last = size if end is None else end
    reply = await replay.client.get(
        f"/api/recordings/{ANOUKS}/audio", headers={**LEAD, "Range": header}
    )
    assert reply.status_code == 206
    assert reply.content == whole[first:last]
    assert reply.headers["content-range"] == f"bytes {first}-{last - 1}/{size}"
    assert reply.headers["content-length"] == str(last - first)
    assert reply.headers["cache-control"] == "no-store"


async def test_a_range_past_the_end_is_416(replay: Room) -> None:
    size = len(await plaintext(replay, ANOUKS))
    reply = await replay.client.get(
        f"/api/recordings/{ANOUKS}/audio", headers={**LEAD, "Range": f"bytes={size}-"}
    )
    assert reply.status_code == 416
    assert reply.headers["content-range"] == f"bytes */{size}"
    assert reply.content == b""


def flip(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x01
    path.write_bytes(bytes(data))


async def test_a_tampered_file_is_a_clean_error_not_partial_audio(replay: Room) -> None:
    flip(replay.folder / f"{ANOUKS}.kccrec", HEADER_SIZE + 10)  # in the first chunk
    for header in ({}, {"Range": "bytes=0-"}, {"Range": "bytes=0-99"}):
        reply = await replay.client.get(
            f"/api/recordings/{ANOUKS}/audio", headers={**LEAD, **header}
        )
        assert reply.status_code == 500
        assert reply.headers["content-type"] == "application/json"
        assert reply.json()["detail"] == (
            f"recording {ANOUKS} cannot be played: its file is missing or failed its check"
        )
    waveform = await replay.client.get(f"/api/recordings/{ANOUKS}/waveform", headers=LEAD)
    assert waveform.status_code == 500


async def test_a_cut_file_and_a_missing_one_are_refused_before_any_byte(replay: Room) -> None:
    path = replay.folder / f"{BRAMS}.kccrec"
    path.write_bytes(path.read_bytes()[:-1])
    cut = await replay.client.get(f"/api/recordings/{BRAMS}/audio", headers=LEAD)
    assert cut.status_code == 500
    path.unlink()
    gone = await replay.client.get(f"/api/recordings/{BRAMS}/audio", headers=LEAD)
    assert gone.status_code == 500


async def test_a_range_decrypts_only_its_chunks(replay: Room) -> None:
    # Damage chunk 3; a range in chunk 0 is still served (it never opens chunk 3).
    whole = await plaintext(replay, ANOUKS)
    flip(replay.folder / f"{ANOUKS}.kccrec", HEADER_SIZE + 3 * (CHUNK_SIZE + TAG_SIZE) + 5)
    reply = await replay.client.get(
        f"/api/recordings/{ANOUKS}/audio", headers={**LEAD, "Range": "bytes=100-999"}
    )
    assert reply.status_code == 206 and reply.content == whole[100:1000]


# ------------------------------------------------------------ the waveforms


async def test_the_waveforms_are_high_where_each_voice_spoke(replay: Room) -> None:
    reply = await replay.client.get(
        f"/api/recordings/{ANOUKS}/waveform", params={"points": 160}, headers=LEAD
    )
    assert reply.status_code == 200
    data = reply.json()
    assert (data["id"], data["points"], data["duration_s"]) == (ANOUKS, 160, 16.0)
    agent, caller = data["agent"], data["caller"]
    assert len(agent) == len(caller) == 160
    assert all(0 <= v <= 1 for v in agent + caller)
    # Ten points a second: the agent spoke at 1-4 s, the caller at 5-8 s and 11-13 s.
    assert min(agent[12:38]) > 0.2 and max(agent[45:]) < 0.02
    assert min(caller[52:78]) > 0.2 and min(caller[112:128]) > 0.2
    assert max(caller[:48]) < 0.02


async def test_the_waveforms_points_are_bounded(replay: Room) -> None:
    for points in ("5", "4001"):
        reply = await replay.client.get(
            f"/api/recordings/{ANOUKS}/waveform", params={"points": points}, headers=LEAD
        )
        assert reply.status_code == 422
    default = await replay.client.get(f"/api/recordings/{ANOUKS}/waveform", headers=LEAD)
    assert default.json()["points"] == 800
