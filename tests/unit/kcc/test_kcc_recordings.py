"""``kcc recordings purge`` and ``new-key``: the purge prints each deletion with its reason
and a summary, audits each into the controller's audit log, needs no recording key,
refuses a missing catalogue, a bad site file and a deleting run ahead of the clock; a
dry run changes nothing; and a purge killed with SIGKILL halfway (the test hook
KCC_TEST_PURGE_KILL_AT) leaves a consistent catalogue the next run completes, auditing
every deletion at least once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from kcc.cli import main
from recordings.keys import ENVIRONMENT_VARIABLE, KeyRing
from tests.unit.recordings.shelved import Made, audit_lines, shelve, state_of

ROOT = Path(__file__).resolve().parents[3]
NOW = datetime(2026, 9, 1, 12, 0, tzinfo=UTC)  # before the machine's clock; 14:00 local
OLD = NOW - timedelta(days=120)  # the sample site keeps recordings 90 days


def made(old: int, young: int = 0, held: int = 0) -> list[Made]:
    return (
        [Made(f"old{n:02}", OLD + timedelta(minutes=n)) for n in range(old)]
        + [Made(f"young{n}", NOW - timedelta(days=n + 1)) for n in range(young)]
        + [Made(f"held{n}", OLD, held=True) for n in range(held)]
    )


def purge_args(site_path: Path, tmp_path: Path, *extra: str) -> list[str]:
    return [
        "recordings",
        "purge",
        "--site",
        str(site_path),
        "--recordings-dir",
        str(tmp_path / "recordings"),
        "--state-dir",
        str(tmp_path / "state"),
        "--now",
        NOW.isoformat(),
        *extra,
    ]


@pytest.fixture(autouse=True)
def no_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENVIRONMENT_VARIABLE, raising=False)  # deleting needs no key
    monkeypatch.delenv("KCC_TEST_PURGE_KILL_AT", raising=False)


def test_purge_prints_audits_and_deletes_the_due_ones(
    site_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shelve(tmp_path / "recordings", made(old=3, young=2, held=1))
    assert main(purge_args(site_path, tmp_path)) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert out.splitlines() == [
        "deleted old02: the standard 90 days passed on 2026-08-02 14:02",
        "deleted old01: the standard 90 days passed on 2026-08-02 14:01",
        "deleted old00: the standard 90 days passed on 2026-08-02 14:00",
        "deleted 3 recording(s); kept 3 (1 held, 2 standard retention)",
    ]
    assert state_of(tmp_path / "recordings").listed == {"young0", "young1", "held0"}
    entries = audit_lines(tmp_path / "state" / "audit")
    assert [e["detail"]["recording"] for e in entries] == ["old02", "old01", "old00"]
    assert {(e["user"], e["via"], e["action"], e["outcome"], e["agent_id"]) for e in entries} == {
        ("kcc recordings purge", "system", "recording/delete", "done", "1001")
    }
    assert entries[0]["detail"]["because"] == "the standard 90 days passed on 2026-08-02 14:02"


def test_a_dry_run_prints_what_it_would_delete_and_touches_nothing(
    site_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shelve(tmp_path / "recordings", made(old=2, young=1))
    before = state_of(tmp_path / "recordings")
    assert main(purge_args(site_path, tmp_path, "--dry-run")) == 0
    assert capsys.readouterr().out.splitlines() == [
        "would delete old01: the standard 90 days passed on 2026-08-02 14:01",
        "would delete old00: the standard 90 days passed on 2026-08-02 14:00",
        "would delete 2 recording(s); kept 1 (1 standard retention)",
    ]
    assert state_of(tmp_path / "recordings") == before
    assert not (tmp_path / "state").exists()  # not even the audit log is opened


def test_a_dry_run_may_look_ahead_a_deleting_run_may_not(
    site_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shelve(tmp_path / "recordings", made(old=1))
    ahead = (datetime.now(UTC) + timedelta(days=400)).isoformat()
    args = [*purge_args(site_path, tmp_path)[:-1], ahead]
    assert main(args) == 1
    out, err = capsys.readouterr()
    assert out == "" and "is later than the clock" in err and "--dry-run shows" in err
    assert main([*args, "--dry-run"]) == 0
    assert "would delete 1 recording(s)" in capsys.readouterr().out


def test_a_naive_now_is_the_sites_local_time(
    site_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shelve(tmp_path / "recordings", [Made("r1", datetime(2026, 6, 1, 10, 0, tzinfo=UTC))])
    args = purge_args(site_path, tmp_path, "--dry-run")
    args[args.index("--now") + 1] = "2026-08-30T11:59"  # 09:59 UTC, a minute before due
    assert main(args) == 0
    assert "would delete 0 recording(s)" in capsys.readouterr().out
    args[args.index("--now") + 1] = "2026-08-30T12:00"
    assert main(args) == 0
    assert "would delete r1: the standard 90 days passed on 2026-08-30 12:00" in (
        capsys.readouterr().out
    )


def test_no_catalogue_is_an_error_and_creates_nothing(
    site_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(purge_args(site_path, tmp_path)) == 1
    err = capsys.readouterr().err
    assert err.startswith("kcc recordings purge: no recordings catalogue at ")
    assert "nothing to purge" in err
    assert not (tmp_path / "recordings").exists()


def test_a_bad_site_file_is_an_error(
    site_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shelve(tmp_path / "recordings", made(old=1))
    text = site_path.read_text(encoding="utf-8")
    site_path.write_text(text.replace("retention_days: 90", "retention_days: 0", 1), "utf-8")
    assert main(purge_args(site_path, tmp_path)) == 1
    assert "recording.retention_days: 0 is not allowed" in capsys.readouterr().err
    assert state_of(tmp_path / "recordings").listed == {"old00"}


def test_a_wrong_test_hook_is_refused(
    site_path: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    shelve(tmp_path / "recordings", made(old=1))
    monkeypatch.setenv("KCC_TEST_PURGE_KILL_AT", "soon")
    assert main(purge_args(site_path, tmp_path)) == 1
    assert "KCC_TEST_PURGE_KILL_AT='soon'; allowed: audited:N or deleted:N" in (
        capsys.readouterr().err
    )


def test_new_key_prints_an_entry_for_the_ring(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["recordings", "new-key"]) == 0
    out, err = capsys.readouterr()
    ring = KeyRing.from_environ({ENVIRONMENT_VARIABLE: out.strip()})
    assert len(ring.keys) == 1 and len(ring.current.secret) == 32
    assert "put it first in KCC_RECORDING_KEYS" in err


def run_kcc(args: list[str], kill_at: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != ENVIRONMENT_VARIABLE}
    env.pop("KCC_TEST_PURGE_KILL_AT", None)
    if kill_at is not None:
        env["KCC_TEST_PURGE_KILL_AT"] = kill_at
    return subprocess.run(
        [sys.executable, "-m", "kcc", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_a_purge_killed_halfway_is_completed_by_the_next_run(
    site_path: Path, tmp_path: Path
) -> None:
    folder, audit = tmp_path / "recordings", tmp_path / "state" / "audit"
    shelve(folder, made(old=30, young=6, held=4))
    due = {f"old{n:02}" for n in range(30)}
    args = purge_args(site_path, tmp_path)

    # Killed right after the 7th completed deletion: every row points at its file.
    first = run_kcc(args, kill_at="deleted:7")
    assert first.returncode == -signal.SIGKILL, first.stderr
    halfway = state_of(folder)
    assert halfway.problems == () and halfway.flagged == set()
    assert len(due - halfway.listed) == 7
    assert Counter(e["detail"]["recording"] for e in audit_lines(audit)).total() == 7

    # Killed right after the next run's 5th audit entry: that row is flagged, its file
    # still there (a consistent catalogue: the next run finishes it).
    second = run_kcc(args, kill_at="audited:5")
    assert second.returncode == -signal.SIGKILL, second.stderr
    halfway = state_of(folder)
    assert halfway.problems == ()
    (flagged,) = halfway.flagged
    assert flagged in halfway.files and flagged in due
    assert len(due - halfway.listed) == 7 + 5

    third = run_kcc(args)
    assert third.returncode == 0, third.stderr
    lines = third.stdout.splitlines()
    assert lines[0] == (
        f"deleted {flagged}: finishing a deletion an earlier run began and did not complete"
    )
    assert lines[-1] == (
        "deleted 18 recording(s) and finished 1 deletion(s) an earlier run began; "
        "kept 10 (4 held, 6 standard retention)"
    )
    after = state_of(folder)
    assert (
        after.listed
        == after.files
        == {f"young{n}" for n in range(6)} | {f"held{n}" for n in range(4)}
    )
    assert after.flagged == set() and after.problems == ()
    audited = Counter(e["detail"]["recording"] for e in audit_lines(audit))
    assert set(audited) == due  # every deletion audited, nothing else
    assert audited[flagged] == 2 and audited.total() == 31  # the interrupted one twice
