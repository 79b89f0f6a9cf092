"""Keeping one phone's recording of a call: join, encrypt, catalogue, then tidy up.

Theory of operation
-------------------
A ``Take`` is what the controller hands over once a recording phone's channel hung
up: the call's ids and facts, and the capture folder's plain segment files
(MixMonitor's two-channel ``.raw``). ``Shelf.keep`` makes it one recording:

1. the segments are joined into one WAV beside them (``recordings.audio``);
2. the coaching signals are computed from its two channels (``recordings.signals``,
   some 28,000 times faster than real time; a recording longer than
   ``SIGNALS_MAX_S`` is not analysed, so memory and time stay bounded). A failure
   here is logged and the recording kept without signals: a coach can still listen;
3. the WAV is sealed into the recordings folder as ``<recording id>.kccrec``,
   encrypted with the key ring's current key (``recordings.vault``), written
   atomically;
4. the row, its segments, the call's timeline (the take's marks; one without a time
   zone is left out and logged) and the signals go into the catalogue in one
   transaction;
5. only then are the plain files removed.

A crash anywhere leaves the plain segments in the capture folder, and ``keep`` is
simply run again (the controller's sweep does so): a sealed file without a row is
sealed again under the same name, and a take whose ``source`` (the channel) is in the
catalogue already is only tidied up. So there is never a row without its file, and
never a second recording of one take.

The recording id is the call id; a call a second phone recorded too (a colleague after
a warm transfer) gets ``<call id>-2``, ``-3``, ...: ids of ours only, never caller text.

``ShelfReader`` is the other side, for the replay: the catalogue on a connection of
its own (WAL: it reads while the shelf writes) and the sealed files opened by byte
range through the key ring.
"""

from __future__ import annotations

import builtins
import contextlib
import dataclasses
import logging
import threading
from collections.abc import Callable, Generator
from datetime import datetime, tzinfo
from pathlib import Path

from recordings.audio import join_segments, read_channels
from recordings.catalog import AMSTERDAM, Catalog
from recordings.catalog_rows import RecordingFilter, RecordingRow, SegmentRow, SignalsRow
from recordings.hold import hold_seconds
from recordings.keys import KeyRing
from recordings.signals import analyse
from recordings.take import Mark, Take
from recordings.vault import SEALED_SUFFIX, open_range, plaintext_size, seal_file

log = logging.getLogger(__name__)

CLOSED_SUFFIX = ".closed"
SIGNALS_MAX_S = 3600.0
"""Longer recordings are kept without signals: the analysis holds the whole call in
memory (about 450 MB for an hour), and a coach rarely needs them for such a call."""


class Shelf:
    """The recordings folder: sealed files and their catalogue."""

    def __init__(self, folder: Path, ring: KeyRing, catalog: Catalog) -> None:
        self.folder, self._ring, self.catalog = folder, ring, catalog
        self._lock = threading.Lock()  # one take at a time: ids and the catalogue

    def keep(self, take: Take) -> str:
        """Keep ``take``; its recording id (blocking: the controller runs it in a thread)."""
        with self._lock:
            return self._keep(take)

    def _keep(self, take: Take) -> str:
        if not take.pieces:
            raise ValueError(f"call {take.call_id}: a take without segments")
        known = self.catalog.by_source(take.source)
        if known is not None:
            self._tidy(take)
            return known.id
        recording_id = self._new_id(take.call_id)
        plain = take.pieces[0].path.with_name(f"{recording_id}.wav.part")
        sealed_path = self.folder / f"{recording_id}{SEALED_SUFFIX}"
        if sealed_path.exists():  # sealed before a crash, never catalogued: seal it again
            sealed_path.unlink()
        try:
            with plain.open("wb") as out:
                joined = join_segments([p.path for p in take.pieces], out)
            signals = coaching_signals(plain, recording_id, joined.duration_s)
            if signals is not None:
                hold = hold_seconds(take.timeline, take.pieces)
                signals = dataclasses.replace(signals, hold_s=hold)
            sealed = seal_file(plain, sealed_path, self._ring)
        finally:
            with contextlib.suppress(FileNotFoundError):
                plain.unlink()
        segments = tuple(
            SegmentRow(
                recording_id=recording_id,
                number=n,
                started_at=piece.started_at,
                offset_s=part.offset_s,
                duration_s=part.duration_s,
            )
            for n, (piece, part) in enumerate(zip(take.pieces, joined.segments, strict=True), 1)
        )
        self.catalog.add(
            RecordingRow(
                id=recording_id,
                call_id=take.call_id,
                agent_id=take.agent_id,
                extension=take.extension,
                position_id=take.position_id,
                topic=take.topic,
                municipality=take.municipality,
                started_at=take.pieces[0].started_at,
                duration_s=joined.duration_s,
                size=sealed.size,
                sha256=sealed.sha256,
                key_id=sealed.key_id,
                file=f"{recording_id}{SEALED_SUFFIX}",
                category=take.category,
                held=False,
                source=take.source,
            ),
            segments,
            timeline=usable_marks(take, recording_id),
            signals=signals,
        )
        self._tidy(take)
        return recording_id

    def close(self) -> None:
        self.catalog.close()

    def _new_id(self, call_id: str) -> str:
        taken = set(self.catalog.ids_for_call(call_id))
        if call_id not in taken:
            return call_id
        n = 2
        while f"{call_id}-{n}" in taken:
            n += 1
        return f"{call_id}-{n}"

    def _tidy(self, take: Take) -> None:
        for piece in take.pieces:
            for path in (piece.path, piece.path.with_name(piece.path.name + CLOSED_SUFFIX)):
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()


