"""What the catalogue holds and how it is asked: a recording's row, its segments, its
coaching signals, a filter; and how each is laid out in the catalogue's tables.

Value objects, frozen and keyword-only, each checking itself when it is made, so the
catalogue never stores a naive time, a negative duration or a file name that could
point outside the recordings folder.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from recordings.vault import SEALED_SUFFIX

# Named by our code, never from a caller's text: a plain name, no '/' and no '..'.
FILE_NAME = re.compile(rf"[A-Za-z0-9][A-Za-z0-9_.-]{{0,127}}{re.escape(SEALED_SUFFIX)}")
MAX_PAGE = 1000
_SHA256 = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True, slots=True, kw_only=True)
class RecordingRow:
    """One recording as catalogued; ``stored_at`` is set by :meth:`Catalog.add`."""

    id: str
    call_id: str
    agent_id: str | None
    extension: str | None  # the phone that recorded
    position_id: str | None
    topic: str | None
    municipality: str | None
    started_at: datetime
    duration_s: float
    size: int
    sha256: str
    key_id: str
    file: str
    category: str  # the retention category, e.g. "standard"
    held: bool = False  # a legal hold: never deleted while set
    deleting: bool = False
    stored_at: datetime | None = None
    source: str | None = None  # the recording phone's channel: one recording a take

    def __post_init__(self) -> None:
        aware("started_at", self.started_at)
        if not self.id:
            raise ValueError("a recording needs an id")
        if not FILE_NAME.fullmatch(self.file):
            raise ValueError(
                f"recording {self.id}: file {self.file!r}; allowed: a plain name of letters, "
                f"digits, '_', '-' and '.' (not first) ending in {SEALED_SUFFIX}"
            )
        if not _SHA256.fullmatch(self.sha256):
            raise ValueError(f"recording {self.id}: sha256 {self.sha256!r} is not 64 hex digits")
        if self.duration_s < 0 or self.size < 0:
            raise ValueError(f"recording {self.id}: negative duration or size")


@dataclass(frozen=True, slots=True, kw_only=True)
class SegmentRow:
    """One part of a recording: when it was recorded and where it is in the file."""

    recording_id: str
    number: int
    started_at: datetime
    offset_s: float  # where the segment begins inside the stored audio
    duration_s: float

    def __post_init__(self) -> None:
        aware("started_at", self.started_at)
        if self.number < 0 or self.offset_s < 0 or self.duration_s < 0:
            raise ValueError(f"segment {self.recording_id}/{self.number}: a negative figure")


@dataclass(frozen=True, slots=True, kw_only=True)
class SignalsRow:
    """A recording's coaching signals as catalogued (``recordings.signals.CallSignals``
    without the duration, which is the recording's own)."""

    agent_talk_s: float
    caller_talk_s: float
    agent_talk_share: float | None  # None when nobody talked
    longest_silence_s: float
    overtalk_count: int
    overtalk_s: float
    hold_s: float = 0.0  # the caller on hold in the recorded part (recordings.hold)

    def __post_init__(self) -> None:
        figures = (self.agent_talk_s, self.caller_talk_s, self.longest_silence_s,
                   self.overtalk_s, self.overtalk_count, self.hold_s)  # fmt: skip
        if any(figure < 0 for figure in figures):
            raise ValueError(f"signals with a negative figure: {self}")
        share = self.agent_talk_share
        if share is not None and not 0 <= share <= 1:
            raise ValueError(f"agent_talk_share={share}; allowed: 0 to 1, or None")


