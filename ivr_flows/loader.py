"""Loads a flow file into a validated, frozen ``Flow`` - or fails naming every problem.

Theory of operation: the YAML is read with literal-text keys (``raw_yaml``), then each
node is turned into its typed class here. This module only checks *shape*: types,
missing and unknown fields, repeated keys, unknown kinds. Everything about meaning
(texts present, digits, topics, gotos, reachability, loops) is ``validate``'s job and
runs on the typed model, so a flow built in Python gets the same checks.

Reachability and loop checks are skipped while shape problems remain, because a node
that could not be read would make its successors look unreachable.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from collections.abc import Set as AbstractSet
from pathlib import Path

import yaml

from ivr_flows.errors import FlowError, Problem
from ivr_flows.model import (
    DEFAULT_INVALID_TEXT,
    DEFAULT_NO_INPUT_TEXT,
    CalamityNode,
    Flow,
    HoursCheckNode,
    InputPolicy,
    MenuNode,
    MenuOption,
    MessageNode,
    Node,
    NodeKind,
    QueueNode,
)
from ivr_flows.raw_yaml import RawMapping, parse_yaml
from ivr_flows.validate import validate_flow

_TOP_FIELDS = ("name", "start", "general_queue", "texts", "nodes")
_NODE_REF = "the id of a node in this flow"
_LARGEST_FLOAT = int(sys.float_info.max)


class _Fields:
    """Typed access to one YAML mapping, recording a Problem for each bad field."""

    def __init__(self, raw: RawMapping, where: str, problems: list[Problem]) -> None:
        self.raw, self.where, self.problems = raw, where, problems

    def add(self, what: str, allowed: str, where: str | None = None) -> None:
        self.problems.append(Problem(where or self.where, what, allowed))

    def only(self, *allowed: str) -> None:
        for key in self.raw:
            if key not in allowed:
                self.add(f"unknown field {key!r}", ", ".join(allowed))
        for key in self.raw.repeated:
            self.add(f"field {key!r} is given more than once", "each field once")

    def text(self, name: str) -> str:
        """Missing text reads as '' so that validate reports all blank texts alike."""
        value = self.raw.get(name)
        if value is None or isinstance(value, str):
            return value or ""
        self.add(f"field {name!r} is {_describe(value)}", "text in quotes or plain words")
        return ""

    def optional_text(self, name: str) -> str | None:
        return self.text(name) if name in self.raw else None

    def ref(self, name: str) -> str:
        if name not in self.raw:
            self.add(f"missing field {name!r}", _NODE_REF)
            return ""
        value = self.raw[name]
        if not isinstance(value, str):
            self.add(f"field {name!r} is {_describe(value)}", _NODE_REF)
            return ""
        return value

    def flag(self, name: str, default: bool) -> bool:
        value = self.raw.get(name, default)
        if isinstance(value, bool):
            return value
        self.add(f"field {name!r} is {_describe(value)}", "true or false")
        return default

    def number(self, name: str, default: float) -> float:
        value = self.raw.get(name, default)
        if isinstance(value, int | float) and not isinstance(value, bool):
            if isinstance(value, int) and abs(value) > _LARGEST_FLOAT:  # float() would overflow
                self.add(f"field {name!r} is {_describe(value)}, too large", "a number")
                return default
            return float(value)
        self.add(f"field {name!r} is {_describe(value)}", "a number")
        return default

    def integer(self, name: str, default: int) -> int:
        value = self.raw.get(name, default)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        self.add(f"field {name!r} is {_describe(value)}", "a whole number")
        return default

    def mapping(self, name: str, where: str) -> RawMapping | None:
        value = self.raw.get(name)
        if value is None or isinstance(value, RawMapping):
            return value
        self.add(f"field {name!r} is {_describe(value)}", "a mapping", where)
        return None


def load_flow(
    path: str | Path, *, known_topics: AbstractSet[str], known_municipalities: AbstractSet[str]
) -> Flow:
    """Read, parse and validate a flow file; raises FlowError listing every problem."""
    source = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        problem = Problem("file", f"cannot read it ({exc})", "a UTF-8 YAML file")
        raise FlowError(source, [problem]) from exc
    return parse_flow_text(
        text, source=source, known_topics=known_topics, known_municipalities=known_municipalities
    )


def parse_flow_text(
    text: str,
    *,
    source: str,
    known_topics: AbstractSet[str],
    known_municipalities: AbstractSet[str],
) -> Flow:
    """Like ``load_flow`` for YAML text already in memory; ``source`` names it in errors."""
    problems: list[Problem] = []
    try:
        raw = parse_yaml(text)
    except yaml.YAMLError as exc:
        raise FlowError(source, [_yaml_problem(exc)]) from None
    if not isinstance(raw, RawMapping):
        what = "the file is empty" if raw is None else f"the file holds {_describe(raw)}"
        raise FlowError(source, [Problem("file", what, "a mapping with start and nodes")])
    flow, unreadable = _build_flow(raw, source, problems)
    problems += validate_flow(
        flow,
        known_topics=known_topics,
        known_municipalities=known_municipalities,
        unreadable_nodes=unreadable,
        check_graph=not problems,
    )
    if problems:
        raise FlowError(source, problems)
    return flow


def _build_flow(
    raw: RawMapping, source: str, problems: list[Problem]
) -> tuple[Flow, frozenset[str]]:
    top = _Fields(raw, "flow", problems)
    top.only(*_TOP_FIELDS)
    general = top.ref("general_queue")
    texts = top.mapping("texts", "texts") or RawMapping()
    text_fields = _Fields(texts, "texts", problems)
    text_fields.only("invalid", "no_input")
    nodes, unreadable = _build_nodes(top.mapping("nodes", "nodes"), general, problems)
    flow = Flow(
        name=top.optional_text("name") or Path(source).stem,
        start=top.ref("start"),
        general_queue=general,
        nodes=nodes,
        invalid_text=text_fields.optional_text("invalid") or DEFAULT_INVALID_TEXT,
        no_input_text=text_fields.optional_text("no_input") or DEFAULT_NO_INPUT_TEXT,
        source=source,
    )
    return flow, unreadable


def _build_nodes(
    raw: RawMapping | None, general_queue: str, problems: list[Problem]
) -> tuple[dict[str, Node], frozenset[str]]:
    if not raw:
        problems.append(Problem("nodes", "the flow has no nodes", "a mapping of node id to node"))
        return {}, frozenset()
    for node_id in raw.repeated:
        what = f"node id {node_id!r} is defined more than once"
        problems.append(Problem(f"nodes.{node_id}", what, "each node id once"))
    nodes: dict[str, Node] = {}
    for node_id, body in raw.items():
        node = _build_node(node_id, body, general_queue, problems)
        if node is not None:
            nodes[node_id] = node
    return nodes, frozenset(raw) - frozenset(nodes)


def _build_node(
    node_id: str, body: object, general_queue: str, problems: list[Problem]
) -> Node | None:
    where = f"nodes.{node_id}"
    kinds = ", ".join(k.value for k in NodeKind)
    if not isinstance(body, RawMapping):
        problems.append(
            Problem(where, f"the node is {_describe(body)}", f"a mapping with kind: {kinds}")
        )
        return None
    kind = body.get("kind")
    builder = _BUILDERS.get(str(kind)) if isinstance(kind, str) else None
    if builder is None:
        what = "missing field 'kind'" if kind is None else f"unknown kind {kind!r}"
        problems.append(Problem(where, what, kinds))
        return None
    return builder(node_id, _Fields(body, where, problems), general_queue)


def _menu(node_id: str, f: _Fields, general_queue: str) -> MenuNode:
    f.only("kind", "prompt", "options", "no_input", "invalid", "timeout_seconds", "enabled")
    return MenuNode(
        id=node_id,
        prompt=f.text("prompt"),
        options=_options(f),
        no_input=_policy(f, "no_input", general_queue),
        invalid=_policy(f, "invalid", general_queue),
        timeout_seconds=f.number("timeout_seconds", 5.0),
        enabled=f.flag("enabled", True),
    )


def _options(f: _Fields) -> tuple[MenuOption, ...]:
    raw = f.mapping("options", f"{f.where}.options")
    if raw is None:
        return ()
    for digit in raw.repeated:
        f.add(
            f"digit {digit!r} is used more than once",
            "each digit once per menu",
            f"{f.where}.options.{digit}",
        )
    options = []
    for digit, body in raw.items():
        where = f"{f.where}.options.{digit}"
        if not isinstance(body, RawMapping):
            f.add(f"the option is {_describe(body)}", "a mapping with text and goto", where)
            continue
        o = _Fields(body, where, f.problems)
        o.only("text", "goto", "municipality")
        municipality = o.optional_text("municipality")
        options.append(MenuOption(digit, o.text("text"), o.ref("goto"), municipality))
    return tuple(options)


def _policy(f: _Fields, name: str, general_queue: str) -> InputPolicy:
    raw = f.mapping(name, f"{f.where}.{name}")
    if raw is None:
        return InputPolicy(goto=general_queue)
    p = _Fields(raw, f"{f.where}.{name}", f.problems)
    p.only("repeats", "goto")
    goto = p.ref("goto") if "goto" in raw else general_queue
    return InputPolicy(goto=goto, repeats=p.integer("repeats", 1))


def _queue(node_id: str, f: _Fields, _general_queue: str) -> QueueNode:
    f.only("kind", "topic")
    return QueueNode(id=node_id, topic=f.text("topic"))


def _message(node_id: str, f: _Fields, _general_queue: str) -> MessageNode:
    f.only("kind", "text", "opening_hours_of", "goto", "hangup")
    hangup, has_goto = f.flag("hangup", False), "goto" in f.raw
    if hangup == has_goto:
        f.add("a message needs either goto or hangup: true", "exactly one of goto, hangup: true")
    return MessageNode(
        id=node_id,
        text=f.text("text"),
        goto=f.ref("goto") if has_goto and not hangup else None,
        opening_hours_of=f.optional_text("opening_hours_of"),
    )


def _hours_check(node_id: str, f: _Fields, _general_queue: str) -> HoursCheckNode:
    f.only("kind", "municipality", "open", "closed")
    return HoursCheckNode(
        id=node_id,
        municipality=f.text("municipality"),
        open_goto=f.ref("open"),
        closed_goto=f.ref("closed"),
    )


def _calamity(node_id: str, f: _Fields, _general_queue: str) -> CalamityNode:
    f.only("kind", "goto")
    return CalamityNode(id=node_id, goto=f.ref("goto"))


_BUILDERS: dict[str, Callable[[str, _Fields, str], Node]] = {
    NodeKind.MENU: _menu,
    NodeKind.QUEUE: _queue,
    NodeKind.MESSAGE: _message,
    NodeKind.HOURS_CHECK: _hours_check,
    NodeKind.CALAMITY: _calamity,
}


def _describe(value: object) -> str:
    if value is None:
        return "empty"
    if isinstance(value, RawMapping):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return f"{type(value).__name__} {value!r}"


def _yaml_problem(exc: yaml.YAMLError) -> Problem:
    mark = getattr(exc, "problem_mark", None)
    where = f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else "file"
    what = str(getattr(exc, "problem", None) or exc).strip()
    return Problem(where, f"YAML syntax error: {what}", "valid YAML")
