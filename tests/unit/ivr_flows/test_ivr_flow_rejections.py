"""Each way a flow file can be wrong gets an exact, one-line-per-problem message."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ivr_flows.errors import FlowError, Problem
from ivr_flows.model import Flow, MenuNode
from ivr_flows.validate import validate_flow

FlowDict = dict[str, Any]
Load = Callable[[FlowDict | str], Flow]
Write = Callable[[FlowDict | str], Path]

TOPICS = {"burgerzaken", "afval", "algemeen"}
MUNICIPALITIES = {"haarlem", "zandvoort"}
ALL_IDS = "queue-afval, queue-algemeen, queue-burgerzaken, topics-haarlem, welcome"


def _error(load: Load, write_flow: Write, flow: FlowDict | str) -> tuple[str, str]:
    """The FlowError text and the file name it should start every line with."""
    path = write_flow(flow)
    with pytest.raises(FlowError) as caught:
        load(flow)
    return str(caught.value), str(path)


def test_base_flow_is_valid(load: Load, base_flow: FlowDict) -> None:
    flow = load(base_flow)
    menu = flow.node("topics-haarlem")
    assert isinstance(menu, MenuNode)
    assert menu.no_input.goto == "queue-algemeen"


def test_six_options_rejected(load: Load, write_flow: Write, base_flow: FlowDict) -> None:
    options = base_flow["nodes"]["topics-haarlem"]["options"]
    for digit in "3456":
        options[digit] = {"text": f"onderwerp {digit}", "goto": "queue-algemeen"}
    message, path = _error(load, write_flow, base_flow)
    assert (
        message
        == f"{path}: nodes.topics-haarlem: menu 'topics-haarlem' has 6 options; allowed: at most 5"
    )


def test_five_options_accepted(load: Load, base_flow: FlowDict) -> None:
    options = base_flow["nodes"]["topics-haarlem"]["options"]
    for digit in "345":
        options[digit] = {"text": f"onderwerp {digit}", "goto": "queue-algemeen"}
    menu = load(base_flow).node("topics-haarlem")
    assert isinstance(menu, MenuNode)
    assert [o.digit for o in menu.options] == ["1", "2", "3", "4", "5"]


@pytest.mark.parametrize("text", [None, "", "   "])
def test_option_without_text(
    load: Load, write_flow: Write, base_flow: FlowDict, text: str | None
) -> None:
    option = base_flow["nodes"]["topics-haarlem"]["options"]["2"]
    if text is None:
        del option["text"]
    else:
        option["text"] = text
    message, path = _error(load, write_flow, base_flow)
    assert message == (
        f"{path}: nodes.topics-haarlem.options.2: option has no explanation text; "
        "allowed: a short text in plain Dutch, "
        "e.g. 'paspoort, rijbewijs, verhuizen of een uittreksel'"
    )


def test_menu_without_prompt(load: Load, write_flow: Write, base_flow: FlowDict) -> None:
    del base_flow["nodes"]["topics-haarlem"]["prompt"]
    message, path = _error(load, write_flow, base_flow)
    assert message == (
        f"{path}: nodes.topics-haarlem: menu 'topics-haarlem' has no prompt text; "
        "allowed: a short question in plain Dutch, e.g. 'Waarover gaat uw vraag?'"
    )


def test_option_goto_unknown_node(load: Load, write_flow: Write, base_flow: FlowDict) -> None:
    options = base_flow["nodes"]["topics-haarlem"]["options"]
    options["3"] = {"text": "parkeren", "goto": "queue-parkeren"}
    message, path = _error(load, write_flow, base_flow)
    assert message == (
        f"{path}: nodes.topics-haarlem.options.3: "
        "goto 'queue-parkeren' is not a node in this flow; "
        f"allowed: one of {ALL_IDS}"
    )


def test_message_goto_unknown_node(load: Load, write_flow: Write, base_flow: FlowDict) -> None:
    base_flow["nodes"]["welcome"]["goto"] = "topics-harlem"
    message, path = _error(load, write_flow, base_flow)
    # The typo also orphans the menu; both are reported, each on its own line.
    assert message.splitlines() == [
        f"{path}: nodes.welcome: goto 'topics-harlem' is not a node in this flow; "
        f"allowed: one of {ALL_IDS}",
        f"{path}: nodes.topics-haarlem: node 'topics-haarlem' cannot be reached from start "
        "node 'welcome'; allowed: only nodes a call can reach",
    ]


def test_unknown_topic_queue(load: Load, write_flow: Write, base_flow: FlowDict) -> None:
    base_flow["nodes"]["queue-afval"]["topic"] = "grofvuil"
    message, path = _error(load, write_flow, base_flow)
    assert message == (
        f"{path}: nodes.queue-afval: unknown topic 'grofvuil'; "
        "allowed: afval, algemeen, burgerzaken"
    )


def test_unknown_municipality_on_option(load: Load, write_flow: Write, base_flow: FlowDict) -> None:
    base_flow["nodes"]["topics-haarlem"]["options"]["1"]["municipality"] = "bloemendaal"
    message, path = _error(load, write_flow, base_flow)
    assert message == (
        f"{path}: nodes.topics-haarlem.options.1: unknown municipality 'bloemendaal'; "
        "allowed: haarlem, zandvoort"
    )


def test_unknown_municipality_on_hours_check(
    load: Load, write_flow: Write, base_flow: FlowDict
) -> None:
    base_flow["nodes"]["welcome"]["goto"] = "hours"
    base_flow["nodes"]["hours"] = {
        "kind": "hours_check",
        "municipality": "heemstede",
        "open": "topics-haarlem",
        "closed": "queue-algemeen",
    }
    message, path = _error(load, write_flow, base_flow)
    assert (
        message
        == f"{path}: nodes.hours: unknown municipality 'heemstede'; allowed: haarlem, zandvoort"
    )


def test_unreachable_node(load: Load, write_flow: Write, base_flow: FlowDict) -> None:
    base_flow["nodes"]["old-menu"] = {"kind": "message", "text": "Oud.", "hangup": True}
    message, path = _error(load, write_flow, base_flow)
    assert message == (
        f"{path}: nodes.old-menu: node 'old-menu' cannot be reached from start node 'welcome'; "
        "allowed: only nodes a call can reach"
    )


def test_message_loop_without_way_out(load: Load, write_flow: Write, base_flow: FlowDict) -> None:
    base_flow["nodes"]["topics-haarlem"]["options"]["3"] = {"text": "iets", "goto": "loop-a"}
    base_flow["nodes"]["loop-a"] = {"kind": "message", "text": "Een.", "goto": "loop-b"}
    base_flow["nodes"]["loop-b"] = {"kind": "message", "text": "Twee.", "goto": "loop-a"}
    message, path = _error(load, write_flow, base_flow)
    assert message == (
        f"{path}: nodes.loop-a: nodes 'loop-a', 'loop-b' form a loop the caller cannot leave; "
        "allowed: every loop has a way out to a queue or a hangup"
    )


def test_calamity_pointing_at_itself(load: Load, write_flow: Write, base_flow: FlowDict) -> None:
    base_flow["nodes"]["welcome"]["goto"] = "calamity"
    base_flow["nodes"]["calamity"] = {"kind": "calamity", "goto": "calamity"}
    message, path = _error(load, write_flow, base_flow)
    assert message.splitlines()[-1] == (
        f"{path}: nodes.calamity: node 'calamity' goes only to itself, so the caller cannot "
        "leave; allowed: every loop has a way out to a queue or a hangup"
    )


def test_menu_whose_escapes_lead_into_a_loop(
    load: Load, write_flow: Write, base_flow: FlowDict
) -> None:
    base_flow["nodes"]["topics-haarlem"]["options"]["3"] = {"text": "meer", "goto": "more"}
    base_flow["nodes"]["more"] = {
        "kind": "menu",
        "prompt": "Nog iets?",
        "options": {"1": {"text": "terug", "goto": "again"}},
        "no_input": {"goto": "again"},
        "invalid": {"goto": "again"},
    }
    base_flow["nodes"]["again"] = {"kind": "message", "text": "Nog een keer.", "goto": "more"}
    message, path = _error(load, write_flow, base_flow)
    assert message == (
        f"{path}: nodes.more: nodes 'more', 'again' form a loop the caller cannot leave; "
        "allowed: every loop has a way out to a queue or a hangup"
    )


def test_loops_with_a_way_out_are_fine(load: Load, base_flow: FlowDict) -> None:
    nodes = base_flow["nodes"]
    # A menu that repeats itself: its no-input/invalid escape reaches the general queue.
    nodes["topics-haarlem"]["options"]["3"] = {"text": "herhalen", "goto": "topics-haarlem"}
    nodes["topics-haarlem"]["options"]["4"] = {"text": "info", "goto": "info"}
    nodes["info"] = {"kind": "message", "text": "Informatie.", "goto": "hours"}
    nodes["hours"] = {
        "kind": "hours_check",
        "municipality": "haarlem",
        "open": "info",
        "closed": "bye",
    }
    nodes["bye"] = {"kind": "message", "text": "Tot ziens.", "hangup": True}
    assert load(base_flow).node("bye").is_terminal


def test_duplicate_digits(load: Load, write_flow: Write) -> None:
    text = """