@dataclass(frozen=True, slots=True, kw_only=True)
class RecordingFilter:
    """Which recordings to list; ``day`` is a day in the catalogue's time zone.

    ``ids_in`` keeps only the recordings with those ids (an empty set: none),
    ``ids_not_in`` leaves those out; both are applied before ``limit`` and ``offset``,
    so a page is a page of what is left (the list's coaching filters use them).
    """

    day: date | None = None
    agent_id: str | None = None
    topic: str | None = None
    municipality: str | None = None
    extension: str | None = None  # the phone that recorded
    min_duration_s: float | None = None
    max_duration_s: float | None = None
    ids_in: frozenset[str] | None = None
    ids_not_in: frozenset[str] | None = None
    limit: int = 100
    offset: int = 0

    def __post_init__(self) -> None:
        if not 1 <= self.limit <= MAX_PAGE:
            raise ValueError(f"limit={self.limit}; allowed: 1 to {MAX_PAGE}")
        if self.offset < 0:
            raise ValueError(f"offset={self.offset}; allowed: 0 or more")
        low, high = self.min_duration_s, self.max_duration_s
        if (low is not None and low < 0) or (high is not None and high < 0):
            raise ValueError("a duration bound is negative")
        if low is not None and high is not None and low > high:
            raise ValueError(f"min_duration_s={low} is above max_duration_s={high}")


def aware(what: str, moment: datetime) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{what}={moment.isoformat()} has no time zone; allowed: an aware time")


# ------------------------------------------------------------ as the tables hold them

COLUMNS = (
    "id, call_id, agent_id, extension, position_id, topic, municipality, started_at, "
    "duration_s, size, sha256, key_id, file, category, held, deleting, stored_at, source"
)
SEGMENT_COLUMNS = "recording_id, number, started_at, offset_s, duration_s"
SIGNAL_COLUMNS = (
    "agent_talk_s, caller_talk_s, agent_talk_share, longest_silence_s, overtalk_count, "
    "overtalk_s, hold_s"
)


def stamp(moment: datetime) -> str:
    # One fixed width in UTC, so text order is time order in the queries.
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def recording_values(r: RecordingRow, stored_at: datetime) -> tuple[Any, ...]:
    return (
        r.id, r.call_id, r.agent_id, r.extension, r.position_id, r.topic, r.municipality,
        stamp(r.started_at), r.duration_s, r.size, r.sha256, r.key_id, r.file, r.category,
        int(r.held), 0, stamp(stored_at), r.source,
    )  # fmt: skip


def recording_of(row: Sequence[Any]) -> RecordingRow:
    (id_, call_id, agent_id, extension, position_id, topic, municipality, started_at,
     duration_s, size, sha256, key_id, file, category, held, deleting, stored_at,
     source) = row  # fmt: skip
    return RecordingRow(
        id=id_, call_id=call_id, agent_id=agent_id, extension=extension,
        position_id=position_id, topic=topic, municipality=municipality,
        started_at=datetime.fromisoformat(started_at), duration_s=float(duration_s),
        size=int(size), sha256=sha256, key_id=key_id, file=file, category=category,
        held=bool(held), deleting=bool(deleting), stored_at=datetime.fromisoformat(stored_at),
        source=source,
    )  # fmt: skip


def segment_values(s: SegmentRow) -> tuple[Any, ...]:
    return (s.recording_id, s.number, stamp(s.started_at), s.offset_s, s.duration_s)


def segment_of(row: Sequence[Any]) -> SegmentRow:
    recording_id, number, started_at, offset_s, duration_s = row
    return SegmentRow(
        recording_id=recording_id, number=int(number),
        started_at=datetime.fromisoformat(started_at), offset_s=float(offset_s),
        duration_s=float(duration_s),
    )  # fmt: skip


def signal_values(s: SignalsRow) -> tuple[Any, ...]:
    return (s.agent_talk_s, s.caller_talk_s, s.agent_talk_share, s.longest_silence_s,
            s.overtalk_count, s.overtalk_s, s.hold_s)  # fmt: skip


def signals_of(row: Sequence[Any]) -> SignalsRow:
    agent_talk_s, caller_talk_s, share, silence_s, overtalk_count, overtalk_s, hold_s = row
    return SignalsRow(
        agent_talk_s=float(agent_talk_s or 0), caller_talk_s=float(caller_talk_s or 0),
        agent_talk_share=None if share is None else float(share),
        longest_silence_s=float(silence_s or 0), overtalk_count=int(overtalk_count or 0),
        overtalk_s=float(overtalk_s or 0), hold_s=float(hold_s or 0),
    )  # fmt: skip
