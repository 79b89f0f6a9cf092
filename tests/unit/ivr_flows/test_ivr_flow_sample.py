"""The shipped 14023 flow loads, validates and has the shape the contact centre asked for."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

import ivr_flows
from ivr_flows.loader import load_flow
from ivr_flows.model import (
    MAX_MENU_OPTIONS,
    CalamityNode,
    Flow,
    HoursCheckNode,
    MenuNode,
    MessageNode,
    QueueNode,
)
from site_config import load_site_config

SAMPLE = Path(ivr_flows.__file__).parent / "flows" / "14023.yaml"
# The sample flow must agree with the sample site: same topic and municipality ids.
SITE = load_site_config(Path(ivr_flows.__file__).parents[1] / "config" / "site.yaml")
TOPICS = {t.id for t in SITE.topics}
MUNICIPALITIES = {m.id for m in SITE.municipalities}
TOPIC_TEXTS = {
    "burgerzaken": "paspoort, rijbewijs, verhuizen of een uittreksel",
    "parkeren-vergunningen": "parkeervergunningen, parkeren en andere vergunningen",
    "afval-openbare-ruimte": "afval, grofvuil, een melding over de straat of het groen",
    "belastingen": "gemeentelijke belastingen en de WOZ-waarde",
    "bouwen-wonen": "bouwen, verbouwen en wonen",
}


@pytest.fixture(scope="module")
def flow() -> Flow:
    return load_flow(SAMPLE, known_topics=TOPICS, known_municipalities=MUNICIPALITIES)


def _follow(flow: Flow, node_id: str) -> list[str]:
    """Node ids along single-goto nodes (message, calamity) until the first other node."""
    path = [node_id]
    node = flow.node(node_id)
    while isinstance(node, MessageNode | CalamityNode) and node.goto is not None:
        path.append(node.goto)
        node = flow.node(node.goto)
    return path


def test_opening_sequence(flow: Flow) -> None:
    path = _follow(flow, flow.start)
    texts = [n.text for i in path if isinstance(n := flow.node(i), MessageNode)]
    assert texts == [
        "Welkom bij de gemeente.",
        "Gesprekken kunnen worden opgenomen voor trainingsdoeleinden.",
    ]
    assert isinstance(flow.node(path[-2]), CalamityNode)
    assert isinstance(flow.node(path[-1]), MenuNode)


def test_municipality_menu_records_the_choice(flow: Flow) -> None:
    menu = flow.node(_follow(flow, flow.start)[-1])
    assert isinstance(menu, MenuNode)
    assert menu.spoken_text.endswith("Kies 1 voor Haarlem. Kies 2 voor Zandvoort.")
    for digit, municipality in (("1", "haarlem"), ("2", "zandvoort")):
        option = menu.option(digit)
        assert option is not None and option.municipality == municipality
        check = flow.node(option.goto)
        assert isinstance(check, HoursCheckNode) and check.municipality == municipality
        closed = flow.node(check.closed_goto)
        assert isinstance(closed, MessageNode)
        assert closed.opening_hours_of == municipality and closed.is_terminal
        _assert_topic_menu(flow, flow.node(check.open_goto))


def _assert_topic_menu(flow: Flow, menu: object) -> None:
    assert isinstance(menu, MenuNode) and len(menu.options) <= MAX_MENU_OPTIONS
    topics = {}
    for option in menu.options:
        queue = flow.node(option.goto)
        assert isinstance(queue, QueueNode)
        topics[queue.topic] = option.text
    assert topics == TOPIC_TEXTS
    assert f"Kies 1 voor {TOPIC_TEXTS['burgerzaken']}. Kies 2 voor " in menu.spoken_text
    general = flow.node(menu.no_input.goto)
    assert isinstance(general, QueueNode) and general.topic == "algemeen"
    assert menu.invalid.goto == menu.no_input.goto == flow.general_queue


def test_no_choice_at_municipality_menu_still_checks_hours(flow: Flow) -> None:
    menu = flow.node("municipality")
    assert isinstance(menu, MenuNode)
    check = flow.node(menu.no_input.goto)
    assert isinstance(check, HoursCheckNode)
    assert check.open_goto == flow.general_queue


def test_loaded_flow_is_frozen(flow: Flow) -> None:
    with pytest.raises(TypeError):
        flow.nodes["welcome"] = flow.node("welcome")  # type: ignore[index]
    with pytest.raises(dataclasses.FrozenInstanceError):
        flow.start = "elsewhere"  # type: ignore[misc]


def test_unknown_node_error_names_the_file(flow: Flow) -> None:
    with pytest.raises(KeyError, match=r"14023\.yaml: no node 'nergens'"):
        flow.node("nergens")


def test_missing_topic_in_site_config_is_reported_against_the_sample() -> None:
    with pytest.raises(ivr_flows.FlowError) as caught:
        load_flow(
            SAMPLE,
            known_topics=TOPICS - {"parkeren-vergunningen"},
            known_municipalities=MUNICIPALITIES,
        )
    assert str(caught.value) == (
        f"{SAMPLE}: nodes.queue-parkeren: unknown topic 'parkeren-vergunningen'; "
        "allowed: afval-openbare-ruimte, algemeen, belastingen, bouwen-wonen, burgerzaken"
    )


def test_documented_example_is_the_shipped_flow(flow: Flow) -> None:
    docs = (Path(__file__).parents[3] / "docs" / "ivr-flows.md").read_text(encoding="utf-8")
    example = docs.split("## Full example", 1)[1].split("```yaml\n", 1)[1].split("```", 1)[0]
    documented = ivr_flows.parse_flow_text(
        example, source="docs", known_topics=TOPICS, known_municipalities=MUNICIPALITIES
    )
    assert documented == flow
