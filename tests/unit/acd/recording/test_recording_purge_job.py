"""The controller's daily recording purge on a FakeClock: it runs when made and then
24 h after each run, deletes what is due and audits each deletion into the controller's
audit log (written on the event loop, as is every question to the coaching store), stops
when its audit cannot be written, and ``close`` stops the timer and a run under way."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from acd.audit import AuditEntry, AuditLog
from acd.clock import FakeClock
from acd.recording.purge import ACTION, CONTROLLER_USER, PURGE_EVERY_S, RecordingPurge
from recordings.retention import CoachingFacts, NoCoaching, RetentionPolicy
from tests.unit.recordings.shelved import Made, audit_lines, shelve, state_of

NOW = datetime(2026, 9, 1, 1, 0, tzinfo=UTC)  # 03:00 in Amsterdam
POLICY = RetentionPolicy(retention_days=90, coached_days_after_discussed=30)
DAY = timedelta(days=1)
OLD = NOW - timedelta(days=120)
DUE_IN_12H = NOW - timedelta(days=90) + timedelta(hours=12)


class Audit(AuditLog):
    """The real log, remembering the thread each entry was written on."""

    def __init__(self, folder: Path) -> None:
        super().__init__(folder, retention_days=365, today=NOW.date())
        self.threads: set[int] = set()
        self.broken = False

    def record(self, entry: AuditEntry) -> None:
        self.threads.add(threading.get_ident())
        if self.broken:
            self.failures += 1  # as a full disk does
            return
        super().record(entry)


class Coaching(NoCoaching):
    def __init__(self) -> None:
        self.threads: set[int] = set()

    def has_notes(self, recording_id: str) -> bool:
        self.threads.add(threading.get_ident())
        return False

    def discussed_on(self, recording_id: str) -> date | None:
        return None


def make(
    tmp_path: Path, clock: FakeClock, audit: AuditLog, coaching: CoachingFacts | None = None
) -> RecordingPurge:
    return RecordingPurge(
        directory=tmp_path / "recordings",
        policy=POLICY,
        coaching=coaching or NoCoaching(),
        clock=clock,
        audit=audit,
    )


def deleted_in(audit_folder: Path) -> list[str]:
    return [entry["detail"]["recording"] for entry in audit_lines(audit_folder)]


async def test_it_runs_when_made_and_every_24_hours_until_closed(tmp_path: Path) -> None:
    folder = tmp_path / "recordings"
    shelve(
        folder,
        [
            Made("old1", OLD),
            Made("old2", OLD),
            Made("held", OLD, held=True),
            Made("soon", DUE_IN_12H),
            Made("later", NOW - timedelta(days=88)),
        ],
    )
    clock, audit, coaching = FakeClock(NOW), Audit(tmp_path / "audit"), Coaching()
    job = make(tmp_path, clock, audit, coaching=coaching)
    await job.idle()
    assert state_of(folder).listed == {"held", "soon", "later"}
    assert sorted(deleted_in(audit.folder)) == ["old1", "old2"]
    assert job.last is not None and len(job.last.deleted) == 2
    assert clock.pending == 1  # the next run

    await clock.advance(PURGE_EVERY_S - 1)  # "soon" is due by now, but no run yet
    await job.idle()
    assert state_of(folder).listed == {"held", "soon", "later"}
    await clock.advance(1)
    await job.idle()
    assert state_of(folder).listed == {"held", "later"}
    assert sorted(deleted_in(audit.folder)) == ["old1", "old2", "soon"]
    assert clock.pending == 1

    await job.close()
    assert clock.pending == 0
    await clock.advance(3 * PURGE_EVERY_S)  # "later" is due now; nothing runs
    await job.idle()
    assert state_of(folder).listed == {"held", "later"}
    main = {threading.get_ident()}
    assert audit.threads == main and coaching.threads == main  # never from the worker


async def test_each_deletion_is_one_audit_line(tmp_path: Path) -> None:
    shelve(tmp_path / "recordings", [Made("old1", OLD)])
    clock, audit = FakeClock(NOW), Audit(tmp_path / "audit")
    job = make(tmp_path, clock, audit)
    await job.idle()
    await job.close()
    (line,) = audit_lines(audit.folder)
    assert line == {
        "at": "2026-09-01T01:00:00.000+00:00",
        "user": CONTROLLER_USER,
        "via": "system",
        "action": ACTION,
        "outcome": "done",
        "agent_id": "1001",
        "reason": None,
        "detail": {
            "recording": "old1",
            "call": "call-old1",
            "started_at": OLD.isoformat(),
            "because": "the standard 90 days passed on 2026-08-02 03:00",
        },
        "address": None,  # no web client: the controller's own job
    }
    assert (tmp_path / "audit" / "audit-2026-09-01.jsonl").is_file()


async def test_an_audit_that_cannot_be_written_stops_the_run_until_it_can(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    folder = tmp_path / "recordings"
    shelve(folder, [Made("old1", OLD), Made("old2", OLD + timedelta(minutes=1))])
    clock, audit = FakeClock(NOW), Audit(tmp_path / "audit")
    audit.broken = True
    job = make(tmp_path, clock, audit)
    await job.idle()
    stopped = state_of(folder)
    assert len(stopped.flagged) == 1 and stopped.flagged <= stopped.files  # kept, flagged
    assert len(stopped.listed) == 1 and stopped.problems == ()
    assert "the purge failed" in caplog.text and "could not be written" in caplog.text
    assert clock.pending == 1  # it tries again tomorrow
    audit.broken = False
    await clock.advance(PURGE_EVERY_S)
    await job.idle()
    await job.close()
    assert state_of(folder).files == set()
    assert sorted(deleted_in(audit.folder)) == ["old1", "old2"]


async def test_close_stops_a_run_after_its_current_deletion(tmp_path: Path) -> None:
    folder = tmp_path / "recordings"
    shelve(folder, [Made(f"old{n}", OLD + timedelta(minutes=n)) for n in range(5)])
    clock = FakeClock(NOW)

    class StoppingAudit(Audit):
        def record(self, entry: AuditEntry) -> None:
            super().record(entry)
            job.stop()  # the controller closes during the first deletion

    audit = StoppingAudit(tmp_path / "audit")
    job = make(tmp_path, clock, audit)
    await job.idle()
    after = state_of(folder)
    assert len(after.listed) == 4 and after.flagged == set() and after.problems == ()
    assert len(deleted_in(audit.folder)) == 1
    assert clock.pending == 0
    await job.close()
