"""The demo's IVR clock: open hours now, or the next moment every municipality is open."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from kcc.demo import demo_ivr_time
from site_config import SiteConfig, load_site_config

AMS = ZoneInfo("Europe/Amsterdam")


@pytest.fixture(scope="module")
def site() -> SiteConfig:
    return load_site_config(Path(__file__).resolve().parents[3] / "config" / "site.yaml")


def _local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=AMS)


def test_open_now_keeps_the_real_clock(site: SiteConfig) -> None:
    assert demo_ivr_time(site, _local("2026-11-23T10:00")) is None  # a Monday morning


@pytest.mark.parametrize(
    ("now", "starts"),
    [
        ("2026-11-23T02:35", "2026-11-23T08:30"),  # Monday night: that morning
        ("2026-11-28T14:00", "2026-11-30T08:30"),  # Saturday: Monday
        # Thursday evening: Haarlem is open till 20:00, Zandvoort closed since 17:00.
        ("2026-11-26T18:00", "2026-11-27T08:30"),
        # Christmas Eve evening: Christmas Day is closed, then the weekend.
        ("2026-12-24T18:00", "2026-12-28T08:30"),
    ],
)
def test_closed_now_starts_the_ivr_clock_when_all_are_open(
    site: SiteConfig, now: str, starts: str
) -> None:
    found = demo_ivr_time(site, _local(now))
    assert found is not None
    assert found.astimezone(AMS) == _local(starts)
