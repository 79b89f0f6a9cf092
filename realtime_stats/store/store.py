"""The durable calls, agent states, rings and notes, and how far into the event stream they reach.

`Store.write` puts a fold's changed records and the stream id they reach in one
transaction, so after a crash the stored position never runs ahead of the stored records
(or behind them: replaying a few events again is harmless, the fold skips them). Methods
are synchronous and serialised by a lock; the asyncio consumer calls them in a thread.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import Self

from contract.vocabulary import RingKind
from realtime_stats.figures.backoffice_records import BackOfficeRing
from realtime_stats.figures.callback_records import CallbackNote
from realtime_stats.figures.periods import as_utc
from realtime_stats.figures.records import AgentInterval, CallRecord
from realtime_stats.figures.tracked_records import (
    IvrCall,
    MenuStep,
    TrackedCall,
    TrackedInterval,
)
from realtime_stats.store import note_rows, rows
from realtime_stats.store.batches import AppliedSeq, FoldSnapshot, SaveBatch
from realtime_stats.store.database import Database, StoreError, Transaction, connect
from realtime_stats.store.migrations import MIGRATIONS, Migration, migrate
from realtime_stats.store.position import StreamId

# A live call or IVR visit older than this at a restart is not followed any more: its end
# event was lost (a controller crash), and holding it would keep it "waiting" for ever.
_LIVE_HORIZON = timedelta(days=1)

_CALLS = f"SELECT {', '.join('c.' + c for c in rows.CALL_COLUMNS)} FROM calls c"
_IVR_CALLS = f"SELECT {', '.join('c.' + c for c in rows.IVR_CALL_COLUMNS)} FROM ivr_calls c"
_STEPS = f"SELECT {', '.join('s.' + c for c in rows.STEP_COLUMNS)} FROM ivr_steps s"
_INTERVALS = f"SELECT {', '.join(rows.INTERVAL_COLUMNS)} FROM agent_intervals"
_FINAL = "c.ended_at IS NOT NULL AND (c.answered_at IS NULL OR c.agent_done = ?)"
_RINGS = f"SELECT {', '.join(rows.RING_COLUMNS)} FROM backoffice_rings"
# `BackOfficeRing.finished`: unanswered, an answered consult, or an answered direct call ended.
_RING_FINISHED = (
    "(not_answered_at IS NOT NULL OR ended_at IS NOT NULL"
    " OR (answered_at IS NOT NULL AND kind = ?))"
)


def open_store(target: str | Path, *, migrations: Iterable[Migration] = MIGRATIONS) -> Store:
    """The store at a SQLite file path or a `postgresql://` URL, migrated to this code."""
    db = connect(target)
    try:
        migrate(db, tuple(migrations))
    except BaseException:
        db.close()
        raise
    return Store(db)


class Store:
    """One store; `open_store` makes it. Close it (or use `with`) when done."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._lock = threading.Lock()

    @property
    def where(self) -> str:
        return self._db.where

    def close(self) -> None:
        with self._lock:
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

    @contextmanager
    def _transaction(self) -> Iterator[Transaction]:
        with self._lock:
            try:
                with self._db.transaction() as tx:
                    yield tx
            except self._db.errors as exc:
                raise StoreError(f"{self._db.where}: {exc}") from exc

    # --- writing ---

    def write(self, batch: SaveBatch) -> None:
        """Write the batch's records and the position they reach, all or nothing."""
        with self._transaction() as tx:
            self._write_calls(tx, batch.calls)
            self._write_ivr_calls(tx, batch.ivr_calls)
            self._write_intervals(tx, batch.intervals)
            self._write_rings(tx, batch.rings)
            note_rows.write(self._db, tx, batch.notes)
            if batch.stream_id is not None:
                self._set_position(tx, batch.stream_id)
            self._write_applied(tx, batch.applied)

    def save_calls(self, calls: Iterable[CallRecord | TrackedCall]) -> None:
        """Store calls; a bare `CallRecord` counts as handled once it has ended."""
        with self._transaction() as tx:
            self._write_calls(tx, [_tracked(c) for c in calls])

    def save_ivr_calls(self, calls: Iterable[IvrCall]) -> None:
        with self._transaction() as tx:
            self._write_ivr_calls(tx, list(calls))

    def save_intervals(self, intervals: Iterable[AgentInterval | TrackedInterval]) -> None:
        tracked = [
            i if isinstance(i, TrackedInterval) else TrackedInterval(interval=i) for i in intervals
        ]
        with self._transaction() as tx:
            self._write_intervals(tx, tracked)

    def save_rings(self, rings: Iterable[BackOfficeRing]) -> None:
        with self._transaction() as tx:
            self._write_rings(tx, rings)

    def save_notes(self, notes: Iterable[CallbackNote]) -> None:
        with self._transaction() as tx:
            note_rows.write(self._db, tx, notes)

    def set_last_stream_id(self, stream_id: StreamId) -> None:
        with self._transaction() as tx:
            self._set_position(tx, stream_id)

    def _write_calls(self, tx: Transaction, calls: Iterable[TrackedCall]) -> None:
        for tracked in calls:
            call_id = tracked.record.call_id
            tx.execute(
                rows.upsert("calls", rows.CALL_COLUMNS, ("call_id",)),
                rows.call_row(self._db, tracked),
            )
            self._write_steps(tx, call_id, tracked.steps)
            # The call has joined a queue: it is no longer an IVR-only call.
            tx.execute("DELETE FROM ivr_calls WHERE call_id = ?", (call_id,))

    def _write_ivr_calls(self, tx: Transaction, calls: Iterable[IvrCall]) -> None:
        sql = rows.upsert("ivr_calls", rows.IVR_CALL_COLUMNS, ("call_id",))
        for call in calls:
            tx.execute(sql, rows.ivr_call_row(self._db, call))
            self._write_steps(tx, call.call_id, call.steps)

    def _write_steps(self, tx: Transaction, call_id: str, steps: Iterable[MenuStep]) -> None:
        tx.execute("DELETE FROM ivr_steps WHERE call_id = ?", (call_id,))
        insert = f"INSERT INTO ivr_steps ({', '.join(rows.STEP_COLUMNS)}) VALUES (?, ?, ?, ?, ?, ?)"
        tx.executemany(insert, rows.step_rows(self._db, call_id, steps))

    def _write_intervals(self, tx: Transaction, intervals: Iterable[TrackedInterval]) -> None:
        sql = rows.upsert("agent_intervals", rows.INTERVAL_COLUMNS, ("agent_id", "start_at"))
        tx.executemany(sql, [rows.interval_row(self._db, i) for i in intervals])

    def _write_rings(self, tx: Transaction, rings: Iterable[BackOfficeRing]) -> None:
        sql = rows.upsert("backoffice_rings", rows.RING_COLUMNS, ("call_id", "extension", "ring"))
        tx.executemany(sql, [rows.ring_row(self._db, r) for r in rings])

    def _write_applied(self, tx: Transaction, applied: Iterable[AppliedSeq]) -> None:
        sql = rows.upsert("applied_seqs", ("origin", "seq"), ("origin",))
        tx.executemany(sql, [(a.origin, a.seq) for a in applied])

    def _set_position(self, tx: Transaction, stream_id: StreamId) -> None:
        stored = self._position(tx)
        if stored is not None and stream_id < stored:
            raise StoreError(
                f"{self._db.where}: stream position would move back from {stored} to "
                f"{stream_id}; is a second consumer writing to this store?"
            )
        sql = rows.upsert("stream_position", ("id", "ms", "seq"), ("id",))
        tx.execute(sql, (1, stream_id.ms, stream_id.seq))

    # --- reading ---

    def last_stream_id(self) -> StreamId | None:
        with self._transaction() as tx:
            return self._position(tx)

    def _position(self, tx: Transaction) -> StreamId | None:
        found = tx.rows("SELECT ms, seq FROM stream_position WHERE id = 1")
        return StreamId(int(found[0][0]), int(found[0][1])) if found else None

    def calls_between(self, start: datetime, end: datetime) -> list[CallRecord]:
        """Calls that entered the queue in [start, end), by entered_at."""
        where = "c.entered_at >= ? AND c.entered_at < ?"
        with self._transaction() as tx:
            found = self._calls(tx, where, (self._time(start), self._time(end)))
        return [t.record for t in found]

    def intervals_between(self, start: datetime, end: datetime) -> list[AgentInterval]:
        """Agent intervals overlapping [start, end); an open interval runs on for ever."""
        return [t.interval for t in self._intervals_from(start, until=end)]

    def ivr_calls_between(self, start: datetime, end: datetime) -> list[IvrCall]:
        """Calls that ended in the IVR (never queued), started in [start, end)."""
        where = "c.started_at >= ? AND c.started_at < ? AND c.ended_at IS NOT NULL"
        with self._transaction() as tx:
            return self._ivr_calls(tx, where, (self._time(start), self._time(end)))

    def rings_between(self, start: datetime, end: datetime) -> list[BackOfficeRing]:
        """Back-office rings that started ringing in [start, end), by rang_at."""
        with self._transaction() as tx:
            return self._rings(
                tx, "rang_at >= ? AND rang_at < ?", (self._time(start), self._time(end))
            )

    def notes_between(self, start: datetime, end: datetime) -> list[CallbackNote]:
        """The callback notes the figures of [start, end) count: noted or done in it, due
        in (start, end], or open at its end; by noted_at."""
        s, e = self._time(start), self._time(end)
        with self._transaction() as tx:
            return note_rows.read(self._db, tx, note_rows.FOR_PERIOD, (s, e) * 3 + (e, e))

    def snapshot(self, since: datetime) -> FoldSnapshot:
        """What a fold needs to carry on after a restart: the records from `since` on, the
        calls and back-office rings still live, every open callback note (however old),
        and the stream position, read in one transaction."""
        since_db, horizon = self._time(since), self._time(since - _LIVE_HORIZON)
        with self._transaction() as tx:
            calls = self._calls(
                tx,
                f"c.entered_at >= ? OR (c.entered_at >= ? AND NOT ({_FINAL}))",
                (since_db, horizon, True),
            )
            ivr = self._ivr_calls(
                tx,
                "c.started_at >= ? OR (c.started_at >= ? AND c.ended_at IS NULL)",
                (since_db, horizon),
            )
            intervals = self._intervals(tx, since, until=None)
            rings = self._rings(
                tx,
                f"rang_at >= ? OR (rang_at >= ? AND NOT {_RING_FINISHED})",
                (since_db, horizon, RingKind.CONSULT.value),
            )
            notes = note_rows.read(self._db, tx, note_rows.COUNTS_FROM, (since_db,) * 3)
            position = self._position(tx)
            applied = tx.rows("SELECT origin, seq FROM applied_seqs ORDER BY origin")
        return FoldSnapshot(
            calls=tuple(calls),
            ivr_calls=tuple(ivr),
            intervals=tuple(intervals),
            rings=tuple(rings),
            notes=tuple(notes),
            last_stream_id=position,
            applied=tuple(AppliedSeq(str(o), int(s)) for o, s in applied),
        )

    def _calls(self, tx: Transaction, where: str, params: tuple[object, ...]) -> list[TrackedCall]:
        found = tx.rows(f"{_CALLS} WHERE {where} ORDER BY c.entered_at, c.call_id", params)
        steps = self._steps(tx, "calls", where, params)
        return [rows.tracked_call(self._db, row, steps.get(row[0], [])) for row in found]

    def _ivr_calls(self, tx: Transaction, where: str, params: tuple[object, ...]) -> list[IvrCall]:
        found = tx.rows(f"{_IVR_CALLS} WHERE {where} ORDER BY c.started_at, c.call_id", params)
        steps = self._steps(tx, "ivr_calls", where, params)
        return [rows.ivr_call(self._db, row, steps.get(row[0], [])) for row in found]

    def _steps(
        self, tx: Transaction, table: str, where: str, params: tuple[object, ...]
    ) -> dict[str, list[MenuStep]]:
        """The steps of the calls in `table` (aliased `c`) that match `where`."""
        join = f"JOIN {table} c ON c.call_id = s.call_id"
        found = tx.rows(f"{_STEPS} {join} WHERE {where} ORDER BY s.call_id, s.seq", params)
        return rows.steps_by_call(self._db, found)

    def _intervals_from(self, start: datetime, *, until: datetime | None) -> list[TrackedInterval]:
        with self._transaction() as tx:
            return self._intervals(tx, start, until=until)

    def _intervals(
        self, tx: Transaction, start: datetime, *, until: datetime | None
    ) -> list[TrackedInterval]:
        where, params = "(end_at IS NULL OR end_at > ?)", [self._time(start)]
        if until is not None:
            where, params = f"{where} AND start_at < ?", [*params, self._time(until)]
        found = tx.rows(f"{_INTERVALS} WHERE {where} ORDER BY start_at, agent_id", params)
        return [rows.tracked_interval(self._db, row) for row in found]

    def _rings(
        self, tx: Transaction, where: str, params: tuple[object, ...]
    ) -> list[BackOfficeRing]:
        order = "ORDER BY rang_at, call_id, extension, ring"
        found = tx.rows(f"{_RINGS} WHERE {where} {order}", params)
        return [rows.backoffice_ring(self._db, row) for row in found]

    def _time(self, moment: datetime) -> object:
        return self._db.to_db(as_utc("time", moment))


def _tracked(call: CallRecord | TrackedCall) -> TrackedCall:
    if isinstance(call, TrackedCall):
        return call
    # Bare records come from outside the fold (imports, tests): there is no agent state
    # to wait for, so an ended call is taken as handled.
    steps = tuple(MenuStep(s.step, None, None, s.at) for s in call.ivr_steps)
    return TrackedCall(record=call, steps=steps, agent_done=call.ended_at is not None)
