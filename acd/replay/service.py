"""Replay: what the recordings room does, over a small interface to the shelf.

Theory of operation
-------------------
``Replay`` reads through a :class:`RecordingShelf` (the real one is
``recordings.shelf.ShelfReader``: the catalogue on its own connection, the sealed files
through the key ring), so tests run it on a real catalogue and real sealed files in a
temporary folder. Every question comes with the listener's :class:`Scope`
(``acd.replay.readers``): a recording outside it is :class:`NotTheirs`, which the
routes answer as an unknown one.

Audio is served by byte range: :meth:`Replay.open_audio` states the file's plaintext
size, parses the ``Range`` header (``acd.replay.ranges``) and opens the range with
``recordings.vault.open_range``, pulling its first chunk at once. That first step
checks the whole file (header, size, the last chunk and with it the length), so a
tampered or missing file is :class:`Unreadable` before any status is sent; the rest
streams chunk by chunk (64 KiB, microseconds of AES-GCM each). A chunk that fails
later (damage in the middle of the file) ends the stream early: the client never gets
a byte that was not authenticated.

The list (:meth:`Replay.recordings`) also asks the coaching store, when there is one
(:class:`CoachingFacts`, the real one ``recordings.coaching.CoachingStore``), which
recordings have notes and which were reviewed (an evaluation, or "besproken"): each
row carries both facts, and the filters "with notes" and "not yet reviewed" go into
the catalogue's query as an id allow/deny set, so ``limit`` and ``offset`` page over
what is left. Without a coaching store no recording has notes or was reviewed.

The waveform (:meth:`Replay.waveform`) decrypts the whole file once, as a stream, and
folds it into the two channels' peak envelopes (``acd.replay.waveform``); it is
blocking CPU work, which the routes run in a worker thread.
"""

from __future__ import annotations

import builtins
from collections.abc import Generator, Mapping
from dataclasses import dataclass, replace
from typing import Protocol

from acd.replay.ranges import ByteRange, parse_range
from acd.replay.readers import Scope
from acd.replay.timeline import PlacedMark, place
from acd.replay.waveform import Envelope, NotOurAudio, envelope
from recordings.catalog_rows import RecordingFilter, RecordingRow, SegmentRow, SignalsRow
from recordings.take import Mark
from recordings.vault import VaultError
from site_config import SiteConfig


class RecordingShelf(Protocol):
    """What the replay reads (``recordings.shelf.ShelfReader``); blocking, but quick."""

    def list(self, wanted: RecordingFilter) -> builtins.list[RecordingRow]: ...

    def get(self, recording_id: str) -> RecordingRow | None: ...

    def segments(self, recording_id: str) -> builtins.list[SegmentRow]: ...

    def timeline(self, recording_id: str) -> builtins.list[Mark]: ...

    def signals(self, recording_id: str) -> SignalsRow | None: ...

    def audio_size(self, row: RecordingRow) -> int: ...

    def audio(self, row: RecordingRow, start: int, end: int) -> Generator[bytes, None, None]: ...

    def close(self) -> None: ...


class CoachingFacts(Protocol):
    """What the list asks of the coaching (``recordings.coaching.CoachingReader``)."""

    def recordings_with_notes(self) -> set[str]: ...

    def reviewed(self) -> set[str]: ...


class UnknownRecording(LookupError):
    """No such recording (or one being deleted): 404."""

    def __init__(self, recording_id: str) -> None:
        super().__init__(f"no recording {recording_id!r}")
        self.recording_id = recording_id


class NotTheirs(UnknownRecording):
    """A recording outside the listener's scope: answered as unknown, recorded as forbidden."""

    def __init__(self, recording_id: str, reason: str) -> None:
        super().__init__(recording_id)
        self.reason = reason


class Unreadable(RuntimeError):
    """The recording's file is missing or fails its check; the message is for the log."""


@dataclass(frozen=True, slots=True)
class Names:
    """The site's Dutch names for what the replay shows by id."""

    site: str
    zone: str
    agents: Mapping[str, str]
    topics: Mapping[str, str]
    municipalities: Mapping[str, str]

    @classmethod
    def of(cls, site: SiteConfig) -> Names:
        return cls(
            site=site.name,
            zone=site.timezone,
            agents={a.id: a.name for a in site.agents},
            topics={t.id: t.name for t in site.topics},
            municipalities={m.id: m.name for m in site.municipalities},
        )


