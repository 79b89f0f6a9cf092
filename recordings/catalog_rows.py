"""What the catalogue holds and how it is asked: a recording's row, its segments, a filter.

Value objects, frozen and keyword-only, each checking itself when it is made, so the
catalogue never stores a naive time, a negative duration or a file name that could
point outside the recordings folder.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

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
class RecordingFilter:
    """Which recordings to list; ``day`` is a day in the catalogue's time zone."""

    day: date | None = None
    agent_id: str | None = None
    topic: str | None = None
    municipality: str | None = None
    min_duration_s: float | None = None
    max_duration_s: float | None = None
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
