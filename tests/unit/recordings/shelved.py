"""Real recordings for the purge's tests: sealed files and their catalogue rows, made
the way the shelf makes them (``vault.seal_file``, then ``Catalog.add``), and the checks
a test makes of a folder against its catalogue and of an audit folder."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from recordings.catalog import Catalog
from recordings.catalog_rows import RecordingRow, SegmentRow
from recordings.keys import ENVIRONMENT_VARIABLE, KeyRing, generate_key
from recordings.purge import every_row
from recordings.vault import SEALED_SUFFIX, seal_file

RING = KeyRing.from_environ({ENVIRONMENT_VARIABLE: generate_key("ktest")})
STORED = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Made:
    """One recording to make: its id, when it started, whether it is held."""

    id: str
    started_at: datetime
    held: bool = False
    category: str = "standard"


def shelve(folder: Path, recordings: Iterable[Made]) -> list[RecordingRow]:
    """Seal a small random file for each and catalogue it; the rows as stored."""
    stored = []
    with Catalog.open(folder, lambda: STORED) as catalog:
        for made in recordings:
            plain = folder / f"{made.id}.wav.part"
            plain.write_bytes(os.urandom(3000))
            sealed = seal_file(plain, folder / f"{made.id}{SEALED_SUFFIX}", RING)
            plain.unlink()
            row = RecordingRow(
                id=made.id,
                call_id=f"call-{made.id}",
                agent_id="1001",
                extension="301",
                position_id="p1",
                topic="burgerzaken",
                municipality="haarlem",
                started_at=made.started_at,
                duration_s=1.0,
                size=sealed.size,
                sha256=sealed.sha256,
                key_id=sealed.key_id,
                file=f"{made.id}{SEALED_SUFFIX}",
                category=made.category,
                held=made.held,
            )
            segment = SegmentRow(
                recording_id=made.id,
                number=1,
                started_at=made.started_at,
                offset_s=0.0,
                duration_s=1.0,
            )
            stored.append(catalog.add(row, [segment]))
    return stored


@dataclass(frozen=True)
class FolderState:
    """A recordings folder as its catalogue and its files say."""

    listed: frozenset[str]  # rows not being deleted
    flagged: frozenset[str]  # rows flagged ``deleting``
    files: frozenset[str]  # ids of the sealed files present
    problems: tuple[str, ...]  # a listed row without its file, a file without a row


def state_of(folder: Path) -> FolderState:
    with Catalog.open(folder, lambda: STORED) as catalog:
        listed = {row.id: row for row in every_row(catalog)}
        flagged = {row.id for row in catalog.pending_deletions()}
        orphans = catalog.orphans()
    files = {path.name.removesuffix(SEALED_SUFFIX) for path in folder.glob(f"*{SEALED_SUFFIX}")}
    problems = [f"{i}: a row without its file" for i, r in listed.items() if i not in files]
    problems += [f"{path.name}: a file without a row" for path in orphans]
    return FolderState(
        frozenset(listed), frozenset(flagged), frozenset(files), tuple(sorted(problems))
    )


def audit_lines(folder: Path) -> list[dict[str, Any]]:
    """Every entry of every day's file in an audit folder, in file then line order."""
    entries = []
    for path in sorted(folder.glob("audit-*.jsonl")):
        entries += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    return entries
