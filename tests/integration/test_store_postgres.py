"""The store's whole suite against a real PostgreSQL, side by side with SQLite.

One throwaway cluster (`kcc.stack.postgres.PostgresServer`) serves the module; every test
gets a new empty database in it, so the tests see exactly what they see on a fresh SQLite
file. The suite itself lives in tests/unit/realtime_stats/test_store_suite.py (back-office
rings included).
"""

from __future__ import annotations

import itertools
import socket
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest

from kcc.stack.postgres import PostgresServer, find_bin_dir
from kcc.stack.process import ProcessError
from realtime_stats.records import CallRecord
from realtime_stats.store import StoreError, open_store
from tests.unit.realtime_stats.test_store_suite import (
    store,
    test_a_call_round_trips_exactly,
    test_a_database_newer_than_the_code_is_refused_untouched,
    test_a_failing_step_leaves_nothing_of_itself,
    test_a_fold_saved_change_by_change_reads_back_as_the_fold,
    test_a_fold_with_rings_saved_change_by_change_reads_back_as_the_fold,
    test_a_new_step_is_applied_in_order,
    test_a_restart_rebuilds_the_fold_from_the_store,
    test_a_restart_rebuilds_the_rings_from_the_store,
    test_a_row_edited_into_an_impossible_call_is_named,
    test_a_row_edited_into_an_impossible_ring_is_named,
    test_backoffice_rings_round_trip_exactly,
    test_calls_between_is_half_open_on_entered_at,
    test_intervals_round_trip_and_overlap,
    test_ivr_calls_that_ended_there_are_kept_with_their_steps,
    test_migrations_must_be_numbered_in_order,
    test_opening_migrates_once_and_reopening_is_a_no_op,
    test_rings_are_written_with_the_position_or_not_at_all,
    test_saving_a_call_again_updates_its_row,
    test_the_position_is_written_with_the_records_or_not_at_all,
    test_the_snapshot_holds_the_day_and_what_is_still_live,
    test_the_snapshot_holds_the_days_rings_and_those_still_live,
    test_tracked_calls_keep_the_menu_as_published,
)

pytestmark = pytest.mark.integration

# Imported test functions are collected here too, with this module's `store_target`.
SUITE = (
    store,
    test_a_call_round_trips_exactly,
    test_a_database_newer_than_the_code_is_refused_untouched,
    test_a_failing_step_leaves_nothing_of_itself,
    test_a_fold_saved_change_by_change_reads_back_as_the_fold,
    test_a_fold_with_rings_saved_change_by_change_reads_back_as_the_fold,
    test_a_new_step_is_applied_in_order,
    test_a_restart_rebuilds_the_fold_from_the_store,
    test_a_restart_rebuilds_the_rings_from_the_store,
    test_a_row_edited_into_an_impossible_call_is_named,
    test_a_row_edited_into_an_impossible_ring_is_named,
    test_backoffice_rings_round_trip_exactly,
    test_calls_between_is_half_open_on_entered_at,
    test_intervals_round_trip_and_overlap,
    test_ivr_calls_that_ended_there_are_kept_with_their_steps,
    test_migrations_must_be_numbered_in_order,
    test_opening_migrates_once_and_reopening_is_a_no_op,
    test_rings_are_written_with_the_position_or_not_at_all,
    test_saving_a_call_again_updates_its_row,
    test_the_position_is_written_with_the_records_or_not_at_all,
    test_the_snapshot_holds_the_day_and_what_is_still_live,
    test_the_snapshot_holds_the_days_rings_and_those_still_live,
    test_tracked_calls_keep_the_menu_as_published,
)


def free_tcp_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def postgres() -> Iterator[PostgresServer]:
    with PostgresServer(port=free_tcp_port()) as server:
        yield server


_databases = itertools.count(1)


@pytest.fixture(params=["sqlite", "postgresql"])
def store_target(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return str(tmp_path / "stats.sqlite3")
    server: PostgresServer = request.getfixturevalue("postgres")
    return server.create_database(f"store_{next(_databases)}")


def test_the_server_is_postgresql_on_loopback_only(postgres: PostgresServer) -> None:
    assert postgres.url.startswith("postgresql://kcc:") and "@127.0.0.1:" in postgres.url
    with psycopg.connect(postgres.url) as conn:
        row = conn.execute("SHOW listen_addresses").fetchone()
    assert row == ("127.0.0.1",)
    assert postgres.version.split()[0].split(".")[0] == find_bin_dir().parent.name


def test_the_cluster_is_gone_after_the_context(tmp_path: Path) -> None:
    with PostgresServer(port=free_tcp_port()) as server:
        base = server.base_dir
        assert base is not None and (base / "data" / "PG_VERSION").exists()
        url = server.url
    assert not base.exists()
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(url, connect_timeout=2)


def test_a_missing_installation_is_named(tmp_path: Path) -> None:
    with pytest.raises(
        ProcessError, match=r"PostgreSQL not found under .*Debian package postgresql"
    ):
        find_bin_dir(tmp_path)


def test_a_dropped_connection_costs_one_write_then_the_store_reconnects(
    postgres: PostgresServer,
) -> None:
    url = postgres.create_database("dropped")
    call = CallRecord(call_id="c1", entered_at=datetime(2026, 6, 15, 7, 0, tzinfo=UTC))
    with open_store(url) as store:
        with psycopg.connect(postgres.url, autocommit=True) as admin:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = 'dropped'"
            )
        with pytest.raises(StoreError, match=r"postgresql://kcc:\*\*\*@127.0.0.1:\d+/dropped"):
            store.save_calls([call])
        store.save_calls([call])
        assert store.calls_between(call.entered_at, call.entered_at + timedelta(1)) == [call]