start: m
general_queue: q
nodes:
  m:
    kind: menu
    prompt: "Waarover gaat uw vraag?"
    options:
      "1": { text: "afval", goto: q }
      1: { text: "afval nog een keer", goto: q }
  q: { kind: queue, topic: algemeen }
"""
    message, path = _error(load, write_flow, text)
    assert message == (
        f"{path}: nodes.m.options.1: digit '1' is used more than once; "
        "allowed: each digit once per menu"
    )


@pytest.mark.parametrize("key", ["a", "10", "01", "'*'", "'#'"])
def test_bad_digit_keys(load: Load, write_flow: Write, key: str) -> None:
    text = f"""
start: m
general_queue: q
nodes:
  m:
    kind: menu
    prompt: "Waarover gaat uw vraag?"
    options:
      {key}: {{ text: "afval", goto: q }}
  q: {{ kind: queue, topic: algemeen }}
"""
    message, path = _error(load, write_flow, text)
    shown = key.strip("'")
    assert message == (
        f"{path}: nodes.m.options.{shown}: option key {shown!r} is not a keypad digit; "
        "allowed: one of 1, 2, 3, 4, 5, 6, 7, 8, 9, 0"
    )


def test_unquoted_digit_keys_are_read_as_digits(load: Load) -> None:
    text = """