@dataclass(frozen=True, slots=True)
class Listed:
    """One row of the list with its coaching facts."""

    row: RecordingRow
    has_notes: bool
    reviewed: bool  # an evaluation, or marked "besproken"


@dataclass(frozen=True, slots=True)
class Detail:
    """One recording as the player shows it."""

    row: RecordingRow
    segments: tuple[SegmentRow, ...]
    marks: tuple[PlacedMark, ...]
    signals: SignalsRow | None


@dataclass(frozen=True, slots=True)
class Audio:
    """An opened audio answer: the whole size, the range (None: all of it), its bytes."""

    size: int
    part: ByteRange | None
    first: bytes
    rest: Generator[bytes, None, None]

    @property
    def start(self) -> int:
        return 0 if self.part is None else self.part.start

    @property
    def length(self) -> int:
        return self.size if self.part is None else self.part.length


class Replay:
    """The kept recordings, listed and read back for one site."""

    def __init__(
        self, shelf: RecordingShelf, site: SiteConfig, coaching: CoachingFacts | None = None
    ) -> None:
        self._shelf = shelf
        self._coaching = coaching
        self.names = Names.of(site)
        self.download_enabled = site.recording.download_enabled

    def recordings(
        self, wanted: RecordingFilter, *, with_notes: bool = False, unreviewed: bool = False
    ) -> list[Listed]:
        """One page of recordings (the caller narrowed ``wanted`` to the scope), only
        those with notes and/or only those not yet reviewed if asked."""
        notes = set[str]() if self._coaching is None else self._coaching.recordings_with_notes()
        reviewed = set[str]() if self._coaching is None else self._coaching.reviewed()
        if with_notes:
            allowed = frozenset(notes)
            if wanted.ids_in is not None:
                allowed &= wanted.ids_in
            wanted = replace(wanted, ids_in=allowed)
        if unreviewed:
            wanted = replace(wanted, ids_not_in=frozenset(reviewed) | (wanted.ids_not_in or set()))
        return [Listed(r, r.id in notes, r.id in reviewed) for r in self._shelf.list(wanted)]

    def recording(self, recording_id: str, scope: Scope) -> RecordingRow:
        """The row; ``UnknownRecording`` (also while being deleted) or ``NotTheirs``."""
        row = self._shelf.get(recording_id)
        if row is None or row.deleting:
            raise UnknownRecording(recording_id)
        if not scope.covers(row):
            raise NotTheirs(
                recording_id,
                f"recording {recording_id} is of agent {row.agent_id or 'none'}; agent "
                f"{scope.agent_id} hears only their own",
            )
        return row

    def detail(self, row: RecordingRow) -> Detail:
        segments = tuple(self._shelf.segments(row.id))
        marks = tuple(place(self._shelf.timeline(row.id), segments))
        return Detail(row, segments, marks, self._shelf.signals(row.id))

    def open_audio(self, row: RecordingRow, range_header: str | None) -> Audio:
        """The range of the WAV ``range_header`` asks for, its first chunk pulled.

        ``Unsatisfiable`` for a range outside the file, ``Unreadable`` for a file that
        is missing or fails its check.
        """
        try:
            size = self._shelf.audio_size(row)
        except (OSError, VaultError) as exc:
            raise Unreadable(f"recording {row.id}: {exc}") from exc
        part = parse_range(range_header, size)
        start, end = (0, size) if part is None else (part.start, part.end)
        chunks = self._shelf.audio(row, start, end)
        try:
            first = next(chunks, b"")
        except (OSError, VaultError, ValueError) as exc:
            chunks.close()
            raise Unreadable(f"recording {row.id}: {exc}") from exc
        return Audio(size, part, first, chunks)

    def waveform(self, row: RecordingRow, points: int) -> Envelope:
        """Both channels' peak envelopes (blocking: decrypts the whole file once)."""
        try:
            size = self._shelf.audio_size(row)
            chunks = self._shelf.audio(row, 0, size)
            try:
                return envelope(chunks, points)
            finally:
                chunks.close()
        except (OSError, VaultError, NotOurAudio) as exc:
            raise Unreadable(f"recording {row.id}: {exc}") from exc
