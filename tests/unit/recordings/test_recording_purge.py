"""The retention purge on real sealed files: exactly the due recordings go, file and
row, the held and young ones stay, each deletion is reported to ``on_deleted`` after its
mark; a dry run changes nothing; a run stopped at any step leaves a catalogue the next
run completes (and audits); a hold set during a run is respected; orphans are left to
the writer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from recordings.catalog import Catalog
from recordings.catalog_rows import RecordingRow
from recordings.purge import FINISHING, HELD_DURING_RUN, PurgeReport, purge
from recordings.retention import NoCoaching, RetentionPolicy, Rule
from recordings.vault import SEALED_SUFFIX
from tests.unit.recordings.shelved import STORED, Made, shelve, state_of

NOW = datetime(2026, 9, 1, 12, 0, tzinfo=UTC)
POLICY = RetentionPolicy(retention_days=90, coached_days_after_discussed=30)
OLD = NOW - timedelta(days=120)
YOUNG = NOW - timedelta(days=10)


class Crash(BaseException):
    """A process dying at that point (not an Exception: nothing catches it)."""


def made(old: int, young: int = 0, held: int = 0) -> list[Made]:
    return (
        [Made(f"old{n}", OLD + timedelta(minutes=n)) for n in range(old)]
        + [Made(f"young{n}", YOUNG + timedelta(minutes=n)) for n in range(young)]
        + [Made(f"held{n}", OLD - timedelta(days=n), held=True) for n in range(held)]
    )


class Audit:
    """``on_deleted``: what it was told, and the catalogue's view at that moment."""

    def __init__(self, folder: Path, *, fail_at: int | None = None) -> None:
        self.folder, self.fail_at = folder, fail_at
        self.files_when_told: list[bool] = []
        self.told: list[tuple[str, str]] = []
        self.flagged_when_told: list[bool] = []

    def __call__(self, row: RecordingRow, why: str) -> None:
        if self.fail_at is not None and len(self.told) + 1 == self.fail_at:
            raise OSError("the audit disk is full")
        self.told.append((row.id, why))
        with Catalog.open(self.folder, lambda: STORED) as other:
            found = other.get(row.id)
            self.flagged_when_told.append(found is not None and found.deleting)
        self.files_when_told.append((self.folder / row.file).exists())


def run(folder: Path, audit: Audit, *, dry_run: bool = False, **hooks: object) -> PurgeReport:
    with Catalog.open(folder, lambda: STORED) as catalog:
        return purge(catalog, NoCoaching(), POLICY, NOW, dry_run=dry_run, on_deleted=audit, **hooks)  # type: ignore[arg-type]


def test_exactly_the_expired_recordings_go_and_each_is_told(tmp_path: Path) -> None:
    folder = tmp_path / "recordings"
    shelve(folder, made(old=5, young=3, held=2))
    audit = Audit(folder)
    report = run(folder, audit)
    assert sorted(d.row.id for d in report.deleted) == [f"old{n}" for n in range(5)]
    assert sorted(i for i, _ in audit.told) == [f"old{n}" for n in range(5)]
    assert audit.flagged_when_told == [True] * 5  # told after the mark,
    assert audit.files_when_told == [True] * 5  # before the file goes
    assert dict(audit.told)["old1"] == "the standard 90 days passed on 2026-08-02 14:01"
    after = state_of(folder)
    assert after.listed == after.files == {"young0", "young1", "young2", "held0", "held1"}
    assert after.flagged == set() and after.problems == ()
    assert report.summary() == ("deleted 5 recording(s); kept 5 (2 held, 3 standard retention)")
    assert run(folder, Audit(folder)).deleted == ()  # nothing left to do


def test_a_dry_run_changes_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "recordings"
    shelve(folder, made(old=4, young=1, held=1))
    before = state_of(folder)
    audit = Audit(folder)
    report = run(folder, audit, dry_run=True)
    assert report.dry_run
    assert sorted(d.row.id for d in report.deleted) == ["old0", "old1", "old2", "old3"]
    assert audit.told == []
    assert state_of(folder) == before
    assert report.summary() == "would delete 4 recording(s); kept 2 (1 held, 1 standard retention)"


def test_after_each_is_called_per_completed_deletion(tmp_path: Path) -> None:
    folder = tmp_path / "recordings"
    shelve(folder, made(old=3, young=1))
    done: list[str] = []

    def after_each(recording_id: str) -> None:
        assert not (folder / f"{recording_id}{SEALED_SUFFIX}").exists()
        done.append(recording_id)

    run(folder, Audit(folder), after_each=after_each)
    assert sorted(done) == ["old0", "old1", "old2"]


