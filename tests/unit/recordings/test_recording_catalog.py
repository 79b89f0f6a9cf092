"""The recordings catalogue: rows and segments kept whole, listed by filter newest
first in pages, held and deleted by the crash-safe protocol, orphans found, a newer
schema refused, and the file shared by two connections in WAL mode."""

from __future__ import annotations

import contextlib
import dataclasses
import sqlite3
import stat
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from recordings.catalog import CATALOG_FILE, SCHEMA, Catalog, CatalogError, SchemaError
from recordings.catalog_rows import RecordingFilter, RecordingRow, SegmentRow

T0 = datetime(2026, 6, 15, 9, 0, tzinfo=UTC)  # 11:00 in Amsterdam
STORED = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)


def recording(number: int, **changes: object) -> RecordingRow:
    made = RecordingRow(
        id=f"r{number}",
        call_id=f"17180000{number}.1",
        agent_id="1001",
        extension="301",
        position_id="p1",
        topic="burgerzaken",
        municipality="haarlem",
        started_at=T0 + timedelta(minutes=number),
        duration_s=60.0 + number,
        size=1000 * number,
        sha256=f"{number:064x}",
        key_id="k2026",
        file=f"r{number}.kccrec",
        category="standard",
    )
    return dataclasses.replace(made, **changes)  # type: ignore[arg-type]


def segment(recording_id: str, number: int, offset_s: float, duration_s: float) -> SegmentRow:
    return SegmentRow(
        recording_id=recording_id,
        number=number,
        started_at=T0 + timedelta(seconds=offset_s + 5 * number),
        offset_s=offset_s,
        duration_s=duration_s,
    )


def raw(path: Path) -> contextlib.closing[sqlite3.Connection]:
    """A plain connection, in autocommit, closed at the end of the block."""
    return contextlib.closing(sqlite3.connect(path, isolation_level=None))


@pytest.fixture
def catalog(tmp_path: Path) -> Iterator[Catalog]:
    with Catalog.open(tmp_path / "recordings", lambda: STORED) as opened:
        yield opened


def test_a_recording_and_its_segments_come_back_as_written(catalog: Catalog) -> None:
    parts = [segment("r1", 1, 0.0, 20.5), segment("r1", 2, 20.5, 40.0)]
    stored = catalog.add(recording(1, agent_id=None, extension=None, topic=None), parts)
    assert stored == recording(1, agent_id=None, extension=None, topic=None, stored_at=STORED)
    assert catalog.get("r1") == stored
    assert catalog.segments("r1") == parts
    assert catalog.get("r2") is None
    assert catalog.segments("r2") == []


def test_the_file_is_0600_and_in_wal_mode(catalog: Catalog) -> None:
    catalog.add(recording(1), [])
    for name in (CATALOG_FILE, f"{CATALOG_FILE}-wal", f"{CATALOG_FILE}-shm"):
        assert stat.S_IMODE((catalog.directory / name).stat().st_mode) == 0o600
    with raw(catalog.directory / CATALOG_FILE) as other:
        assert other.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_an_id_present_already_is_refused_and_nothing_changes(catalog: Catalog) -> None:
    catalog.add(recording(1), [segment("r1", 1, 0.0, 61.0)])
    again = recording(1, call_id="other", file="other.kccrec")
    with pytest.raises(CatalogError, match="r1: a recording with this id is in the catalogue"):
        catalog.add(again, [segment("r1", 9, 0.0, 1.0)])
    assert catalog.get("r1") == recording(1, stored_at=STORED)
    assert [s.number for s in catalog.segments("r1")] == [1]


def test_a_half_bad_add_changes_nothing(catalog: Catalog) -> None:
    twice = [segment("r1", 1, 0.0, 1.0), segment("r1", 1, 1.0, 1.0)]
    with pytest.raises(CatalogError, match="two segments have the same number"):
        catalog.add(recording(1), twice)
    assert catalog.get("r1") is None
    catalog.add(recording(2), [])
    with pytest.raises(CatalogError, match="another recording names this file"):
        catalog.add(recording(3, file="r2.kccrec"), [])
    with pytest.raises(CatalogError, match="segments of r9 given"):
        catalog.add(recording(4), [segment("r9", 1, 0.0, 1.0)])
    assert catalog.get("r4") is None


