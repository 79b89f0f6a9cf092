"""Keeping one phone's recording of a call: join, encrypt, catalogue, then tidy up.

Theory of operation
-------------------
A ``Take`` is what the controller hands over once a recording phone's channel hung
up: the call's ids and facts, and the capture folder's plain segment files
(MixMonitor's two-channel ``.raw``). ``Shelf.keep`` makes it one recording:

1. the segments are joined into one WAV beside them (``recordings.audio``);
2. the WAV is sealed into the recordings folder as ``<recording id>.kcr``, encrypted
   with the key ring's current key (``recordings.vault``), written atomically;
3. the row and its segments go into the catalogue in one transaction;
4. only then are the plain files removed.

A crash anywhere leaves the plain segments in the capture folder, and ``keep`` is
simply run again (the controller's sweep does so): a sealed file without a row is
sealed again under the same name, and a take whose ``source`` (the channel) is in the
catalogue already is only tidied up. So there is never a row without its file, and
never a second recording of one take.

The recording id is the call id; a call a second phone recorded too (a colleague after
a warm transfer) gets ``<call id>-2``, ``-3``, ...: ids of ours only, never caller text.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from recordings.audio import join_segments
from recordings.catalog import Catalog
from recordings.catalog_rows import RecordingRow, SegmentRow
from recordings.keys import KeyRing
from recordings.take import Take
from recordings.vault import SEALED_SUFFIX, seal_file

log = logging.getLogger(__name__)

CLOSED_SUFFIX = ".closed"


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


def open_shelf(folder: Path, ring: KeyRing, *, now: Callable[[], datetime]) -> Shelf:
    """The shelf in ``folder`` (made 0700 if new), its catalogue opened and migrated."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    catalog = Catalog.open(folder, now)
    catalog.recover()  # it logs what it finished
    return Shelf(folder, ring, catalog)
