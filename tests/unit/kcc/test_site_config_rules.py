"""Rules across keys: a QA form that cannot grade, peak positions, the menu's length."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from site_config import ConfigError, load_site_config
from tests.unit.kcc.site_edits import Data, Edit, refusal_of, set_at


@pytest.mark.parametrize(
    ("edit", "allowed"),
    [
        (
            set_at(
                "recording", "qa_forms", 0, "thresholds",
                value=[
                    {"min": 60, "colour": "orange", "label": "x"},
                    {"min": 80, "colour": "green", "label": "y"},
                    {"min": 0, "colour": "red", "label": "z"},
                ],
            ),
            "allowed: thresholds must go from the highest 'min' down, each once",
        ),
        (
            set_at(
                "recording", "qa_forms", 0, "thresholds",
                value=[{"min": 50, "colour": "green", "label": "y"}],
            ),
            "allowed: the last threshold must start at min 0, so every score has one",
        ),
        (
            set_at(
                "recording", "qa_forms", 0, "groups", 1, "items",
                value=[{"id": "vraag", "text": "Nog eens"}],
            ),
            "allowed: item ids must be unique within a form: vraag",
        ),
    ],
)  # fmt: skip
def test_a_qa_form_that_cannot_grade_is_refused(
    sample_data: Data, write_site: Callable[[Data], Path], edit: Edit, allowed: str
) -> None:
    refused, path = refusal_of(edit, sample_data, write_site)
    assert str(refused).startswith(f"{path}: recording.qa_forms[0]: ")
    assert str(refused).endswith(allowed)


def test_all_peak_positions_refused(sample_data: Data, write_site: Callable[[Data], Path]) -> None:
    for position in sample_data["positions"]:
        position["peak"] = True
    path = write_site(sample_data)
    with pytest.raises(ConfigError, match="positions: every position is a peak position"):
        load_site_config(path)


def test_several_problems_reported_at_once(
    sample_data: Data, write_site: Callable[[Data], Path]
) -> None:
    set_at("topics", 2, "id", value="Burger Zaken")(sample_data)
    set_at("services", "http_port", value=0)(sample_data)
    set_at("recording", "directory", value="recordings")(sample_data)
    path = write_site(sample_data)
    with pytest.raises(ConfigError) as caught:
        load_site_config(path)
    lines = str(caught.value).splitlines()
    assert [line.split(": ")[1] for line in lines] == [
        "topics[2].id",
        "recording.directory",
        "services.http_port",
    ]
    assert all(line.startswith(f"{path}: ") for line in lines)
    assert len(caught.value.problems) == 3


def test_menu_of_more_than_five_topics(
    sample_data: Data, write_site: Callable[[Data], Path]
) -> None:
    extra = dict(sample_data["topics"][0], id="sociale-zaken", name="Sociale zaken")
    sample_data["topics"].append(extra)
    path = write_site(sample_data)
    with pytest.raises(ConfigError, match="topics: 6 menu topics besides the general topic"):
        load_site_config(path)
    sample_data["ivr"]["topic_menu_enabled"] = False
    assert len(load_site_config(write_site(sample_data)).topics) == 7