@pytest.mark.parametrize(
    "name", ["../r1.kccrec", "/tmp/r1.kccrec", "r1.wav", ".r1.kccrec", "a b.kccrec"]
)
def test_a_file_name_that_could_leave_the_folder_is_refused(name: str) -> None:
    with pytest.raises(ValueError, match="allowed: a plain name"):
        recording(1, file=name)


def test_rows_refuse_naive_times_and_bad_figures() -> None:
    with pytest.raises(ValueError, match="no time zone"):
        recording(1, started_at=datetime(2026, 6, 15, 9, 0))
    with pytest.raises(ValueError, match="negative"):
        recording(1, duration_s=-1.0)
    with pytest.raises(ValueError, match="64 hex digits"):
        recording(1, sha256="abc")
    with pytest.raises(ValueError, match="negative"):
        segment("r1", 1, -1.0, 2.0)


def test_a_naive_clock_is_refused(tmp_path: Path) -> None:
    naive = Catalog.open(tmp_path, lambda: datetime(2026, 6, 15))
    with naive, pytest.raises(ValueError, match="no time zone"):
        naive.add(recording(1), [])


# ------------------------------------------------------------ listing


def test_the_list_is_newest_first_and_pages(catalog: Catalog) -> None:
    for number in (3, 1, 5, 2, 4):
        catalog.add(recording(number), [])
    assert [r.id for r in catalog.list(RecordingFilter())] == ["r5", "r4", "r3", "r2", "r1"]
    pages = [catalog.list(RecordingFilter(limit=2, offset=start)) for start in (0, 2, 4, 6)]
    assert [[r.id for r in page] for page in pages] == [["r5", "r4"], ["r3", "r2"], ["r1"], []]


def test_an_id_allow_and_deny_set_narrow_before_the_page(catalog: Catalog) -> None:
    for number in range(1, 6):
        catalog.add(recording(number), [])

    def ids(**wanted: object) -> list[str]:
        return [r.id for r in catalog.list(RecordingFilter(**wanted))]  # type: ignore[arg-type]

    assert ids(ids_in=frozenset({"r1", "r2", "r4", "r9"})) == ["r4", "r2", "r1"]
    assert ids(ids_in=frozenset({"r1", "r2", "r4"}), limit=2, offset=1) == ["r2", "r1"]
    assert ids(ids_in=frozenset()) == []
    assert ids(ids_not_in=frozenset({"r5", "r3"}), limit=2) == ["r4", "r2"]
    assert ids(ids_not_in=frozenset({"r5", "r3"}), limit=2, offset=2) == ["r1"]
    assert ids(ids_not_in=frozenset()) == ["r5", "r4", "r3", "r2", "r1"]
    assert ids(ids_in=frozenset({"r1", "r2", "r3"}), ids_not_in=frozenset({"r2"})) == ["r3", "r1"]


def test_the_filter_narrows_by_each_field(catalog: Catalog) -> None:
    catalog.add(recording(1, agent_id="1002", duration_s=30.0), [])
    catalog.add(recording(2, topic="belastingen", duration_s=90.0), [])
    catalog.add(recording(3, municipality="bloemendaal", duration_s=120.0), [])
    catalog.add(recording(4, agent_id=None, topic=None, municipality=None, extension="201"), [])

    def ids(**wanted: object) -> list[str]:
        return [r.id for r in catalog.list(RecordingFilter(**wanted))]  # type: ignore[arg-type]

    assert ids(agent_id="1002") == ["r1"]
    assert ids(agent_id="1001") == ["r3", "r2"]
    assert ids(topic="belastingen") == ["r2"]
    assert ids(municipality="bloemendaal") == ["r3"]
    assert ids(min_duration_s=90.0) == ["r3", "r2"]
    assert ids(max_duration_s=64.0) == ["r4", "r1"]
    assert ids(min_duration_s=60.0, max_duration_s=100.0) == ["r4", "r2"]
    assert ids(topic="burgerzaken", agent_id="1001") == ["r3"]
    assert ids(extension="201") == ["r4"]
    assert ids(extension="301") == ["r3", "r2", "r1"]


