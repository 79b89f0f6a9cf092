"""A SQLite store whose folder is missing: made when it can be, named when it cannot."""

from __future__ import annotations

from pathlib import Path

import pytest

from realtime_stats.store import StoreError, open_store


def test_a_missing_state_folder_is_created(tmp_path: Path) -> None:
    target = tmp_path / "state" / "kcc" / "kcc.db"
    store = open_store(target)
    try:
        assert target.is_file()
    finally:
        store.close()


def test_a_folder_that_cannot_be_made_is_named_with_what_to_do(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the folder should be\n", encoding="utf-8")
    with pytest.raises(StoreError) as raised:
        open_store(blocker / "kcc.db")
    message = str(raised.value)
    assert f"cannot create the folder {blocker} for SQLite database kcc.db" in message
    assert "create it (writable by this user) or set services.database_url" in message
