"""Properties of the site-config loader: any text, and the sample site.yaml with any one
thing changed, either loads or is refused with a ``ConfigError`` whose every line names
the file, the key and what is allowed; never another exception."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from site_config import ConfigError, load_site_config
from tests.unit.yaml_mutations import YAML_TEXT, dump, mutated
from tests.unit.yaml_mutations import Path as Place

ROOT = Path(__file__).resolve().parents[3]
SAMPLE = ROOT / "config" / "site.yaml"
SAMPLE_DOC: dict[str, Any] = yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def site_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where each example is written: ``config/site.yaml`` beside the sample's flow, which
    the sample names as ``../ivr_flows/flows/14023.yaml``."""
    root = tmp_path_factory.mktemp("site")
    (root / "config").mkdir()
    flows = root / "ivr_flows" / "flows"
    flows.mkdir(parents=True)
    shutil.copy(ROOT / "ivr_flows" / "flows" / "14023.yaml", flows / "14023.yaml")
    return root / "config" / "site.yaml"


def load(site_file: Path, text: str) -> None:
    """Load ``text`` as the site config; a refusal must be a ConfigError of good lines."""
    site_file.write_text(text, encoding="utf-8")
    try:
        load_site_config(site_file)
    except ConfigError as error:
        assert error.problems, "a ConfigError names at least one problem"
        for problem in error.problems:
            assert problem.path and problem.what and problem.allowed, problem
        lines = str(error).split("\n")
        assert len(lines) == len(error.problems)
        assert all(line.startswith(f"{site_file}: ") for line in lines)
        assert all(line.isprintable() for line in lines), lines


def test_the_sample_loads(site_file: Path) -> None:
    site_file.write_text(dump(SAMPLE_DOC), encoding="utf-8")
    load_site_config(site_file)  # the mutations start from a valid document


@given(YAML_TEXT | st.text(max_size=40))
def test_any_text_loads_or_is_refused_as_a_config_error(site_file: Path, text: str) -> None:
    load(site_file, text)


@given(mutated(SAMPLE_DOC))
def test_the_sample_with_one_change_loads_or_is_refused_as_a_config_error(
    site_file: Path, change: tuple[Place, Any]
) -> None:
    _, doc = change
    load(site_file, dump(doc))
