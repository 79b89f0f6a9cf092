"""Event-to-screen latency: which sighting first covered each event, and its percentiles.

The pure part of bench/bench_wallboard_latency.py, tested in tests/unit/bench/.

Theory of operation: every event on the controller's Redis Stream has a stream id and
an ``at`` (when the controller handled its cause). A *sighting* is a moment a client had
the board in front of it - a render on the wallboard page, a poll's reply - together
with the snapshot's ``events_through``: the last stream id its figures include. An event
is shown by the first sighting (in time) whose ``events_through`` is at or past its id,
and its latency is that sighting's time minus the event's ``at``. Ids compare as
``(milliseconds, sequence)``, as Redis orders them, never as strings.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from contract.codec import EventError
from realtime_stats.ingest.entries import read_entry
from realtime_stats.ingest.fold import EventFold
from realtime_stats.store import StreamId


def parse_through(text: str) -> StreamId | None:
    """A snapshot's ``events_through``: ``""`` means no event yet; anything else must be an id."""
    if text == "":
        return None
    try:
        return StreamId.parse(text)
    except EventError as exc:
        raise ValueError(f"events_through: {exc}") from None


@dataclass(frozen=True, slots=True)
class StreamEvent:
    """One entry of the stream, as far as latency needs it."""

    stream_id: StreamId
    at_s: float  # the event's ``at`` as seconds since the epoch
    type: str


def stream_event(raw_id: str, fields: Mapping[str, str]) -> StreamEvent:
    """A stream entry as XRANGE returns it (decoded to str); a bad one names what is wrong."""
    stream_id = StreamId.parse(raw_id)
    at = fields.get("at", "")
    try:
        moment = datetime.fromisoformat(at)
    except ValueError:
        raise ValueError(f"stream entry {raw_id}: 'at' {at!r} is not an ISO time") from None
    if moment.tzinfo is None:
        raise ValueError(f"stream entry {raw_id}: 'at' {at!r} has no time zone")
    return StreamEvent(stream_id, moment.timestamp(), fields.get("type", ""))


def board_changing(entries: Iterable[tuple[str, Mapping[str, str]]]) -> frozenset[StreamId]:
    """The ids of the entries that change what the wallboard shows.

    Many events change nothing on the board (a call's start and IVR steps: the board
    counts calls from the moment they queue). The server then reuses its last rendering,
    ``events_through`` included (``wallboard.service.SharedSnapshot``), so such an event
    is "shown" only by the next change, and its latency would measure that wait instead.
    This replays the stream, from its first entry, through the stats service's own fold
    and compares its call records and agent intervals - what the server compares - before
    and after each entry.
    """
    fold = EventFold()
    before = _board_records(fold)
    changed = set()
    for raw_id, fields in entries:
        entry = read_entry(raw_id, fields)
        fold.apply(entry)
        after = _board_records(fold)
        if after != before:
            changed.add(entry.stream_id)
        before = after
    return frozenset(changed)


def _board_records(fold: EventFold) -> tuple[tuple[object, ...], tuple[object, ...]]:
    return tuple(fold.calls()), tuple(fold.intervals())


@dataclass(frozen=True, slots=True)
class Sighting:
    """A client had the board covering every event up to ``through`` at ``seen_at_s``."""

    seen_at_s: float
    through: StreamId | None


@dataclass(frozen=True, slots=True)
class Matching:
    """Per shown event its latency (in stream order), and the events nothing showed."""

    shown: tuple[tuple[StreamEvent, float], ...]
    unshown: tuple[StreamEvent, ...]

    @property
    def latencies_s(self) -> list[float]:
        return [latency for _, latency in self.shown]


def match(events: Iterable[StreamEvent], sightings: Iterable[Sighting]) -> Matching:
    """Each event against the first sighting, in time, that covers it.

    The running maximum of ``through`` over sightings in time order only grows, so one
    pass over both, events in id order, finds every first covering sighting.
    """
    ordered = sorted(events, key=lambda e: e.stream_id)
    shown: list[tuple[StreamEvent, float]] = []
    reached: StreamId | None = None
    i = 0
    for sighting in sorted(sightings, key=lambda s: s.seen_at_s):
        if sighting.through is not None and (reached is None or sighting.through > reached):
            reached = sighting.through
        while reached is not None and i < len(ordered) and ordered[i].stream_id <= reached:
            event = ordered[i]
            shown.append((event, sighting.seen_at_s - event.at_s))
            i += 1
    return Matching(tuple(shown), tuple(ordered[i:]))


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile: the smallest value with at least ``q`` % of values at or
    below it. It is always a measured value, and never flatters a small sample."""
    if not values:
        raise ValueError("percentile of no values")
    if not 0 < q <= 100:
        raise ValueError(f"percentile q must be in (0, 100], got {q}")
    ordered = sorted(values)
    return ordered[max(1, math.ceil(q / 100 * len(ordered))) - 1]


@dataclass(frozen=True, slots=True)
class Summary:
    """Latencies of one client, in milliseconds."""

    count: int
    unshown: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    min_ms: float
    max_ms: float


def summarize(matching: Matching) -> Summary:
    values = matching.latencies_s
    if not values:
        raise ValueError("no event was shown: nothing to summarize")
    return Summary(
        count=len(values),
        unshown=len(matching.unshown),
        p50_ms=percentile(values, 50) * 1000,
        p95_ms=percentile(values, 95) * 1000,
        p99_ms=percentile(values, 99) * 1000,
        min_ms=min(values) * 1000,
        max_ms=max(values) * 1000,
    )


def by_type(matching: Matching) -> dict[str, Summary]:
    """The shown events split by event type (unshown ones are not counted here)."""
    groups: dict[str, list[tuple[StreamEvent, float]]] = {}
    for event, latency in matching.shown:
        groups.setdefault(event.type, []).append((event, latency))
    return {kind: summarize(Matching(tuple(rows), ())) for kind, rows in sorted(groups.items())}


def result_entries(
    prefix: str, ours: Summary, baseline: Summary, baseline_name: str
) -> dict[str, dict[str, object]]:
    """bench/results.json rows: p50, p95 and p99 of ours with the baseline's beside them."""
    return {
        f"{prefix}_{name}_ms": {
            "value": round(getattr(ours, f"{name}_ms"), 1),
            "unit": "ms",
            "baseline": baseline_name,
            "baseline_value": round(getattr(baseline, f"{name}_ms"), 1),
        }
        for name in ("p50", "p95", "p99")
    }
