"""HTTP byte ranges (RFC 9110, section 14) for the replay's audio: one range, or none.

A media element seeks by asking for ``bytes=N-``; a download manager resumes the same
way. One range is all the player needs, so a header naming several (or one that is not
in bytes, or malformed) is ignored and the whole file is sent, as RFC 9110 allows. A
range that starts at or past the end cannot be satisfied: 416 with ``bytes */size``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_ONE_RANGE = re.compile(r"\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*")


class Unsatisfiable(ValueError):
    """The range lies outside the file (416, with ``Content-Range: bytes */size``)."""

    def __init__(self, message: str, size: int) -> None:
        super().__init__(message)
        self.size = size


@dataclass(frozen=True, slots=True)
class ByteRange:
    """Bytes ``[start, end)`` of a file of ``size`` bytes."""

    start: int
    end: int
    size: int

    @property
    def length(self) -> int:
        return self.end - self.start

    @property
    def content_range(self) -> str:
        return f"bytes {self.start}-{self.end - 1}/{self.size}"


def parse_range(header: str | None, size: int) -> ByteRange | None:
    """The one range ``header`` asks for in ``size`` bytes; None: send the whole file.

    ``Unsatisfiable`` for a range outside the file (a suffix of 0 bytes, a start at or
    past the end, any range of an empty file).
    """
    if header is None:
        return None
    found = _ONE_RANGE.fullmatch(header)
    if found is None:
        return None  # several ranges, another unit or malformed: the whole file
    first, last = found[1], found[2]
    if not first and not last:
        return None
    if not first:  # bytes=-N: the last N bytes
        suffix = int(last)
        if suffix == 0 or size == 0:
            raise Unsatisfiable(f"bytes=-{suffix} of a file of {size} bytes", size)
        return ByteRange(max(size - suffix, 0), size, size)
    start = int(first)
    if last and int(last) < start:
        return None  # last before first: not a valid range, so no Range at all
    if start >= size:
        raise Unsatisfiable(f"bytes={start}- of a file of {size} bytes", size)
    end = size if not last else min(int(last) + 1, size)
    return ByteRange(start, end, size)
