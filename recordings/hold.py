"""Hold time of a recording, from the call's own timeline (pure).

While the agent consults a colleague (a warm transfer, ``#2`` or the phonebook), the
caller is on hold: from the colleague's phone starting to ring (``backoffice.ringing``)
until the consult ends (``backoffice.ended``: the colleague or the agent gave it up),
the caller is handed over (``call.transferred``), or the call ends. The audio cannot
tell hold from a quiet caller; the events can. Only the recorded part counts: each hold
is clipped to the segments the recording holds.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from recordings.take import Mark, Piece

HOLD_STARTS = frozenset({"backoffice.ringing"})
HOLD_ENDS = frozenset({"backoffice.ended", "call.transferred", "call.ended"})


def holds(timeline: Iterable[Mark]) -> list[tuple[datetime, datetime]]:
    """The (start, end) of each hold; one still open at the end of the timeline is left
    out (its end is not known)."""
    found: list[tuple[datetime, datetime]] = []
    start: datetime | None = None
    aware = [m for m in timeline if m.at.utcoffset() is not None]  # as the shelf keeps them
    for mark in sorted(aware, key=lambda m: m.at):
        if mark.kind in HOLD_STARTS and start is None:
            start = mark.at
        elif mark.kind in HOLD_ENDS and start is not None:
            found.append((start, mark.at))
            start = None
    return found


def hold_seconds(timeline: Iterable[Mark], pieces: Sequence[Piece]) -> float:
    """Seconds of hold inside the recorded segments."""
    total = 0.0
    for start, end in holds(timeline):
        for piece in pieces:
            overlap = (min(end, piece.stopped_at) - max(start, piece.started_at)).total_seconds()
            total += max(0.0, overlap)
    return round(total, 1)
