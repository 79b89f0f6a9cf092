"""The wallboard's callback-note section, from the hand-counted scenario of
tests/unit/realtime_stats/figures/test_callback_metrics.py (Monday 15:00)."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import timedelta
from typing import Any

import pytest

from contract.vocabulary import CallbackOutcome
from realtime_stats.figures.callback_metrics import CallbackTally
from realtime_stats.wallboard.feed import BoardInputs, InMemoryBoardFeed
from realtime_stats.wallboard.service import SharedSnapshot
from realtime_stats.wallboard.snapshot import SNAPSHOT_SCHEMA, board_snapshot
from site_config import SiteConfig, load_site_config
from tests.unit.realtime_stats.figures.test_callback_metrics import (
    BEL_AT_THREE,
    BZ_AT_THREE,
    NOTES,
    NOW,
    at,
    note,
)
from tests.unit.realtime_stats.wallboard.test_snapshot import SAMPLE

PARKING = note("p1", at(15, "09:00"), at(15, "12:00"), department="parkeren")  # overdue


@pytest.fixture(scope="module")
def site() -> SiteConfig:
    return load_site_config(SAMPLE)


def section(site: SiteConfig, *notes: Any) -> dict[str, Any]:
    snap = board_snapshot(site, BoardInputs(callback_notes=notes, now=NOW))
    assert snap["schema"] == SNAPSHOT_SCHEMA == 1  # the section is additive
    notes_section: dict[str, Any] = snap["callback_notes"]
    return notes_section


def row(tally: CallbackTally, share: float | None, status: str | None) -> dict[str, Any]:
    return {**asdict(tally), "done_in_time_share": {"value": share, "status": status}}


def test_per_department_in_config_order_then_others(site: SiteConfig) -> None:
    found = section(site, *NOTES, PARKING)
    names = [(d["id"], d["name"]) for d in found["departments"]]
    assert names == [
        ("burgerzaken", "Burgerzaken"),
        ("belastingen", "Belastingen"),
        ("vergunningen", "Vergunningen en handhaving"),
        ("parkeren", "parkeren"),  # not configured: its id as its name
    ]
    by_id = {d.pop("id"): d for d in found["departments"]}
    for d in by_id.values():
        d.pop("name")
    assert by_id["burgerzaken"] == row(BZ_AT_THREE, 1.0, "green")  # 1 of 1 in time
    assert by_id["belastingen"] == row(BEL_AT_THREE, 0.5, "red")  # 1 of 2
    assert by_id["vergunningen"] == row(CallbackTally(), None, None)  # quiet: a dash
    # p1: made today, due at 12:00, open at 15:00: late and overdue, 0 of 1 in time.
    parking = CallbackTally(made=1, due=1, late=1, open=1, overdue=1)
    assert by_id["parkeren"] == row(parking, 0.0, "red")


def test_the_total_is_summed_before_dividing(site: SiteConfig) -> None:
    whole = section(site, *NOTES, PARKING)["total"]
    # The figures' scenario (made 3, done 4, due 5: 2 in time, 1 late; open 5, overdue 2)
    # plus p1.
    assert (whole["made"], whole["done"], whole["due"]) == (4, 4, 6)
    assert (whole["done_in_time"], whole["late"]) == (2, 2)
    assert (whole["open"], whole["overdue"]) == (6, 3)
    assert whole["done_in_time_share"] == {"value": 0.5, "status": "red"}  # 2 of 4


def test_a_day_without_notes_shows_zeros_and_dashes(site: SiteConfig) -> None:
    empty = section(site)
    assert empty["total"] == row(CallbackTally(), None, None)
    assert [d["id"] for d in empty["departments"]] == [d.id for d in site.departments]


def test_the_section_is_plain_json(site: SiteConfig) -> None:
    found = section(site, *NOTES, PARKING)
    assert json.loads(json.dumps(found, allow_nan=False)) == found


def test_a_changed_note_is_rendered_at_once(site: SiteConfig) -> None:
    feed = InMemoryBoardFeed(clock=lambda: NOW)
    feed.set_records(callback_notes=NOTES)
    shared = SharedSnapshot(site, feed, max_age_s=60.0, clock=lambda: 100.0)

    def overdue() -> int:
        return int(json.loads(shared.render())["callback_notes"]["total"]["overdue"])

    assert overdue() == 2
    n3_done = note(
        "n3",
        at(12, "15:00"),
        at(15, "12:00"),
        NOW - timedelta(minutes=1),
        CallbackOutcome.OTHERWISE,
    )
    feed.put_callback_note(n3_done)  # the same id: replaces it, and is not a cached render
    assert overdue() == 1
