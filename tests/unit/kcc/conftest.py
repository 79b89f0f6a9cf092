"""Fixtures: a private copy of the sample site config that tests may break freely."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

SAMPLE = Path(__file__).resolve().parents[3] / "config" / "site.yaml"

# The sample names ../ivr_flows/flows/14023.yaml; check-config validates that flow
# against the site, so the copy gets the real sample flow beside it.
FLOW_SAMPLE = Path(__file__).resolve().parents[3] / "ivr_flows" / "flows" / "14023.yaml"


@pytest.fixture
def site_dir(tmp_path: Path) -> Path:
    """``tmp_path/config/site.yaml`` (the sample) plus the sample flow where it points."""
    (tmp_path / "config").mkdir()
    shutil.copy(SAMPLE, tmp_path / "config" / "site.yaml")
    flows = tmp_path / "ivr_flows" / "flows"
    flows.mkdir(parents=True)
    (flows / "14023.yaml").write_text(FLOW_SAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    return tmp_path


@pytest.fixture
def site_path(site_dir: Path) -> Path:
    return site_dir / "config" / "site.yaml"


@pytest.fixture
def sample_data(site_path: Path) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(site_path.read_text(encoding="utf-8"))
    return data


@pytest.fixture
def write_site(site_path: Path) -> Callable[[dict[str, Any]], Path]:
    """Write ``data`` as the site config (next to the sample flow) and return its path."""

    def write(data: dict[str, Any]) -> Path:
        site_path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
        return site_path

    return write
