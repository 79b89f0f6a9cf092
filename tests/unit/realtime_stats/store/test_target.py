"""Where the store lives: the site's `database_url` read as a SQLite file or a PostgreSQL URL."""

from __future__ import annotations

from realtime_stats.store import store_target


def test_a_sqlite_url_is_a_file_and_other_urls_stay_as_they_are() -> None:
    assert str(store_target("sqlite:///var/lib/kcc/kcc.db")) == "/var/lib/kcc/kcc.db"
    assert str(store_target("sqlite:////tmp/x.db")) == "/tmp/x.db"
    url = "postgresql://kcc:pw@127.0.0.1/kcc"
    assert store_target(url) == url
