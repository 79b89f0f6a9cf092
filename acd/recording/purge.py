"""The controller's daily recording purge: the retention enforced, every deletion audited.

Theory of operation
-------------------
The controller is the one process that writes the recordings folder, so it is the one
that deletes from it too (``docs/decisions.md``). :class:`RecordingPurge` runs
``recordings.purge.purge`` once when it is made (inside the running controller, after
``open_shelf`` has recovered the folder) and then again ``every_s`` (24 h) after each run
ended, on the controller's :class:`~acd.clock.Clock`. A run blocks on files and SQLite,
so it goes to a worker thread (``asyncio.to_thread``) with a catalogue connection of its
own (the shelf's connection is its worker's alone).

What the thread needs of the event loop's world, it asks the loop for: each audit entry
is written by the loop (the ``AuditLog`` every request writes to is not shared between
threads), and so is each question to the coaching store. An entry that could not be
written (``AuditLog.failures`` rose) stops the run: the row stays flagged and the next
run finishes and audits it, so no deletion goes unaudited.

``close`` cancels the timer and asks a run under way to stop after its current deletion
(each deletion is whole or finished by the next run), then waits for it; ``stop`` is
its first half, for a caller that cannot wait.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import threading
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import TypeVar

from acd.audit import AuditEntry, AuditLog, Outcome, Via
from acd.clock import Clock, Timer
from acd.tasks import TaskSet
from recordings.catalog import Catalog
from recordings.catalog_rows import RecordingRow
from recordings.purge import PurgeReport, purge
from recordings.retention import CoachingFacts, RetentionPolicy

T = TypeVar("T")
log = logging.getLogger(__name__)

PURGE_EVERY_S = 24 * 3600.0
ACTION = "recording/delete"
CONTROLLER_USER = "controller daily purge"
LOOP_TIMEOUT_S = 60.0  # a worker waiting on a loop that no longer runs gives up


class AuditNotWritten(RuntimeError):
    """A deletion's audit entry could not be written; the purge stops before the file goes."""


class PurgeStopped(Exception):
    """The controller is closing: the run stopped between two deletions."""


def deletion_entry(row: RecordingRow, why: str, *, user: str, at: datetime) -> AuditEntry:
    """The audit entry of one recording deleted by the retention purge."""
    return AuditEntry(
        at=at,
        user=user,
        via=Via.SYSTEM,
        action=ACTION,
        outcome=Outcome.DONE,
        agent_id=row.agent_id,
        detail={
            "recording": row.id,
            "call": row.call_id,
            "started_at": row.started_at.isoformat(),
            "because": why,
        },
    )


def record_deletion(audit: AuditLog, entry: AuditEntry) -> None:
    """Write ``entry``; :class:`AuditNotWritten` when the log could not."""
    failures = audit.failures
    audit.record(entry)
    if audit.failures > failures:
        raise AuditNotWritten(
            f"the audit entry of recording {entry.detail.get('recording')} could not be "
            f"written to {audit.folder}; the purge stopped (see the error logged before)"
        )


class RecordingPurge:
    """The daily purge of one controller; make it with the event loop running."""

    def __init__(
        self,
        *,
        directory: Path,
        policy: RetentionPolicy,
        coaching: CoachingFacts,
        clock: Clock,
        audit: AuditLog,
        every_s: float = PURGE_EVERY_S,
    ) -> None:
        self._directory, self._policy, self._coaching = directory, policy, coaching
        self._clock, self._audit, self._every_s = clock, audit, every_s
        self._tasks = TaskSet("recording purge")
        self._timer: Timer | None = None
        self._stopping = threading.Event()
        self.last: PurgeReport | None = None  # the last run's report, for a look
        self._start_run()

    async def run_once(self) -> PurgeReport:
        """One run now, in a worker thread; its report (logged too)."""
        loop = asyncio.get_running_loop()
        now = self._clock.now()
        report = await asyncio.to_thread(self._purge, now, loop)
        self.last = report
        log.info("recordings: the purge %s", report.summary())
        return report

    async def idle(self) -> None:
        """Wait until the run under way (if any) has ended."""
        await self._tasks.idle()

    def stop(self) -> None:
        """Cancel the timer and ask a run under way to stop after its current deletion."""
        self._stopping.set()
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    async def close(self) -> None:
        """:meth:`stop`, then wait for a run under way to end."""
        self.stop()
        await self._tasks.idle()
        await self._tasks.close()

    # ------------------------------------------------------------ the loop's side

    def _start_run(self) -> None:
        self._timer = None
        if not self._stopping.is_set():
            self._tasks.spawn(self._run(), name="run")

    async def _run(self) -> None:
        try:
            await self.run_once()
        except PurgeStopped:
            log.info("recordings: the purge stopped for the controller's close")
        except Exception:
            log.exception("recordings: the purge failed; trying again in %.0f s", self._every_s)
        if not self._stopping.is_set():
            self._timer = self._clock.call_later(self._every_s, self._start_run)

    def _write_audit(self, row: RecordingRow, why: str) -> None:
        entry = deletion_entry(row, why, user=CONTROLLER_USER, at=self._clock.now())
        record_deletion(self._audit, entry)

    # ------------------------------------------------------------ the worker's side

    def _purge(self, now: datetime, loop: asyncio.AbstractEventLoop) -> PurgeReport:
        coaching = _CoachingOnLoop(self._coaching, loop)
        with Catalog.open(self._directory, self._clock.now) as catalog:
            return purge(
                catalog,
                coaching,
                self._policy,
                now,
                dry_run=False,
                on_deleted=lambda row, why: on_loop(loop, lambda: self._write_audit(row, why)),
                after_each=self._stop_if_asked,
            )

    def _stop_if_asked(self, recording_id: str) -> None:
        if self._stopping.is_set():
            raise PurgeStopped(f"stopped after deleting {recording_id}")


class _CoachingOnLoop:
    """The coaching store asked from the worker thread, answered on the event loop."""

    def __init__(self, facts: CoachingFacts, loop: asyncio.AbstractEventLoop) -> None:
        self._facts, self._loop = facts, loop

    def discussed_on(self, recording_id: str) -> date | None:
        return on_loop(self._loop, lambda: self._facts.discussed_on(recording_id))

    def has_notes(self, recording_id: str) -> bool:
        return on_loop(self._loop, lambda: self._facts.has_notes(recording_id))


def on_loop(loop: asyncio.AbstractEventLoop, call: Callable[[], T]) -> T:
    """Run ``call`` on ``loop`` from a worker thread and wait for its result (or error)."""
    future: concurrent.futures.Future[T] = concurrent.futures.Future()

    def run() -> None:
        try:
            future.set_result(call())
        except BaseException as exc:  # handed to the waiting thread, which raises it
            future.set_exception(exc)

    loop.call_soon_threadsafe(run)
    return future.result(timeout=LOOP_TIMEOUT_S)
