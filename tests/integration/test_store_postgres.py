"""The store's whole suite against a real PostgreSQL, side by side with SQLite.

One throwaway cluster (`kcc.stack.postgres.PostgresServer`) serves the module; every test
gets a new empty database in it, so the tests see exactly what they see on a fresh SQLite
file. The suite itself lives in tests/unit/realtime_stats/store/test_suite.py,
test_suite_rings.py and test_suite_notes.py.
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
from realtime_stats.figures.records import CallRecord
from realtime_stats.store import StoreError, open_store
from tests.unit.realtime_stats.store import test_suite, test_suite_notes, test_suite_rings

pytestmark = pytest.mark.integration

# Tests of the suite that are about SQLite itself (its files, its upgrade path).
SQLITE_ONLY = frozenset(
    {
        "test_the_rings_step_upgrades_a_database_of_the_previous_version",
        "test_the_notes_step_upgrades_a_database_of_the_previous_version",
        "test_an_unusable_target_is_named_without_its_password",
    }
)
# Every other test of the suite, and its `store` fixture, is collected here too, with this
# module's `store_target`: taken from the module, so a test added there runs here as well.
for _suite in (test_suite, test_suite_rings, test_suite_notes):
    globals().update(
        {
            name: getattr(_suite, name)
            for name in dir(_suite)
            if name == "store" or (name.startswith("test_") and name not in SQLITE_ONLY)
        }
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


def test_a_restarted_server_keeps_its_databases_and_a_store_reconnects(
    postgres: PostgresServer,
) -> None:
    url = postgres.create_database("restarted")
    call = CallRecord(call_id="c1", entered_at=datetime(2026, 6, 15, 7, 0, tzinfo=UTC))
    day = (call.entered_at, call.entered_at + timedelta(1))
    with open_store(url) as store:
        store.save_calls([call])
        postgres.restart()
        with pytest.raises(StoreError):
            store.calls_between(*day)  # the connection from before is cut
        assert store.calls_between(*day) == [call]
