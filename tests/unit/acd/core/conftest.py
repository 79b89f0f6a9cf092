"""Fixtures: the sample site config (loaded once) and a fresh driver per test."""

from __future__ import annotations

import pytest

from site_config import SiteConfig
from tests.unit.acd.core.acd_driver import Driver, sample_site


@pytest.fixture(scope="session")
def site() -> SiteConfig:
    return sample_site()


@pytest.fixture
def floor(site: SiteConfig) -> Driver:
    return Driver(site)
