"""How often a number called in the last 7 days, kept as a keyed hash only."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from acd.desk.history import CallerHistory, caller_key, normalised

T = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
KEY = b"a-key-of-the-site-for-tests-only"


def test_each_call_counts_the_ones_before_it_within_7_days(tmp_path: Path) -> None:
    history = CallerHistory(tmp_path / "h.db", KEY)
    assert history.seen("0612345678", T - timedelta(days=10)) == 0
    assert history.seen("+31 6 12345678", T - timedelta(days=2)) == 0  # 8 days on: out
    assert history.seen("06-12345678", T - timedelta(days=1)) == 1  # the same number
    assert history.seen("0612345678", T) == 2
    assert history.seen("0201234567", T) == 0
    history.close()
    again = CallerHistory(tmp_path / "h.db", KEY)  # kept across a restart
    assert again.seen("0031612345678", T + timedelta(minutes=1)) == 3
    again.close()


def test_the_file_holds_no_number_and_another_key_matches_nothing(tmp_path: Path) -> None:
    history = CallerHistory(tmp_path / "h.db", KEY)
    history.seen("0612345678", T)
    history.close()
    assert b"12345678" not in (tmp_path / "h.db").read_bytes()
    other = CallerHistory(tmp_path / "h.db", b"another-key-another-site-000000")
    assert other.seen("0612345678", T + timedelta(seconds=1)) == 0
    other.close()


@pytest.mark.parametrize("withheld", ["", "anonymous", "Onbekend", "12"])
def test_a_withheld_number_is_not_counted(tmp_path: Path, withheld: str) -> None:
    assert normalised(withheld) is None
    assert CallerHistory(tmp_path / "h.db", KEY).seen(withheld, T) is None


def test_the_key_comes_from_the_environment_or_is_made_for_the_run(
    caplog: pytest.LogCaptureFixture,
) -> None:
    assert caller_key({"KCC_CALLER_KEY": "s" * 32}) == b"s" * 32
    with caplog.at_level(logging.WARNING):
        made = caller_key({})
    assert len(made) == 32 and "KCC_CALLER_KEY is not set" in caplog.text
    with caplog.at_level(logging.WARNING):
        caller_key({"KCC_CALLER_KEY": "short"})
    assert "shorter than 16 characters" in caplog.text
