"""Properties of the flow loader: any text, and the sample flow with any one thing
changed, either loads or is refused with a ``FlowError`` whose every line names the
file, the place and what is allowed; never another exception."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from hypothesis import given

from ivr_flows.errors import FlowError
from ivr_flows.loader import parse_flow_text
from tests.unit.yaml_mutations import YAML_TEXT, dump, mutated
from tests.unit.yaml_mutations import Path as Place

SAMPLE = Path(__file__).resolve().parents[3] / "ivr_flows" / "flows" / "14023.yaml"
SAMPLE_DOC: dict[str, Any] = yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))
TOPICS = {"burgerzaken", "belastingen", "afval-openbare-ruimte", "parkeren-vergunningen",
          "bouwen-wonen", "algemeen"}  # fmt: skip
MUNICIPALITIES = {"haarlem", "zandvoort"}
# Fields the loader reads that the sample leaves at their defaults.
FIELDS = ("timeout_seconds", "enabled", "no_input", "invalid", "repeats", "hangup",
          "opening_hours_of", "open", "closed", "municipality", "name", "texts")  # fmt: skip


def load(text: str) -> None:
    """Load ``text``; a refusal must be a FlowError of well-formed lines."""
    try:
        parse_flow_text(
            text, source="flow.yaml", known_topics=TOPICS, known_municipalities=MUNICIPALITIES
        )
    except FlowError as error:
        assert error.problems, "a FlowError names at least one problem"
        for problem in error.problems:
            assert problem.where and problem.what and problem.allowed, problem
        lines = str(error).split("\n")
        assert len(lines) == len(error.problems)
        assert all(line.startswith("flow.yaml: ") and line.isprintable() for line in lines)


def test_the_sample_flow_loads_with_these_topics() -> None:
    # The mutations start from a valid flow.
    parse_flow_text(
        SAMPLE.read_text(encoding="utf-8"),
        source="flow.yaml",
        known_topics=TOPICS,
        known_municipalities=MUNICIPALITIES,
    )


@given(YAML_TEXT)
def test_any_text_loads_or_is_refused_as_a_flow_error(text: str) -> None:
    load(text)


@given(mutated(SAMPLE_DOC, FIELDS))
def test_the_sample_with_one_change_loads_or_is_refused_as_a_flow_error(
    change: tuple[Place, Any],
) -> None:
    _, doc = change
    load(dump(doc))
