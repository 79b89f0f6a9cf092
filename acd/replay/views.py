"""The replay's JSON: a recording's row, its detail and its waveform, ids with names.

Times are UTC in ISO 8601; the pages show them in the site's time zone. Names come from
the site configuration (an id the site no longer knows is shown as the id).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from acd.replay.service import Detail, Listed, Names
from acd.replay.timeline import PlacedMark
from acd.replay.waveform import Envelope
from recordings.catalog_rows import RecordingRow, SegmentRow, SignalsRow


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def urls(recording_id: str, *, download: bool) -> dict[str, str | None]:
    base = f"/api/recordings/{quote(recording_id, safe='')}"
    return {
        "page": f"/recordings/{quote(recording_id, safe='')}",
        "detail": base,
        "audio": f"{base}/audio",
        "waveform": f"{base}/waveform",
        "download": f"{base}/download" if download else None,
    }


def row_view(row: RecordingRow, names: Names) -> dict[str, Any]:
    def named(table: Mapping[str, str], key: str | None) -> str | None:
        return None if key is None else table.get(key, key)

    return {
        "id": row.id,
        "call_id": row.call_id,
        "started_at": iso(row.started_at),
        "duration_s": round(row.duration_s, 1),
        "agent_id": row.agent_id,
        "agent": named(names.agents, row.agent_id),
        "extension": row.extension,
        "position_id": row.position_id,
        "topic_id": row.topic,
        "topic": named(names.topics, row.topic),
        "municipality_id": row.municipality,
        "municipality": named(names.municipalities, row.municipality),
        "category": row.category,
        "held": row.held,
    }


def listed_view(found: Listed, names: Names) -> dict[str, Any]:
    """A row of the list: the row and its coaching facts."""
    return {**row_view(found.row, names), "has_notes": found.has_notes,
            "reviewed": found.reviewed}  # fmt: skip


def detail_view(found: Detail, names: Names, *, download: bool) -> dict[str, Any]:
    return {
        "recording": row_view(found.row, names),
        "segments": [segment_view(s) for s in found.segments],
        "timeline": [mark_view(m) for m in found.marks],
        "signals": None if found.signals is None else signals_view(found.signals),
        "urls": urls(found.row.id, download=download),
    }


def segment_view(s: SegmentRow) -> dict[str, Any]:
    return {"number": s.number, "started_at": iso(s.started_at), "offset_s": s.offset_s,
            "duration_s": s.duration_s}  # fmt: skip


def mark_view(placed: PlacedMark) -> dict[str, Any]:
    m = placed.mark
    return {"at": iso(m.at), "kind": m.kind, "label": m.label, "audio_s": placed.audio_s,
            "near_s": placed.near_s, "segment": placed.segment}  # fmt: skip


def signals_view(s: SignalsRow) -> dict[str, Any]:
    share = s.agent_talk_share
    return {
        "agent_talk_s": s.agent_talk_s,
        "caller_talk_s": s.caller_talk_s,
        "agent_talk_share": None if share is None else round(share, 3),
        "longest_silence_s": s.longest_silence_s,
        "overtalk_count": s.overtalk_count,
        "overtalk_s": s.overtalk_s,
        "hold_s": s.hold_s,
    }


def waveform_view(recording_id: str, found: Envelope) -> dict[str, Any]:
    return {
        "id": recording_id,
        "points": len(found.agent),
        "duration_s": round(found.duration_s, 3),
        "agent": list(found.agent),
        "caller": list(found.caller),
    }


def choices(names: Names, agent_id: str | None) -> dict[str, list[dict[str, str]]]:
    """What the list's filters offer; an agent is offered only themself."""

    def pairs(table: Mapping[str, str]) -> list[dict[str, str]]:
        return [{"id": key, "name": name} for key, name in table.items()]

    agents = {k: v for k, v in names.agents.items() if agent_id in (None, k)}
    return {"agents": pairs(agents), "topics": pairs(names.topics),
            "municipalities": pairs(names.municipalities)}  # fmt: skip
