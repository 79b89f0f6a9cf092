"""Checks that a typed ``Flow`` is one a caller can always get through.

Per node: texts present, menus of one to five options on valid, distinct keypad
digits, known topics and municipalities, gotos that name real nodes. Per graph: every
node reachable from the start, and no loop the caller cannot leave - a strongly
connected set of nodes with no path to a terminal node (a queue, or a message that
hangs up). Menus are rarely such traps because their no-input and invalid escapes are
edges too, by default to the general queue.

Returns problems instead of raising, so the loader can report them together with
shape problems in one error.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

from ivr_flows.errors import Problem
from ivr_flows.model import (
    KEYPAD_DIGITS,
    MAX_MENU_OPTIONS,
    Flow,
    HoursCheckNode,
    MenuNode,
    MenuOption,
    MessageNode,
    Node,
    QueueNode,
)

_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_MAX_REPEATS = 3
_TIMEOUT_RANGE = (1.0, 30.0)


@dataclass(frozen=True, slots=True)
class _Known:
    topics: frozenset[str]
    municipalities: frozenset[str]
    node_ids: frozenset[str]

    def allowed(self, names: frozenset[str]) -> str:
        return ", ".join(sorted(names)) or "(none configured)"


def validate_flow(
    flow: Flow,
    *,
    known_topics: AbstractSet[str],
    known_municipalities: AbstractSet[str],
    unreadable_nodes: frozenset[str] = frozenset(),
    check_graph: bool = True,
) -> list[Problem]:
    """Every problem in ``flow``; an empty list means the flow is usable.

    ``unreadable_nodes`` are ids the loader saw but could not build; gotos to them are
    not reported again.
    """
    known = _Known(
        frozenset(known_topics),
        frozenset(known_municipalities),
        frozenset(flow.nodes) | unreadable_nodes,
    )
    problems = list(_check_top(flow, known))
    for node in flow.nodes.values():
        problems += _check_node(node, known)
    # Graph checks still mean something with an unknown topic or goto (such edges are
    # left out), but not without a start node or with nodes the loader could not read.
    if check_graph and flow.start in flow.nodes:
        problems += _unreachable(flow)
        problems += _traps(flow)
    return problems


def _check_top(flow: Flow, known: _Known) -> Iterator[Problem]:
    ids = known.allowed(known.node_ids)
    if flow.start and flow.start not in known.node_ids:
        yield Problem("start", f"start node {flow.start!r} is not a node in this flow", ids)
    queue = flow.nodes.get(flow.general_queue)
    if flow.general_queue and flow.general_queue not in known.node_ids:
        what = f"general_queue {flow.general_queue!r} is not a node in this flow"
        yield Problem("general_queue", what, f"the id of a queue node: {ids}")
    elif queue is not None and not isinstance(queue, QueueNode):
        what = f"general_queue {flow.general_queue!r} is a {queue.kind} node"
        yield Problem("general_queue", what, "the id of a queue node")
    for name, text in (("invalid", flow.invalid_text), ("no_input", flow.no_input_text)):
        if not text.strip():
            yield Problem(f"texts.{name}", "the text is empty", "a short text in plain Dutch")


def _check_node(node: Node, known: _Known) -> list[Problem]:
    where = f"nodes.{node.id}"
    problems = []
    if not _SLUG.fullmatch(node.id):
        what = f"node id {node.id!r} is not a slug"
        allowed = "lower-case letters, digits and single hyphens, e.g. 'topics-haarlem'"
        problems.append(Problem(where, what, allowed))
    problems += _check_gotos(node, known)
    match node:
        case MenuNode():
            problems += _check_menu(node, known)
        case QueueNode():
            problems += _check_topic(where, node.topic, known)
        case MessageNode():
            problems += _check_message(node, known)
        case HoursCheckNode():
            problems += _check_municipality(where, node.municipality, known)
    return problems


def _check_gotos(node: Node, known: _Known) -> Iterator[Problem]:
    for exit_ in node.exits:
        if exit_.goto and exit_.goto not in known.node_ids:
            where = (
                f"nodes.{node.id}" if exit_.field == "goto" else f"nodes.{node.id}.{exit_.field}"
            )
            what = f"goto {exit_.goto!r} is not a node in this flow"
            yield Problem(where, what, f"one of {known.allowed(known.node_ids)}")


def _check_menu(menu: MenuNode, known: _Known) -> Iterator[Problem]:
    where = f"nodes.{menu.id}"
    if not menu.prompt.strip():
        what = f"menu {menu.id!r} has no prompt text"
        yield Problem(
            where, what, "a short question in plain Dutch, e.g. 'Waarover gaat uw vraag?'"
        )
    count = len(menu.options)
    if count == 0:
        yield Problem(where, f"menu {menu.id!r} has no options", f"1 to {MAX_MENU_OPTIONS} options")
    elif count > MAX_MENU_OPTIONS:
        yield Problem(where, f"menu {menu.id!r} has {count} options", f"at most {MAX_MENU_OPTIONS}")
    seen: set[str] = set()
    for option in menu.options:
        yield from _check_option(f"{where}.options.{option.digit}", option, seen, known)
        seen.add(option.digit)
    for name, policy in (("no_input", menu.no_input), ("invalid", menu.invalid)):
        if not 0 <= policy.repeats <= _MAX_REPEATS:
            what = f"repeats {policy.repeats} is out of range"
            yield Problem(f"{where}.{name}", what, f"0 to {_MAX_REPEATS}")
    low, high = _TIMEOUT_RANGE
    if not low <= menu.timeout_seconds <= high:
        what = f"timeout_seconds {menu.timeout_seconds:g} is out of range"
        yield Problem(where, what, f"{low:g} to {high:g} seconds")


def _check_option(
    where: str, option: MenuOption, seen: set[str], known: _Known
) -> Iterator[Problem]:
    if option.digit not in KEYPAD_DIGITS:
        what = f"option key {option.digit!r} is not a keypad digit"
        yield Problem(where, what, f"one of {', '.join(KEYPAD_DIGITS)}")
    elif option.digit in seen:
        yield Problem(
            where, f"digit {option.digit!r} is used more than once", "each digit once per menu"
        )
    if not option.text.strip():
        example = "e.g. 'paspoort, rijbewijs, verhuizen of een uittreksel'"
        yield Problem(
            where, "option has no explanation text", f"a short text in plain Dutch, {example}"
        )
    if option.municipality is not None:
        yield from _check_municipality(where, option.municipality, known)


def _check_message(message: MessageNode, known: _Known) -> Iterator[Problem]:
    where = f"nodes.{message.id}"
    has_text = bool(message.text.strip())
    if message.opening_hours_of is None and not has_text:
        allowed = "a text in plain Dutch, or opening_hours_of: <municipality>"
        yield Problem(where, f"message {message.id!r} has no text", allowed)
    elif message.opening_hours_of is not None:
        if has_text:
            what = "message has both text and opening_hours_of"
            yield Problem(where, what, "one of them: the opening-hours text is generated")
        yield from _check_municipality(where, message.opening_hours_of, known)


def _check_topic(where: str, topic: str, known: _Known) -> Iterator[Problem]:
    if topic not in known.topics:
        what = f"unknown topic {topic!r}" if topic else "queue has no topic"
        yield Problem(where, what, known.allowed(known.topics))


def _check_municipality(where: str, name: str, known: _Known) -> Iterator[Problem]:
    if name not in known.municipalities:
        what = f"unknown municipality {name!r}" if name else "no municipality given"
        yield Problem(where, what, known.allowed(known.municipalities))


def _successors(flow: Flow) -> dict[str, list[str]]:
    return {
        node_id: [e.goto for e in node.exits if e.goto in flow.nodes]
        for node_id, node in flow.nodes.items()
    }


def _reach(start: str, edges: Mapping[str, list[str]]) -> set[str]:
    seen, todo = {start}, [start]
    while todo:
        for nxt in edges[todo.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def _unreachable(flow: Flow) -> Iterator[Problem]:
    """Only the first node of each unreachable region: what follows it is implied."""
    edges = _successors(flow)
    lost = [i for i in flow.nodes if i not in _reach(flow.start, edges)]
    fed = {nxt for i in lost for nxt in edges[i] if nxt != i}
    # Heads of unreachable chains first; then any unreachable cycle not yet covered.
    heads = [i for i in lost if i not in fed] + [i for i in lost if i in fed]
    covered: set[str] = set()
    for node_id in heads:
        if node_id in covered:
            continue
        covered |= _reach(node_id, edges)
        what = f"node {node_id!r} cannot be reached from start node {flow.start!r}"
        yield Problem(f"nodes.{node_id}", what, "only nodes a call can reach")


def _traps(flow: Flow) -> Iterator[Problem]:
    """Loops with no way out; flows are small, so plain reachability sets suffice."""
    edges = _successors(flow)
    reach = {node_id: _reach(node_id, edges) for node_id in flow.nodes}
    terminals = {i for i, n in flow.nodes.items() if n.is_terminal}
    reported: set[frozenset[str]] = set()
    for node_id in flow.nodes:
        if reach[node_id] & terminals:
            continue
        loop = frozenset(m for m in reach[node_id] if node_id in reach[m])
        is_cycle = len(loop) > 1 or node_id in edges[node_id]
        if is_cycle and loop not in reported:
            reported.add(loop)
            yield _trap_problem([i for i in flow.nodes if i in loop])


def _trap_problem(loop: list[str]) -> Problem:
    names = ", ".join(repr(i) for i in loop)
    what = (
        f"node {names} goes only to itself, so the caller cannot leave"
        if len(loop) == 1
        else f"nodes {names} form a loop the caller cannot leave"
    )
    return Problem(f"nodes.{loop[0]}", what, "every loop has a way out to a queue or a hangup")