def usable_marks(take: Take, recording_id: str) -> tuple[Mark, ...]:
    """The take's marks that can be kept: a mark without a time zone is left out (and
    logged) rather than costing the recording."""
    kept = tuple(m for m in take.timeline if m.at.utcoffset() is not None)
    if len(kept) < len(take.timeline):
        log.error("recording %s: %d timeline mark(s) without a time zone left out",
                  recording_id, len(take.timeline) - len(kept))  # fmt: skip
    return kept


def coaching_signals(wav: Path, recording_id: str, duration_s: float) -> SignalsRow | None:
    """The signals of the joined WAV; None (logged) when they cannot be computed."""
    if duration_s > SIGNALS_MAX_S:
        log.info("recording %s: %.0f s long, kept without signals", recording_id, duration_s)
        return None
    try:
        with wav.open("rb") as source:
            agent, caller, rate = read_channels(source)
        found = analyse(agent, caller, rate)
    except Exception:  # any: a recording is never lost for its signals
        log.exception("recording %s: signals not computed; kept without them", recording_id)
        return None
    return SignalsRow(
        agent_talk_s=found.agent_talk_s,
        caller_talk_s=found.caller_talk_s,
        agent_talk_share=found.agent_talk_share,
        longest_silence_s=found.longest_silence_s,
        overtalk_count=found.overtalk_count,
        overtalk_s=found.overtalk_s,
    )


def open_shelf(folder: Path, ring: KeyRing, *, now: Callable[[], datetime]) -> Shelf:
    """The shelf in ``folder`` (made 0700 if new), its catalogue opened and migrated."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    catalog = Catalog.open(folder, now)
    catalog.recover()  # it logs what it finished
    return Shelf(folder, ring, catalog)


class ShelfReader:
    """The recordings folder read back (the replay): the catalogue and the sealed files.

    Reads only; its catalogue connection is its own and read-only, so it never waits for
    the shelf's lock while a take is being kept.
    """

    def __init__(self, folder: Path, ring: KeyRing, catalog: Catalog) -> None:
        self.folder, self._ring, self._catalog = folder, ring, catalog

    def list(self, wanted: RecordingFilter) -> builtins.list[RecordingRow]:
        return self._catalog.list(wanted)

    def get(self, recording_id: str) -> RecordingRow | None:
        return self._catalog.get(recording_id)

    def segments(self, recording_id: str) -> builtins.list[SegmentRow]:
        return self._catalog.segments(recording_id)

    def timeline(self, recording_id: str) -> builtins.list[Mark]:
        return self._catalog.timeline(recording_id)

    def signals(self, recording_id: str) -> SignalsRow | None:
        return self._catalog.signals(recording_id)

    def audio_size(self, row: RecordingRow) -> int:
        """The WAV's length in bytes as the file's header states it (checked by
        :meth:`audio`); ``OSError`` when the file is gone, ``VaultError`` when damaged."""
        return plaintext_size(self.folder / row.file)

    def audio(self, row: RecordingRow, start: int, end: int) -> Generator[bytes, None, None]:
        """The WAV's bytes ``[start, end)``, decrypting only the chunks they cover
        (``recordings.vault.open_range``: its first ``next()`` checks the file)."""
        return open_range(self.folder / row.file, self._ring, start, end)

    def close(self) -> None:
        self._catalog.close()


def open_reader(
    folder: Path, ring: KeyRing, *, now: Callable[[], datetime], zone: tzinfo = AMSTERDAM
) -> ShelfReader:
    """A reader of the recordings in ``folder``; ``zone`` is where a listed day begins.

    Opened after the shelf (:func:`open_shelf`), which creates and migrates the
    catalogue: the reader's connection is read-only and migrates nothing.
    """
    return ShelfReader(folder, ring, Catalog.open_reader(folder, now, zone=zone))
