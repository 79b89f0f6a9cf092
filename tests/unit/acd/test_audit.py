"""The controller's audit log: daily JSON-lines files, read back, kept for the retention."""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from acd.audit import AuditEntry, AuditLog, Outcome, Via

AT = datetime(2026, 12, 2, 22, 59, 59, tzinfo=UTC)  # 23:59:59 in Haarlem


def entry(at: datetime = AT, **changes: object) -> AuditEntry:
    fields: dict[str, object] = {
        "at": at,
        "user": "anouk",
        "via": Via.WEB,
        "action": "pause",
        "outcome": Outcome.DONE,
        "agent_id": "1001",
        "detail": {"reason": "break"},
    }
    return AuditEntry(**(fields | changes))  # type: ignore[arg-type]


def test_entries_are_kept_per_local_day_and_read_back_exactly(tmp_path: Path) -> None:
    log = AuditLog(tmp_path, retention_days=365, today=date(2026, 12, 2))
    late = entry()
    after_midnight = entry(at=datetime(2026, 12, 2, 23, 0, 1, tzinfo=UTC), via=Via.PHONE)
    refused = entry(outcome=Outcome.REFUSED, reason="agent 1001 is talking: ...", detail={})
    for e in (late, refused, after_midnight):
        log.record(e)
    assert log.day(date(2026, 12, 2)).entries == (late, refused)
    assert log.day(date(2026, 12, 3)).entries == (after_midnight,)
    assert log.day(date(2026, 12, 1)).entries == ()
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "audit-2026-12-02.jsonl",
        "audit-2026-12-03.jsonl",
    ]


def test_a_damaged_line_is_named_and_the_rest_still_read(tmp_path: Path) -> None:
    log = AuditLog(tmp_path, retention_days=365, today=date(2026, 12, 2))
    log.record(entry())
    with (tmp_path / "audit-2026-12-02.jsonl").open("a") as file:
        file.write('{"at": "2026-12-02T10:00:00+00:00", "user": "x"}\nnot json\n')
    log.record(entry(action="logout"))
    day = log.day(date(2026, 12, 2))
    assert [e.action for e in day.entries] == ["pause", "logout"]
    assert [u.split(":")[0] for u in day.unreadable] == [
        "audit-2026-12-02.jsonl line 2",
        "audit-2026-12-02.jsonl line 3",
    ]


def test_files_past_the_retention_go_at_opening_and_when_a_day_starts(tmp_path: Path) -> None:
    for day in ("2025-12-01", "2025-12-02", "2025-12-03"):
        (tmp_path / f"audit-{day}.jsonl").write_text("")
    (tmp_path / "notes.txt").write_text("not ours")
    AuditLog(tmp_path, retention_days=365, today=date(2026, 12, 2))
    kept = sorted(p.name for p in tmp_path.iterdir())
    assert kept == ["audit-2025-12-02.jsonl", "audit-2025-12-03.jsonl", "notes.txt"]
    log = AuditLog(tmp_path, retention_days=365, today=date(2026, 12, 2))
    log.record(entry(at=datetime(2026, 12, 3, 9, 0, tzinfo=UTC)))  # a new day: purge again
    assert "audit-2025-12-02.jsonl" not in {p.name for p in tmp_path.iterdir()}


def test_a_failed_write_is_logged_and_counted_not_raised(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    folder = tmp_path / "audit"
    log = AuditLog(folder, retention_days=30, today=date(2026, 12, 2))
    shutil.rmtree(folder)
    log.record(entry())
    assert log.failures == 1
    assert "audit entry not written" in caplog.text


def test_a_retention_below_a_day_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="retention_days must be at least 1"):
        AuditLog(tmp_path, retention_days=0, today=date(2026, 12, 2))


def test_a_line_that_is_no_entry_says_so() -> None:
    with pytest.raises(ValueError, match="not an audit entry"):
        AuditEntry.from_json('{"at": "2026-12-02T10:00:00+00:00"}')
    with pytest.raises(ValueError, match="not an audit entry"):
        AuditEntry.from_json("[1, 2]")


def test_the_client_address_is_kept_and_an_older_line_without_it_still_reads(
    tmp_path: Path,
) -> None:
    log = AuditLog(tmp_path, retention_days=365, today=date(2026, 12, 2))
    web = entry(action="recording/listen", address="192.0.2.7")
    log.record(web)
    with (tmp_path / "audit-2026-12-02.jsonl").open("a") as file:
        file.write(entry(action="logout").to_json().replace(',"address":null', "") + "\n")
    assert '"address":"192.0.2.7"' in web.to_json()
    assert [(e.action, e.address) for e in log.day(date(2026, 12, 2)).entries] == [
        ("recording/listen", "192.0.2.7"),
        ("logout", None),
    ]
