"""The publisher's spool: events not yet in Redis, kept in a SQLite file until they are.

Theory of operation: ``append`` inserts one stream entry (as JSON) in its own committed
transaction before ``EventPublisher.publish`` returns, so a controller that crashes, is
killed or stops while Redis is down keeps every event it published. The drain reads the
oldest entries (``head``) and, once Redis has acknowledged them, deletes them
(``remove_through``); a restart finds the rest and sends it first, in order (rowid order
is publish order: one writer, one connection).

WAL mode with ``synchronous=NORMAL``: a commit is an append to the WAL without an fsync,
so it survives a crash or kill of the process (the OS has the page) but not a power cut
of the host in the last moments before a checkpoint; fsync per event would cost a
millisecond or more each on a VM's disk, on the event loop (docs/decisions.md).

Bounded by ``max_bytes`` of entry text: when full, ``append`` refuses the entry (returns
False) and the caller counts it; what is already spooled stays, in order.
``in_memory()`` is the same on ``:memory:``, for tests and tools that need no durability.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import Self

DEFAULT_MAX_BYTES = 256 * 1024 * 1024
"""About 800,000 events of ~300 bytes: days of traffic with Redis down."""

_SIZE = "SELECT count(*), coalesce(sum(length(CAST(entry AS BLOB))), 0) FROM spool"
_SCHEMA = "CREATE TABLE IF NOT EXISTS spool (id INTEGER PRIMARY KEY, entry TEXT NOT NULL)"


class SpoolError(OSError):
    """The spool file cannot be opened or written; the message names the file."""


class EventSpool:
    """Unsent stream entries in publish order; see the module docstring."""

    def __init__(self, db: sqlite3.Connection, where: str, *, max_bytes: int) -> None:
        if max_bytes < 1:
            raise ValueError(f"spool max_bytes must be at least 1, got {max_bytes}")
        self._db, self.where, self.max_bytes = db, where, max_bytes
        found = db.execute(_SIZE)
        self._depth, self._bytes = (int(n) for n in found.fetchone())

    @classmethod
    def open(cls, path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> EventSpool:
        """The spool at ``path`` (created with its folder if need be)."""
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(path, isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute(_SCHEMA)
        except (sqlite3.Error, OSError) as exc:
            raise SpoolError(f"event spool {path}: {exc}") from exc
        return cls(db, str(path), max_bytes=max_bytes)

    @classmethod
    def in_memory(cls, *, max_bytes: int = DEFAULT_MAX_BYTES) -> EventSpool:
        db = sqlite3.connect(":memory:", isolation_level=None)
        db.execute(_SCHEMA)
        return cls(db, ":memory:", max_bytes=max_bytes)

    @property
    def depth(self) -> int:
        """Entries in the spool."""
        return self._depth

    @property
    def bytes(self) -> int:
        """Their size as stored (the JSON text, UTF-8), which ``max_bytes`` bounds. The file
        is larger by SQLite's pages and WAL, and does not shrink: freed pages are reused."""
        return self._bytes

    def append(self, entry: Mapping[str, str]) -> bool:
        """Keep ``entry`` (committed on return); False, and nothing kept, when full."""
        text = json.dumps(entry, ensure_ascii=False, separators=(",", ":"))
        size = len(text.encode("utf-8"))
        if self._bytes + size > self.max_bytes:
            return False
        try:
            self._db.execute("INSERT INTO spool (entry) VALUES (?)", (text,))
        except sqlite3.Error as exc:
            raise SpoolError(f"event spool {self.where}: {exc}") from exc
        self._depth += 1
        self._bytes += size
        return True

    def head(self, limit: int) -> list[tuple[int, dict[str, str]]]:
        """The oldest ``limit`` entries with their spool ids, oldest first."""
        found = self._db.execute("SELECT id, entry FROM spool ORDER BY id LIMIT ?", (limit,))
        return [(int(row_id), json.loads(text)) for row_id, text in found.fetchall()]

    def remove_through(self, last_id: int) -> None:
        """Forget every entry up to ``last_id``: Redis has them."""
        try:
            found = self._db.execute(f"{_SIZE} WHERE id <= ?", (last_id,)).fetchone()
            self._db.execute("DELETE FROM spool WHERE id <= ?", (last_id,))
        except sqlite3.Error as exc:
            raise SpoolError(f"event spool {self.where}: {exc}") from exc
        self._depth -= int(found[0])
        self._bytes -= int(found[1])

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