def test_a_day_is_the_day_in_amsterdam(catalog: Catalog) -> None:
    late = datetime(2026, 6, 14, 22, 30, tzinfo=UTC)  # 00:30 on the 15th in Amsterdam
    catalog.add(recording(1, started_at=late), [])
    catalog.add(recording(2, started_at=datetime(2026, 6, 15, 21, 59, tzinfo=UTC)), [])
    catalog.add(recording(3, started_at=datetime(2026, 6, 15, 22, 0, tzinfo=UTC)), [])
    assert [r.id for r in catalog.list(RecordingFilter(day=date(2026, 6, 15)))] == ["r2", "r1"]
    assert [r.id for r in catalog.list(RecordingFilter(day=date(2026, 6, 16)))] == ["r3"]
    assert catalog.list(RecordingFilter(day=date(2026, 6, 14))) == []


@pytest.mark.parametrize(
    ("wanted", "message"),
    [
        ({"limit": 0}, "limit=0"),
        ({"limit": 1001}, "limit=1001"),
        ({"offset": -1}, "offset=-1"),
        ({"min_duration_s": -1.0}, "negative"),
        ({"min_duration_s": 10.0, "max_duration_s": 5.0}, "above"),
    ],
)
def test_a_filter_out_of_range_is_refused(wanted: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        RecordingFilter(**wanted)  # type: ignore[arg-type]


def test_the_recordings_of_a_call_in_the_order_they_started(catalog: Catalog) -> None:
    catalog.add(recording(2, call_id="c1"), [])
    catalog.add(recording(1, call_id="c1"), [])
    catalog.add(recording(3, call_id="c2"), [])
    assert catalog.ids_for_call("c1") == ["r1", "r2"]
    assert catalog.ids_for_call("c9") == []


# ------------------------------------------------------------ hold, keys, deleting


def test_a_held_recording_cannot_be_deleted_until_the_hold_is_lifted(catalog: Catalog) -> None:
    catalog.add(recording(1), [])
    assert catalog.set_hold("r1", True)
    assert catalog.get("r1") == recording(1, held=True, stored_at=STORED)
    with pytest.raises(CatalogError, match="r1 is under a legal hold"):
        catalog.mark_deleting("r1")
    with pytest.raises(CatalogError, match="not marked for deletion"):
        catalog.delete("r1")
    assert catalog.set_hold("r1", False)
    assert catalog.mark_deleting("r1")
    with pytest.raises(CatalogError, match="being deleted"):
        catalog.set_hold("r1", True)
    assert not catalog.set_hold("r9", True)


def test_the_key_id_follows_a_rekey(catalog: Catalog) -> None:
    catalog.add(recording(1, key_id="k2025"), [])
    assert catalog.set_key_id("r1", "k2026")
    assert catalog.get("r1") == recording(1, key_id="k2026", stored_at=STORED)
    assert not catalog.set_key_id("r9", "k2026")


def test_a_row_being_deleted_leaves_the_listings_and_then_goes_whole(catalog: Catalog) -> None:
    catalog.add(recording(1, call_id="c1"), [segment("r1", 1, 0.0, 61.0)])
    catalog.add(recording(2, call_id="c1"), [])
    assert catalog.mark_deleting("r1")
    assert [r.id for r in catalog.list(RecordingFilter())] == ["r2"]
    assert catalog.ids_for_call("c1") == ["r2"]
    assert catalog.pending_deletions() == [
        recording(1, call_id="c1", deleting=True, stored_at=STORED)
    ]
    assert catalog.delete("r1")
    assert (catalog.get("r1"), catalog.segments("r1"), catalog.pending_deletions()) == (
        None,
        [],
        [],
    )
    assert not catalog.delete("r1")
    assert not catalog.mark_deleting("r1")


def test_remove_deletes_file_then_row(catalog: Catalog) -> None:
    catalog.add(recording(1), [segment("r1", 1, 0.0, 61.0)])
    (catalog.directory / "r1.kccrec").write_bytes(b"sealed")
    assert catalog.remove("r1")
    assert not (catalog.directory / "r1.kccrec").exists()
    assert catalog.get("r1") is None
    assert not catalog.remove("r1")


def test_a_restart_finishes_deletions_and_removes_orphans(tmp_path: Path) -> None:
    folder = tmp_path / "recordings"
    with Catalog.open(folder, lambda: STORED) as before:
        for number in (1, 2, 3):
            before.add(recording(number), [])
            (folder / f"r{number}.kccrec").write_bytes(b"sealed")
        before.mark_deleting("r1")  # crash: file still there, row flagged
        before.mark_deleting("r2")
        (folder / "r2.kccrec").unlink()  # crash: file gone, row flagged
        (folder / "r4.kccrec").write_bytes(b"sealed")  # crash: sealed, never added
        (folder / ".r5.kccrec.x1.partial").write_bytes(b"half")  # a seal being written
        (folder / "notes.txt").write_text("not ours")
    with Catalog.open(folder, lambda: STORED) as after:
        assert [r.id for r in after.pending_deletions()] == ["r1", "r2"]
        assert after.orphans() == [folder / "r4.kccrec"]
        assert after.recover() == (2, 1)
        assert after.recover() == (0, 0)
        assert after.get("r3") is not None
    left = sorted(p.name for p in folder.iterdir() if not p.name.startswith(CATALOG_FILE))
    assert left == [".r5.kccrec.x1.partial", "notes.txt", "r3.kccrec"]


# ------------------------------------------------------------ the file


def test_a_reopened_catalogue_has_everything_and_its_schema_once(tmp_path: Path) -> None:
    with Catalog.open(tmp_path, lambda: STORED) as first:
        first.add(recording(1), [segment("r1", 1, 0.0, 61.0)])
        first.set_hold("r1", True)
    with Catalog.open(tmp_path, lambda: STORED + timedelta(days=1)) as again:
        assert again.get("r1") == recording(1, held=True, stored_at=STORED)
        assert again.segments("r1") == [segment("r1", 1, 0.0, 61.0)]
    with raw(tmp_path / CATALOG_FILE) as db:
        assert db.execute("SELECT version FROM schema_version").fetchall() == [(len(SCHEMA),)]


def test_two_connections_see_each_others_writes(tmp_path: Path) -> None:
    with (
        Catalog.open(tmp_path, lambda: STORED) as controller,
        Catalog.open(tmp_path, lambda: STORED) as replay,
    ):
        controller.add(recording(1), [])
        assert replay.get("r1") is not None
        replay.set_hold("r1", True)
        assert controller.get("r1") == recording(1, held=True, stored_at=STORED)


def test_a_newer_schema_is_refused_and_left_alone(tmp_path: Path) -> None:
    Catalog.open(tmp_path, lambda: STORED).close()
    with raw(tmp_path / CATALOG_FILE) as db:
        db.execute("UPDATE schema_version SET version = 99")
    with pytest.raises(SchemaError, match=r"version 99, newer than this code knows \(up to 3\)"):
        Catalog.open(tmp_path, lambda: STORED)
    with raw(tmp_path / CATALOG_FILE) as db:
        assert db.execute("SELECT version FROM schema_version").fetchall() == [(99,)]


def test_a_file_that_is_not_a_catalogue_is_refused(tmp_path: Path) -> None:
    (tmp_path / CATALOG_FILE).write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(SchemaError, match="not a recordings catalogue"):
        Catalog.open(tmp_path, lambda: STORED)
