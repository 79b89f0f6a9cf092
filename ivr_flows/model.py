"""Typed, frozen objects for a declarative IVR flow.

A flow file is parsed once (see ``ivr_flows.loader``) into these objects; the IVR
engine only ever sees them, never raw YAML. Each node kind has its own class, so the
engine can ``match`` on the node type, and every node lists its ``exits`` (field name
and target node id) so the validator and the engine read the graph the same way.

A node is *terminal* when the call leaves the flow there: a queue node (the caller
waits for an agent) or a message node that hangs up after playing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import ClassVar

# Keypad order as a caller sees it: 1..9, then 0.
KEYPAD_DIGITS: tuple[str, ...] = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "0")
MAX_MENU_OPTIONS = 5

DEFAULT_INVALID_TEXT = "Deze keuze is niet geldig."
DEFAULT_NO_INPUT_TEXT = "U heeft geen keuze gemaakt."


class NodeKind(StrEnum):
    """The ``kind:`` values a flow file may use."""

    MENU = "menu"
    QUEUE = "queue"
    MESSAGE = "message"
    HOURS_CHECK = "hours_check"
    CALAMITY = "calamity"


@dataclass(frozen=True, slots=True)
class Exit:
    """One edge out of a node: the field it comes from and the node it leads to."""

    field: str
    goto: str


@dataclass(frozen=True, slots=True)
class InputPolicy:
    """What a menu does on no input or an invalid digit.

    The menu is replayed ``repeats`` times (after the no-input or invalid-choice text),
    then the call goes to ``goto`` - by default the flow's general queue.
    """

    goto: str
    repeats: int = 1


@dataclass(frozen=True, slots=True)
class MenuOption:
    """A keypad choice. ``text`` explains it in plain Dutch, without the 'Kies 1 voor'."""

    digit: str
    text: str
    goto: str
    municipality: str | None = None  # recorded on the call when chosen


@dataclass(frozen=True, slots=True)
class MenuNode:
    """A keypad menu of at most five options.

    ``enabled`` lets the contact centre switch a topic menu off once every agent
    handles every topic; the engine then sends callers to the flow's general queue.
    """

    kind: ClassVar[NodeKind] = NodeKind.MENU
    id: str
    prompt: str
    options: tuple[MenuOption, ...]
    no_input: InputPolicy
    invalid: InputPolicy
    timeout_seconds: float = 5.0
    enabled: bool = True

    def option(self, digit: str) -> MenuOption | None:
        """The option for a pressed digit, or None for an invalid choice."""
        return next((o for o in self.options if o.digit == digit), None)

    @property
    def spoken_text(self) -> str:
        """Prompt plus 'Kies 1 voor ...' per option, in keypad order."""
        ordered = sorted(self.options, key=lambda o: _keypad_rank(o.digit))
        choices = [f"Kies {o.digit} voor {o.text.strip().rstrip('.')}." for o in ordered]
        return " ".join([self.prompt.strip(), *choices])

    @property
    def exits(self) -> tuple[Exit, ...]:
        by_digit = tuple(Exit(f"options.{o.digit}", o.goto) for o in self.options)
        return (*by_digit, Exit("no_input", self.no_input.goto), Exit("invalid", self.invalid.goto))

    @property
    def is_terminal(self) -> bool:
        return False


@dataclass(frozen=True, slots=True)
class QueueNode:
    """Puts the caller in the queue for a topic; the call leaves the flow here."""

    kind: ClassVar[NodeKind] = NodeKind.QUEUE
    id: str
    topic: str

    @property
    def exits(self) -> tuple[Exit, ...]:
        return ()

    @property
    def is_terminal(self) -> bool:
        return True


@dataclass(frozen=True, slots=True)
class MessageNode:
    """Plays a text, then goes to ``goto`` or hangs up when ``goto`` is None.

    ``opening_hours_of`` names a municipality whose generated opening-hours text is
    played instead of ``text`` (the closed message), so the hours live in one place.
    """

    kind: ClassVar[NodeKind] = NodeKind.MESSAGE
    id: str
    text: str
    goto: str | None
    opening_hours_of: str | None = None

    @property
    def exits(self) -> tuple[Exit, ...]:
        return () if self.goto is None else (Exit("goto", self.goto),)

    @property
    def is_terminal(self) -> bool:
        return self.goto is None


@dataclass(frozen=True, slots=True)
class HoursCheckNode:
    """Branches on whether ``municipality``'s contact centre is open right now."""

    kind: ClassVar[NodeKind] = NodeKind.HOURS_CHECK
    id: str
    municipality: str
    open_goto: str
    closed_goto: str

    @property
    def exits(self) -> tuple[Exit, ...]:
        return (Exit("open", self.open_goto), Exit("closed", self.closed_goto))

    @property
    def is_terminal(self) -> bool:
        return False


@dataclass(frozen=True, slots=True)
class CalamityNode:
    """Hook point: plays the live calamity message if one is switched on, then goes on."""

    kind: ClassVar[NodeKind] = NodeKind.CALAMITY
    id: str
    goto: str

    @property
    def exits(self) -> tuple[Exit, ...]:
        return (Exit("goto", self.goto),)

    @property
    def is_terminal(self) -> bool:
        return False


Node = MenuNode | QueueNode | MessageNode | HoursCheckNode | CalamityNode


@dataclass(frozen=True, slots=True)
class Flow:
    """A whole IVR flow: named nodes, where calls start, and the general queue.

    ``general_queue`` is the queue node callers reach on no input, an invalid choice
    or a switched-off menu, unless a menu names another escape.
    """

    name: str
    start: str
    general_queue: str
    nodes: Mapping[str, Node]
    invalid_text: str = DEFAULT_INVALID_TEXT
    no_input_text: str = DEFAULT_NO_INPUT_TEXT
    source: str = field(default="<memory>", compare=False)

    def __post_init__(self) -> None:
        # A read-only view so a loaded flow cannot be changed behind the engine's back.
        object.__setattr__(self, "nodes", MappingProxyType(dict(self.nodes)))

    def node(self, node_id: str) -> Node:
        """The node with this id; KeyError names the flow file when it does not exist."""
        try:
            return self.nodes[node_id]
        except KeyError:
            raise KeyError(f"{self.source}: no node {node_id!r} in flow {self.name!r}") from None

    @property
    def start_node(self) -> Node:
        return self.node(self.start)


def _keypad_rank(digit: str) -> int:
    return KEYPAD_DIGITS.index(digit) if digit in KEYPAD_DIGITS else len(KEYPAD_DIGITS)
