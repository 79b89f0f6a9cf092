"""The retention purge: delete the recordings that are due, crash-safely, each one audited.

Theory of operation
-------------------
One run, blocking (the controller runs it in a worker thread, ``kcc recordings purge``
in the foreground):

1. Finish what an earlier run began: every row flagged ``deleting`` is audited
   (``on_deleted``), its file removed and the row dropped.
2. List every row, decide each (``recordings.retention``), and delete the due ones one
   by one in the catalogue's order: ``mark_deleting`` (committed) → ``on_deleted`` →
   unlink the file and fsync the folder → ``delete``.

The audit comes right *after* the mark. The committed mark is the point of no return:
the row leaves every listing, a legal hold can no longer be set on it, and any later
run finishes it (step 1). So an audit entry never claims a deletion that then does not
happen (a hold set between the listing and the mark makes ``mark_deleting`` refuse,
before anything is audited), and every deletion is audited at least once: a run
stopped between the mark and the audit leaves a flagged row, which the next run audits
in step 1; one stopped after the audit is audited a second time there.
When ``on_deleted`` raises (the audit could not be written), the run stops with the
row flagged, and no file goes unaudited.

A run stopped at any point leaves a catalogue the next run completes: a row points at
its file, or it is flagged and the next run finishes it; the file goes (and the folder
is fsynced, so a power cut cannot bring it back) before its row, so no run makes an
orphan. Orphans of the *writer* (a file sealed just before a crash, before its row) are
not this module's to remove: only the process that writes recordings may do that, at
its start (``Catalog.recover`` in ``open_shelf``), since a file being sealed right now
looks exactly like one. That is why step 1 finishes flagged rows itself instead of
calling ``Catalog.recover``.

``after_each(recording_id)`` is called after each completed deletion: the controller
stops a run there when it closes, and tests stop (or kill) a run halfway.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from recordings.catalog import Catalog, CatalogError
from recordings.catalog_rows import MAX_PAGE, RecordingFilter, RecordingRow, aware
from recordings.retention import CoachingFacts, Decision, RetentionPolicy, Rule, decide

FINISHING = "finishing a deletion an earlier run began and did not complete"
HELD_DURING_RUN = "put under a legal hold while the purge ran"

OnDeleted = Callable[[RecordingRow, str], None]


@dataclass(frozen=True, slots=True)
class PurgeReport:
    """What one run did (or, in a dry run, would do)."""

    dry_run: bool
    finished: tuple[RecordingRow, ...]  # flagged rows of an earlier run, finished now
    deleted: tuple[Decision, ...]  # due now and deleted
    kept: tuple[Decision, ...]

    def summary(self) -> str:
        verb = "would delete" if self.dry_run else "deleted"
        kept = Counter(decision.rule for decision in self.kept)
        why = ", ".join(f"{count} {rule.value}" for rule, count in sorted(kept.items()))
        text = f"{verb} {len(self.deleted)} recording(s)"
        if self.finished:
            text += f" and {'would finish' if self.dry_run else 'finished'} "
            text += f"{len(self.finished)} deletion(s) an earlier run began"
        return f"{text}; kept {len(self.kept)}" + (f" ({why})" if why else "")


def purge(
    catalog: Catalog,
    coaching: CoachingFacts,
    policy: RetentionPolicy,
    now: datetime,
    *,
    dry_run: bool,
    on_deleted: OnDeleted,
    after_each: Callable[[str], None] = lambda recording_id: None,
) -> PurgeReport:
    """One run over ``catalog``; see the module docstring. A dry run changes nothing."""
    aware("now", now)
    finished = tuple(catalog.pending_deletions())
    if not dry_run:
        for row in finished:
            on_deleted(row, FINISHING)
            _remove(catalog, row)
            after_each(row.id)
    decisions = [decide(row, coaching, policy, now) for row in every_row(catalog)]
    deleted: list[Decision] = []
    kept = [decision for decision in decisions if not decision.due]
    for decision in (d for d in decisions if d.due):
        if dry_run:
            deleted.append(decision)
            continue
        outcome = _delete(catalog, decision, on_deleted)
        if outcome is None:
            continue  # gone since the listing: another run deleted it
        (deleted if outcome.due else kept).append(outcome)
        if outcome.due:
            after_each(decision.row.id)
    return PurgeReport(dry_run, finished, tuple(deleted), tuple(kept))


def every_row(catalog: Catalog) -> Iterator[RecordingRow]:
    """Every row not being deleted, each once (a page may shift while the writer adds)."""
    seen: set[str] = set()
    offset = 0
    while True:
        page = catalog.list(RecordingFilter(limit=MAX_PAGE, offset=offset))
        for row in page:
            if row.id not in seen:
                seen.add(row.id)
                yield row
        if len(page) < MAX_PAGE:
            return
        offset += MAX_PAGE


def _delete(catalog: Catalog, decision: Decision, on_deleted: OnDeleted) -> Decision | None:
    row = decision.row
    try:
        if not catalog.mark_deleting(row.id):
            return None
    except CatalogError:  # held since the listing: nothing was changed or audited
        return replace(decision, due=False, rule=Rule.HELD, until=None, why=HELD_DURING_RUN)
    on_deleted(row, decision.why)
    _remove(catalog, row)
    return decision


def _remove(catalog: Catalog, row: RecordingRow) -> None:
    """The file, durably gone, then the row (the row is flagged ``deleting`` already)."""
    (catalog.directory / row.file).unlink(missing_ok=True)
    _fsync_folder(catalog.directory)
    catalog.delete(row.id)


def _fsync_folder(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
