"""Shared fixtures: a small valid flow as a dict, and a helper that writes and loads it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from ivr_flows.loader import load_flow
from ivr_flows.model import Flow

TOPICS = {"burgerzaken", "afval", "algemeen"}
MUNICIPALITIES = {"haarlem", "zandvoort"}

FlowDict = dict[str, Any]


@pytest.fixture
def base_flow() -> FlowDict:
    """A minimal valid flow; each rejection test breaks exactly one thing in it."""
    return {
        "name": "test",
        "start": "welcome",
        "general_queue": "queue-algemeen",
        "nodes": {
            "welcome": {
                "kind": "message",
                "text": "Welkom bij de gemeente.",
                "goto": "topics-haarlem",
            },
            "topics-haarlem": {
                "kind": "menu",
                "prompt": "Waarover gaat uw vraag?",
                "options": {
                    "1": {
                        "text": "paspoort, rijbewijs, verhuizen of een uittreksel",
                        "goto": "queue-burgerzaken",
                    },
                    "2": {"text": "afval en grofvuil", "goto": "queue-afval"},
                },
            },
            "queue-burgerzaken": {"kind": "queue", "topic": "burgerzaken"},
            "queue-afval": {"kind": "queue", "topic": "afval"},
            "queue-algemeen": {"kind": "queue", "topic": "algemeen"},
        },
    }


@pytest.fixture
def write_flow(tmp_path: Path) -> Callable[[FlowDict | str], Path]:
    def write(flow: FlowDict | str) -> Path:
        path = tmp_path / "flow.yaml"
        text = (
            flow
            if isinstance(flow, str)
            else yaml.safe_dump(flow, allow_unicode=True, sort_keys=False)
        )
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture
def load(write_flow: Callable[[FlowDict | str], Path]) -> Callable[[FlowDict | str], Flow]:
    def load_it(flow: FlowDict | str) -> Flow:
        return load_flow(write_flow(flow), known_topics=TOPICS, known_municipalities=MUNICIPALITIES)

    return load_it
