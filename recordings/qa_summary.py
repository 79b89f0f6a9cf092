"""Each agent's QA score over a period, for the report of a progress talk.

The current evaluations submitted in the period (``CoachingReader.qa_scores``) are put
to the agent of their recording (the catalogue's ``agent_id``) and averaged: every
form and every evaluator counts alike, one evaluation one vote. An evaluation of a
recording the catalogue no longer has (purged), or of one without an agent (a
back-office colleague's phone), counts for nobody.

Nothing is created or migrated: the coaching file and the catalogue are both opened
read-only (``Catalog.open_reader``), and only once both exist. No coaching file yet
means no figures at all (``None``), not a zero.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from recordings import catalog, coaching_schema
from recordings.catalog import CATALOG_FILE, Catalog
from recordings.coaching import CoachingReader


class QaUnreadable(RuntimeError):
    """The coaching file or the catalogue is there but cannot be read; the message says
    which and why."""


@dataclass(frozen=True, slots=True)
class QaSummary:
    mean: float  # 0-100, one decimal
    count: int  # current evaluations


def qa_per_agent(directory: Path, since: datetime, until: datetime) -> dict[str, QaSummary] | None:
    """Agent id -> their summary, from ``since`` up to ``until``; None without a coaching
    file (or catalogue) in ``directory``; ``QaUnreadable`` when one cannot be read."""
    if not (directory / CATALOG_FILE).is_file():
        return None
    try:
        reader = CoachingReader.open_existing(directory)
        if reader is None:
            return None
        with reader, Catalog.open_reader(directory, lambda: datetime.now(UTC)) as recordings:
            scores: dict[str, list[float]] = defaultdict(list)
            owners: dict[str, str | None] = {}
            for found in reader.qa_scores(since, until):
                if found.recording_id not in owners:
                    row = recordings.get(found.recording_id)
                    owners[found.recording_id] = None if row is None else row.agent_id
                agent = owners[found.recording_id]
                if agent is not None:
                    scores[agent].append(found.score)
    except (coaching_schema.SchemaError, catalog.SchemaError, sqlite3.Error, OSError) as exc:
        raise QaUnreadable(f"QA scores in {directory}: {exc}") from exc
    return {a: QaSummary(round(sum(s) / len(s), 1), len(s)) for a, s in scores.items()}
