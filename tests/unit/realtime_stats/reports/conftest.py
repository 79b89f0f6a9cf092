"""The report tests' fixtures: the sample site, and a store holding the scenario's morning."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from realtime_stats.store import Store
from site_config import SiteConfig, load_site_config
from tests.unit.realtime_stats.reports.test_scenario import SAMPLE, stored


@pytest.fixture(scope="module")
def site() -> SiteConfig:
    return load_site_config(SAMPLE)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with stored(tmp_path / "kcc.db") as store:
        yield store