@pytest.mark.parametrize("stop_after", [1, 3, 5])
def test_a_run_stopped_after_a_deletion_is_completed_by_the_next(
    tmp_path: Path, stop_after: int
) -> None:
    folder = tmp_path / "recordings"
    shelve(folder, made(old=6, young=2, held=1))
    seen: list[str] = []

    def after_each(recording_id: str) -> None:
        seen.append(recording_id)
        if len(seen) == stop_after:
            raise Crash

    first = Audit(folder)
    with pytest.raises(Crash):
        run(folder, first, after_each=after_each)
    halfway = state_of(folder)
    assert halfway.problems == () and halfway.flagged == set()
    assert len(halfway.listed) == 9 - stop_after
    second = Audit(folder)
    report = run(folder, second)
    assert len(report.deleted) == 6 - stop_after and report.finished == ()
    told = {i for i, _ in first.told} | {i for i, _ in second.told}
    assert told == {f"old{n}" for n in range(6)}
    assert state_of(folder).listed == {"young0", "young1", "held0"}


def test_an_audit_that_fails_stops_the_run_with_the_row_flagged_and_its_file_kept(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "recordings"
    shelve(folder, made(old=4))
    failing = Audit(folder, fail_at=3)
    with pytest.raises(OSError, match="disk is full"):
        run(folder, failing)
    halfway = state_of(folder)
    assert len(failing.told) == 2
    assert len(halfway.flagged) == 1 and halfway.flagged <= halfway.files  # not yet gone
    assert halfway.problems == ()
    (stuck,) = halfway.flagged
    second = Audit(folder)
    report = run(folder, second)
    assert [row.id for row in report.finished] == [stuck]
    assert second.told[0] == (stuck, FINISHING)
    assert second.files_when_told[0]  # audited before its file went
    assert {i for i, _ in failing.told + second.told} == {f"old{n}" for n in range(4)}
    assert state_of(folder).files == set()


class CrashingCatalog(Catalog):
    """A catalogue whose process dies in ``delete``: the file is gone, the row flagged."""

    crash_at = 2
    deletes = 0

    def delete(self, recording_id: str) -> bool:
        self.deletes += 1  # the instance's own count from the first call on
        if self.deletes == self.crash_at:
            raise Crash
        return super().delete(recording_id)


def test_a_crash_between_the_file_and_the_row_is_finished_next_time(tmp_path: Path) -> None:
    folder = tmp_path / "recordings"
    shelve(folder, made(old=3, young=1))
    first = Audit(folder)
    with pytest.raises(Crash), CrashingCatalog.open(folder, lambda: STORED) as catalog:
        purge(catalog, NoCoaching(), POLICY, NOW, dry_run=False, on_deleted=first)
    halfway = state_of(folder)
    assert len(halfway.flagged) == 1 and not (halfway.flagged & halfway.files)
    assert halfway.problems == ()
    dry = run(folder, Audit(folder), dry_run=True)
    assert [row.id for row in dry.finished] == sorted(halfway.flagged)
    assert state_of(folder) == halfway  # a dry run finishes nothing either
    second = Audit(folder)
    report = run(folder, second)
    assert {row.id for row in report.finished} == halfway.flagged
    assert (sorted(halfway.flagged)[0], FINISHING) in second.told
    assert {i for i, _ in first.told + second.told} == {"old0", "old1", "old2"}
    after = state_of(folder)
    assert after.listed == after.files == {"young0"} and after.flagged == set()


def test_a_hold_set_during_the_run_is_respected_and_not_audited(tmp_path: Path) -> None:
    folder = tmp_path / "recordings"
    rows = shelve(folder, made(old=3))
    last = rows[0].id  # the catalogue lists newest first: old2, old1, old0
    told: list[str] = []

    def on_deleted(row: RecordingRow, why: str) -> None:
        told.append(row.id)
        if len(told) == 1:  # a team lead holds another one meanwhile
            with Catalog.open(folder, lambda: STORED) as other:
                assert other.set_hold(last, True)

    with Catalog.open(folder, lambda: STORED) as catalog:
        report = purge(catalog, NoCoaching(), POLICY, NOW, dry_run=False, on_deleted=on_deleted)
    assert last not in told and len(told) == 2
    (kept,) = report.kept
    assert (kept.row.id, kept.rule, kept.why) == (last, Rule.HELD, HELD_DURING_RUN)
    assert state_of(folder).listed == {last}


def test_orphans_are_left_to_the_writer(tmp_path: Path) -> None:
    # A sealed file without a row may be one the controller is cataloguing right now.
    folder = tmp_path / "recordings"
    shelve(folder, made(old=1))
    orphan = folder / f"sealing{SEALED_SUFFIX}"
    orphan.write_bytes(b"being sealed")
    run(folder, Audit(folder))
    assert orphan.exists()


def test_a_naive_now_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "recordings"
    shelve(folder, made(old=1))
    with (
        pytest.raises(ValueError, match="no time zone"),
        Catalog.open(folder, lambda: STORED) as catalog,
    ):
        purge(catalog, NoCoaching(), POLICY, datetime(2026, 9, 1), dry_run=False,
              on_deleted=Audit(folder))  # fmt: skip
