"""The catalogue's step 2: the call's timeline and the coaching signals, kept with the
recording in the same transaction, read back, deleted with it; a file of step 1 gains
them on opening."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from recordings.catalog import CATALOG_FILE, SCHEMA, Catalog, CatalogError, SchemaError, migrate
from recordings.catalog_rows import COLUMNS, SignalsRow, recording_values
from recordings.signal_summary import SignalsUnreadable, signals_per_agent
from recordings.take import Mark
from tests.unit.recordings.test_recording_catalog import STORED, T0, recording, segment

SIGNALS = SignalsRow(
    agent_talk_s=31.5, caller_talk_s=22.0, agent_talk_share=31.5 / 53.5,
    longest_silence_s=4.2, overtalk_count=2, overtalk_s=1.1,
)  # fmt: skip
MARKS = (
    Mark(T0 - timedelta(seconds=30), "call.queued", "In de wachtrij Burgerzaken"),
    Mark(T0, "call.answered", "Aangenomen door Anouk de Vries"),
    Mark(T0 + timedelta(seconds=40), "call.ended", "Opgehangen"),
)


@pytest.fixture
def catalog(tmp_path: Path) -> Iterator[Catalog]:
    with Catalog.open(tmp_path / "recordings", lambda: STORED) as opened:
        yield opened


def test_the_timeline_and_signals_come_back_as_written(catalog: Catalog) -> None:
    catalog.add(recording(1), [segment("r1", 1, 0.0, 60.0)], timeline=MARKS, signals=SIGNALS)
    assert catalog.timeline("r1") == list(MARKS)
    assert catalog.signals("r1") == SIGNALS
    catalog.add(recording(2), [])
    assert (catalog.timeline("r2"), catalog.signals("r2")) == ([], None)
    assert (catalog.timeline("r9"), catalog.signals("r9")) == ([], None)


def test_nobody_talking_is_a_share_of_none() -> None:
    quiet = SignalsRow(agent_talk_s=0, caller_talk_s=0, agent_talk_share=None,
                       longest_silence_s=60, overtalk_count=0, overtalk_s=0)  # fmt: skip
    assert quiet.agent_talk_share is None
    with pytest.raises(ValueError, match="allowed: 0 to 1"):
        SignalsRow(agent_talk_s=1, caller_talk_s=0, agent_talk_share=1.5,
                   longest_silence_s=0, overtalk_count=0, overtalk_s=0)  # fmt: skip
    with pytest.raises(ValueError, match="negative"):
        SignalsRow(agent_talk_s=-1, caller_talk_s=0, agent_talk_share=None,
                   longest_silence_s=0, overtalk_count=0, overtalk_s=0)  # fmt: skip


def test_a_naive_mark_is_refused_and_nothing_is_stored(catalog: Catalog) -> None:
    naive = (*MARKS, Mark(datetime(2026, 6, 15, 9, 0), "call.ended", "Opgehangen"))
    with pytest.raises(ValueError, match=r"the timeline's call\.ended at=.* has no time zone"):
        catalog.add(recording(1), [], timeline=naive, signals=SIGNALS)
    assert catalog.get("r1") is None and catalog.timeline("r1") == []


def test_a_clash_leaves_neither_timeline_nor_signals(catalog: Catalog) -> None:
    catalog.add(recording(1), [])
    with pytest.raises(CatalogError, match="another recording names this file"):
        catalog.add(recording(2, file="r1.kccrec"), [], timeline=MARKS, signals=SIGNALS)
    assert (catalog.timeline("r2"), catalog.signals("r2")) == ([], None)


def test_a_deleted_recording_takes_its_timeline_and_signals_along(catalog: Catalog) -> None:
    catalog.add(recording(1), [segment("r1", 1, 0.0, 60.0)], timeline=MARKS, signals=SIGNALS)
    assert catalog.remove("r1")
    assert (catalog.timeline("r1"), catalog.signals("r1")) == ([], None)
    with contextlib.closing(sqlite3.connect(catalog.directory / CATALOG_FILE)) as db:
        for table in ("segments", "timeline", "signals"):
            assert db.execute(f"SELECT COUNT(*) FROM {table}").fetchone() == (0,), table


def test_a_catalogue_of_step_1_gains_the_later_steps_and_keeps_its_rows(tmp_path: Path) -> None:
    with contextlib.closing(sqlite3.connect(tmp_path / CATALOG_FILE, isolation_level=None)) as db:
        assert migrate(db, "old", SCHEMA[:1]) == 1
        db.execute(f"INSERT INTO recordings ({COLUMNS}) VALUES ({', '.join('?' * 18)})",
                   recording_values(recording(1), STORED))  # fmt: skip
    with Catalog.open(tmp_path, lambda: STORED) as old:
        assert old.get("r1") == recording(1, stored_at=STORED)
        assert (old.timeline("r1"), old.signals("r1")) == ([], None)
        old.add(recording(2), [], timeline=MARKS[:1], signals=SIGNALS)
        assert old.timeline("r2") == list(MARKS[:1])
    with contextlib.closing(sqlite3.connect(tmp_path / CATALOG_FILE)) as db:
        assert db.execute("SELECT version FROM schema_version").fetchall() == [(len(SCHEMA),)]
        # Step 3: a catalogue's signals gained the hold time, 0 until a take has one.
        assert db.execute("SELECT hold_s FROM signals WHERE recording_id = 'r2'").fetchone() == (
            SIGNALS.hold_s,
        )
    assert [step.number for step in SCHEMA] == list(range(1, len(SCHEMA) + 1))


def test_a_reader_of_an_older_catalogue_is_refused_and_moves_nothing(tmp_path: Path) -> None:
    # The stats service's report reads the controller's catalogue: it must never
    # migrate it (or chmod it) under a controller of another release.
    with contextlib.closing(sqlite3.connect(tmp_path / CATALOG_FILE, isolation_level=None)) as db:
        assert migrate(db, "old", SCHEMA[:1]) == 1
    with pytest.raises(
        SchemaError, match=rf"version 1, older than this code \(version {len(SCHEMA)}\)"
    ):
        Catalog.open_reader(tmp_path, lambda: STORED)
    with pytest.raises(SignalsUnreadable, match="older than this code"):
        signals_per_agent(tmp_path, STORED - timedelta(days=1), STORED)
    with contextlib.closing(sqlite3.connect(tmp_path / CATALOG_FILE)) as db:
        assert db.execute("SELECT version FROM schema_version").fetchall() == [(1,)]


def test_a_reader_reads_what_the_writer_wrote_and_cannot_write(tmp_path: Path) -> None:
    with Catalog.open(tmp_path, lambda: STORED) as writer:
        writer.add(recording(1), [segment("r1", 1, 0.0, 60.0)], timeline=MARKS, signals=SIGNALS)
    with Catalog.open_reader(tmp_path, lambda: STORED) as reader:
        assert reader.timeline("r1") == list(MARKS)
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            reader.add(recording(2), [])
