"""Each agent's coaching signals over a period, for the report of a progress talk.

The signals of every recording started in the period (computed when it was kept,
``recordings.shelf``) are put to its agent and averaged, one recording one vote: the
agent's share of the talk, the longest silence, talking over each other and the hold
time (how long, per recording). A recording without an agent (a colleague's phone)
counts for nobody. No catalogue yet means no figures (``None``), not a zero; nothing is
created.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from recordings import catalog
from recordings.catalog import CATALOG_FILE, Catalog
from recordings.catalog_rows import SignalsRow


class SignalsUnreadable(RuntimeError):
    """The catalogue is there but cannot be read; the message says why."""


@dataclass(frozen=True, slots=True)
class SignalsSummary:
    recordings: int
    agent_talk_share: float | None  # 0..1, the mean over recordings where anyone talked
    longest_silence_s: float
    overtalk_s: float  # per recording
    hold_s: float  # per recording: the caller on hold while the agent consulted


def summarise(found: list[SignalsRow]) -> SignalsSummary:
    shares = [s.agent_talk_share for s in found if s.agent_talk_share is not None]
    count = len(found)
    return SignalsSummary(
        recordings=count,
        agent_talk_share=round(sum(shares) / len(shares), 3) if shares else None,
        longest_silence_s=round(sum(s.longest_silence_s for s in found) / count, 1),
        overtalk_s=round(sum(s.overtalk_s for s in found) / count, 1),
        hold_s=round(sum(s.hold_s for s in found) / count, 1),
    )


def signals_per_agent(
    directory: Path, since: datetime, until: datetime
) -> dict[str, SignalsSummary] | None:
    """Agent id -> their summary for recordings started from ``since`` up to ``until``."""
    if not (directory / CATALOG_FILE).is_file():
        return None
    try:
        with Catalog.open_reader(directory, lambda: datetime.now(UTC)) as recordings:
            rows = recordings.signals_between(since, until)
    except (catalog.SchemaError, sqlite3.Error, OSError) as exc:
        raise SignalsUnreadable(f"coaching signals in {directory}: {exc}") from exc
    per_agent: dict[str, list[SignalsRow]] = defaultdict(list)
    for agent, signals in rows:
        if agent:
            per_agent[agent].append(signals)
    return {agent: summarise(found) for agent, found in per_agent.items()}
