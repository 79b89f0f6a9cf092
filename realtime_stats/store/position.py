"""How far into the controller's event stream the stats service has read: `StreamId`.

The store keeps the id of the last entry its records include, written in the same
transaction as the records; the event consumer reads on from there after a restart, and
the wallboard says through which entry its figures are (`events_through`). Ids are ordered
as Redis orders them, as numbers, never as text ("999-0" comes before "1000-0").
"""

from __future__ import annotations

from typing import NamedTuple

from contract.codec import EventError


class StreamId(NamedTuple):
    """A Redis Stream entry id, `<milliseconds>-<sequence>`, ordered as Redis orders them."""

    ms: int
    seq: int

    @classmethod
    def parse(cls, text: str) -> StreamId:
        ms, _, seq = text.partition("-")
        if not (ms.isascii() and ms.isdigit() and seq.isascii() and seq.isdigit()):
            raise EventError(f"stream id {text!r} is not <milliseconds>-<sequence>")
        return cls(int(ms), int(seq))

    def __str__(self) -> str:
        return f"{self.ms}-{self.seq}"