start: m
general_queue: q
nodes:
  m:
    kind: menu
    prompt: "Waarover gaat uw vraag?"
    options:
      1: { text: "afval", goto: q }
      0: { text: "iets anders", goto: q }
  q: { kind: queue, topic: algemeen }
"""
    menu = load(text).node("m")
    assert isinstance(menu, MenuNode)
    assert menu.spoken_text == "Waarover gaat uw vraag? Kies 1 voor afval. Kies 0 voor iets anders."


def test_every_problem_is_reported_at_once(
    load: Load, write_flow: Write, base_flow: FlowDict
) -> None:
    base_flow["nodes"]["queue-afval"]["topic"] = "grofvuil"
    base_flow["nodes"]["topics-haarlem"]["options"]["2"]["text"] = ""
    base_flow["nodes"]["topics-haarlem"]["options"]["1"]["municipality"] = "bloemendaal"
    message, path = _error(load, write_flow, base_flow)
    lines = message.splitlines()
    assert len(lines) == 3
    assert all(line.startswith(f"{path}: nodes.") for line in lines)


def test_unknown_kind_and_field(load: Load, write_flow: Write, base_flow: FlowDict) -> None:
    base_flow["nodes"]["queue-afval"]["kind"] = "wachtrij"
    base_flow["nodes"]["welcome"]["txt"] = "typo"
    message, path = _error(load, write_flow, base_flow)
    assert message.splitlines() == [
        f"{path}: nodes.welcome: unknown field 'txt'; "
        "allowed: kind, text, opening_hours_of, goto, hangup",
        f"{path}: nodes.queue-afval: unknown kind 'wachtrij'; "
        "allowed: menu, queue, message, hours_check, calamity",
    ]


def test_message_needs_goto_or_hangup(load: Load, write_flow: Write, base_flow: FlowDict) -> None:
    base_flow["nodes"]["welcome"]["hangup"] = True
    message, path = _error(load, write_flow, base_flow)
    assert message == (
        f"{path}: nodes.welcome: a message needs either goto or hangup: true; "
        "allowed: exactly one of goto, hangup: true"
    )


def test_general_queue_must_be_a_queue(load: Load, write_flow: Write, base_flow: FlowDict) -> None:
    base_flow["general_queue"] = "welcome"
    message, path = _error(load, write_flow, base_flow)
    assert message.splitlines()[0] == (
        f"{path}: general_queue: general_queue 'welcome' is a message node; "
        "allowed: the id of a queue node"
    )


def test_yaml_syntax_error_names_the_line(load: Load, write_flow: Write) -> None:
    message, path = _error(load, write_flow, "start: a\nnodes:\n  a: [unclosed\n")
    assert message.startswith(f"{path}: line 4, column 1: YAML syntax error: ")
    assert message.endswith("; allowed: valid YAML")


def test_unreachable_region_reported_once_at_its_head(
    load: Load, write_flow: Write, base_flow: FlowDict
) -> None:
    base_flow["nodes"]["old-notice"] = {"kind": "message", "text": "Oud.", "goto": "old-bye"}
    base_flow["nodes"]["old-bye"] = {"kind": "message", "text": "Dag.", "hangup": True}
    message, path = _error(load, write_flow, base_flow)
    assert message == (
        f"{path}: nodes.old-notice: node 'old-notice' cannot be reached from start node "
        "'welcome'; allowed: only nodes a call can reach"
    )


@pytest.mark.parametrize(
    ("repeats", "what", "allowed"),
    [
        (5, "repeats 5 is out of range", "0 to 3"),
        (1.5, "field 'repeats' is float 1.5", "a whole number"),
    ],
)
def test_no_input_repeats(
    load: Load, write_flow: Write, base_flow: FlowDict, repeats: object, what: str, allowed: str
) -> None:
    base_flow["nodes"]["topics-haarlem"]["no_input"] = {"repeats": repeats}
    message, path = _error(load, write_flow, base_flow)
    assert message == f"{path}: nodes.topics-haarlem.no_input: {what}; allowed: {allowed}"


def test_a_number_too_large_is_refused_by_name(
    load: Load, write_flow: Write, base_flow: FlowDict
) -> None:
    # Found by the property tests: float() overflowed, an OverflowError escaped.
    base_flow["nodes"]["topics-haarlem"]["timeout_seconds"] = 10**400
    message, path = _error(load, write_flow, base_flow)
    assert message.startswith(f"{path}: nodes.topics-haarlem: field 'timeout_seconds' is int 1000")
    assert message.endswith(", too large; allowed: a number")


def test_a_number_too_long_to_read_is_a_yaml_error(load: Load, write_flow: Write) -> None:
    # Found by the property tests: PyYAML's int() raised a bare ValueError.
    message, path = _error(load, write_flow, "start: " + "1" * 5000 + "\n")
    assert message == (
        f"{path}: line 1, column 8: YAML syntax error: a number of 5000 characters is too "
        "long; allowed: valid YAML"
    )


def test_a_key_with_a_control_character_stays_on_its_own_line(
    load: Load, write_flow: Write, base_flow: FlowDict
) -> None:
    # Found by the property tests: an option keyed "\r" split the message apart.
    base_flow["nodes"]["topics-haarlem"]["options"]["\r"] = None
    message, path = _error(load, write_flow, base_flow)
    assert f"{path}: nodes.topics-haarlem.options.\\r: the option is empty" in message
    assert all(line.startswith(f"{path}: ") for line in message.splitlines())


def test_empty_file(load: Load, write_flow: Write) -> None:
    message, path = _error(load, write_flow, "")
    assert message == f"{path}: file: the file is empty; allowed: a mapping with start and nodes"


def test_switched_off_menu_still_loads(load: Load, base_flow: FlowDict) -> None:
    base_flow["nodes"]["topics-haarlem"]["enabled"] = False
    menu = load(base_flow).node("topics-haarlem")
    assert isinstance(menu, MenuNode) and not menu.enabled


def test_flow_built_in_python_gets_the_same_checks(load: Load, base_flow: FlowDict) -> None:
    flow = load(base_flow)
    menu = flow.node("topics-haarlem")
    assert isinstance(menu, MenuNode)
    doubled = dataclasses.replace(menu, options=(*menu.options, menu.options[0]))
    broken = dataclasses.replace(flow, nodes={**flow.nodes, menu.id: doubled})
    problems = validate_flow(broken, known_topics=TOPICS, known_municipalities=MUNICIPALITIES)
    assert problems == [
        Problem(
            "nodes.topics-haarlem.options.1",
            "digit '1' is used more than once",
            "each digit once per menu",
        )
    ]
