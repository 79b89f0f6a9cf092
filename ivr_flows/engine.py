"""The IVR engine: walks a loaded ``Flow`` for one call, without doing any I/O.

Theory of operation
-------------------
One ``IvrEngine`` per call. The adapter (``ivr_flows.runner``) feeds it inputs -
``Start``, then ``PlayFinished`` after each ``Play`` and ``DigitCollected`` after each
``CollectDigit`` - and carries out the effects that ``feed`` returns, in order. Every
batch of effects ends with exactly one effect the adapter must wait on (``Play``,
``CollectDigit``) or a terminal one (``EnterQueue``, ``HangUp``).

The engine asks nothing of the world while it decides. What is fixed for the call
comes in at construction: the flow, and each municipality's opening hours. What
changes comes with every input (``ivr_flows.inputs``): the moment it happened (``at``)
and the live switches then in force (the calamity message, the topic menu switch).
Nodes that need no caller (hours checks, a calamity hook with no message on, a
switched-off menu) are passed through inside one ``feed``, decided on that input's
moment and switches; every step recorded in that ``feed`` carries the input's ``at``.

Menus: the prompt plays with barge-in, so a digit pressed during it is handled exactly
like one collected after it. No input or an invalid digit (``*``, ``#`` and unknown
digits alike) replays the menu after a short text, ``InputPolicy.repeats`` times, then
goes to the policy's ``goto``; nobody is hung up on for pressing nothing.

The states are an Enum; ``_TRANSITIONS`` lists for each (state, input type) the
handler and the states it may lead to. Any other input raises ``IvrStateError``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import TypeVar

from contract.vocabulary import IvrOutcome
from ivr_flows.hours import MunicipalityHours
from ivr_flows.inputs import DigitCollected, IvrInput, LiveSwitches, PlayFinished, Start
from ivr_flows.model import (
    KEYPAD_DIGITS,
    CalamityNode,
    Flow,
    HoursCheckNode,
    InputPolicy,
    MenuNode,
    MessageNode,
    Node,
    QueueNode,
)
from ivr_flows.prompts import INVALID_CHOICE_ID, NO_INPUT_ID

DEFAULT_MAX_NODES = 50

_N = TypeVar("_N", MessageNode, CalamityNode, MenuNode)


class IvrStateError(RuntimeError):
    """An input arrived that the engine's current state does not accept."""


# The words of ``call.ivr_step``'s outcome live once, in the event contract; the engine
# calls them step outcomes: ``ivr_flows.IvrResult`` is how a whole run ended.
StepOutcome = IvrOutcome


# --- effects ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Play:
    """Play a prompt; with ``barge_in`` a keypad digit stops it and counts as a choice."""

    prompt_id: str
    barge_in: bool


@dataclass(frozen=True, slots=True)
class CollectDigit:
    """Wait up to ``timeout_s`` for one keypad digit."""

    timeout_s: float


@dataclass(frozen=True, slots=True)
class RecordStep:
    """One IVR step to report as a ``call.ivr_step`` event."""

    node: str
    digit: str | None
    outcome: StepOutcome
    at: datetime


@dataclass(frozen=True, slots=True)
class ChooseMunicipality:
    """The caller chose the municipality they are calling about."""

    municipality_id: str


@dataclass(frozen=True, slots=True)
class EnterQueue:
    """Terminal: the caller leaves the IVR into the queue of ``topic``."""

    topic: str
    municipality: str | None


@dataclass(frozen=True, slots=True)
class HangUp:
    """Terminal: the flow ended on a message that hangs up (the closed message)."""

    reason: str


Effect = Play | CollectDigit | RecordStep | ChooseMunicipality | EnterQueue | HangUp


@dataclass(slots=True)
class _Batch:
    """One ``feed`` in progress: its input's moment and switches, the effects so far."""

    at: datetime
    switches: LiveSwitches
    effects: list[Effect] = field(default_factory=list)

    def add(self, effect: Effect) -> None:
        self.effects.append(effect)


class IvrState(Enum):
    IDLE = "idle"
    PLAYING_MESSAGE = "playing-message"
    PLAYING_CALAMITY = "playing-calamity"
    PLAYING_MENU = "playing-menu"
    COLLECTING_DIGIT = "collecting-digit"
    PLAYING_FEEDBACK = "playing-feedback"  # the invalid-choice or no-input text
    DONE = "done"


class IvrEngine:
    """The state machine for one call through one flow.

    ``opening`` holds the opening hours of every municipality an hours check of the
    flow names, by municipality id.
    """

    def __init__(
        self,
        flow: Flow,
        *,
        opening: Mapping[str, MunicipalityHours],
        max_nodes: int = DEFAULT_MAX_NODES,
    ) -> None:
        general = flow.node(flow.general_queue)
        if not isinstance(general, QueueNode):
            raise ValueError(
                f"{flow.source}: general_queue {flow.general_queue!r} is a "
                f"{general.kind.value} node; allowed: the id of a queue node"
            )
        if max_nodes < 1:
            raise ValueError(f"max_nodes={max_nodes}; allowed: 1 or more")
        self._opening = _opening_for(flow, opening)
        self._flow, self._max_nodes = flow, max_nodes
        self._general_topic = general.topic
        self._state = IvrState.IDLE
        self._node: Node = general
        self._visited = 0
        self._municipality: str | None = None
        self._no_inputs = 0
        self._invalids = 0

    @property
    def state(self) -> IvrState:
        return self._state

    @property
    def municipality(self) -> str | None:
        return self._municipality

    def feed(self, event: IvrInput) -> tuple[Effect, ...]:
        """Apply one input; the effects to carry out, in order."""
        transition = _TRANSITIONS.get((self._state, type(event)))
        if transition is None:
            raise IvrStateError(
                f"{type(event).__name__} is not accepted in state {self._state.value}"
            )
        handler, allowed = transition
        batch = _Batch(event.at, event.switches)
        # An empty string from a channel means nothing was pressed, like None.
        digit = None if isinstance(event, Start) else event.digit or None
        handler(self, digit, batch)
        if self._state not in allowed:  # a bug in this module, not in the caller's input
            raise IvrStateError(f"handler left the engine in {self._state.value}")
        return tuple(batch.effects)

    # --- handlers (see _TRANSITIONS) --------------------------------------------------

    def _on_start(self, _digit: str | None, batch: _Batch) -> None:
        self._enter(self._flow.start, batch)

    def _on_message_played(self, _digit: str | None, batch: _Batch) -> None:
        node = self._current(MessageNode)
        self._record(node.id, None, StepOutcome.PLAYED, batch)
        if node.goto is None:
            self._finish(HangUp("closed"), batch)
        else:
            self._enter(node.goto, batch)

    def _on_calamity_played(self, _digit: str | None, batch: _Batch) -> None:
        node = self._current(CalamityNode)
        self._record(node.id, None, StepOutcome.CALAMITY, batch)
        self._enter(node.goto, batch)

    def _on_menu_played(self, digit: str | None, batch: _Batch) -> None:
        if digit is not None:  # barge-in: the same as a digit collected afterwards
            self._on_digit(digit, batch)
            return
        batch.add(CollectDigit(self._current(MenuNode).timeout_seconds))
        self._state = IvrState.COLLECTING_DIGIT

    def _on_digit_collected(self, digit: str | None, batch: _Batch) -> None:
        if digit is None:
            self._on_no_input(batch)
        else:
            self._on_digit(digit, batch)

    def _on_feedback_played(self, _digit: str | None, batch: _Batch) -> None:
        # The feedback text plays without barge-in, so there is no digit to handle.
        self._play_menu(self._current(MenuNode), batch)

    # --- menus ------------------------------------------------------------------------

    def _on_digit(self, digit: str, batch: _Batch) -> None:
        menu = self._current(MenuNode)
        option = menu.option(digit) if digit in KEYPAD_DIGITS else None
        if option is None:
            self._record(menu.id, digit, StepOutcome.INVALID, batch)
            self._invalids += 1
            self._retry_or_escape(self._invalids, menu.invalid, INVALID_CHOICE_ID, batch)
            return
        self._record(menu.id, digit, StepOutcome.CHOSEN, batch)
        if option.municipality is not None:
            self._municipality = option.municipality
            batch.add(ChooseMunicipality(option.municipality))
        self._enter(option.goto, batch)

    def _on_no_input(self, batch: _Batch) -> None:
        menu = self._current(MenuNode)
        self._record(menu.id, None, StepOutcome.NO_INPUT, batch)
        self._no_inputs += 1
        self._retry_or_escape(self._no_inputs, menu.no_input, NO_INPUT_ID, batch)

    def _retry_or_escape(
        self, tries: int, policy: InputPolicy, text_id: str, batch: _Batch
    ) -> None:
        """Say what went wrong and replay the menu, or give up after ``policy.repeats``."""
        if tries > policy.repeats:
            self._enter(policy.goto, batch)
            return
        batch.add(Play(text_id, barge_in=False))
        self._state = IvrState.PLAYING_FEEDBACK

    def _play_menu(self, menu: MenuNode, batch: _Batch) -> None:
        batch.add(Play(menu.id, barge_in=True))
        self._state = IvrState.PLAYING_MENU

    def _menu_is_off(self, menu: MenuNode, switches: LiveSwitches) -> bool:
        if not menu.enabled:
            return True
        offers_topics = any(
            isinstance(self._flow.nodes.get(o.goto), QueueNode) for o in menu.options
        )
        return offers_topics and not switches.topic_menu_enabled

    # --- walking the graph ------------------------------------------------------------

    def _enter(self, node_id: str, batch: _Batch) -> None:
        """Walk from ``node_id`` through pass-through nodes until one needs the channel."""
        next_id: str | None = node_id
        while next_id is not None:
            self._visited += 1
            if self._visited > self._max_nodes:
                self._record(next_id, None, StepOutcome.LOOP_GUARD, batch)
                self._finish(EnterQueue(self._general_topic, self._municipality), batch)
                return
            self._node = self._flow.node(next_id)
            next_id = self._visit(self._node, batch)

    def _visit(self, node: Node, batch: _Batch) -> str | None:
        """Start ``node``; the next node's id when it passes straight through."""
        match node:
            case QueueNode():
                self._finish(EnterQueue(node.topic, self._municipality), batch)
            case MessageNode():
                batch.add(Play(node.id, barge_in=False))
                self._state = IvrState.PLAYING_MESSAGE
            case HoursCheckNode():
                if self._opening[node.municipality].is_open(batch.at):
                    return node.open_goto
                self._record(node.id, None, StepOutcome.CLOSED, batch)
                return node.closed_goto
            case CalamityNode():
                prompt_id = batch.switches.calamity_prompt
                if prompt_id is None:
                    return node.goto
                batch.add(Play(prompt_id, barge_in=False))
                self._state = IvrState.PLAYING_CALAMITY
            case MenuNode():
                if self._menu_is_off(node, batch.switches):
                    self._record(node.id, None, StepOutcome.MENU_OFF, batch)
                    return self._flow.general_queue
                self._no_inputs = self._invalids = 0
                self._play_menu(node, batch)
        return None

    def _finish(self, effect: EnterQueue | HangUp, batch: _Batch) -> None:
        batch.add(effect)
        self._state = IvrState.DONE

    def _record(self, node_id: str, digit: str | None, outcome: StepOutcome, batch: _Batch) -> None:
        batch.add(RecordStep(node_id, digit, outcome, batch.at))

    def _current(self, kind: type[_N]) -> _N:
        if not isinstance(self._node, kind):  # the transition table makes this impossible
            raise IvrStateError(f"node {self._node.id!r} is not a {kind.__name__}")
        return self._node


def _opening_for(
    flow: Flow, opening: Mapping[str, MunicipalityHours]
) -> Mapping[str, MunicipalityHours]:
    """A copy of ``opening``, refused when an hours check names a municipality it lacks."""
    for node in flow.nodes.values():
        if isinstance(node, HoursCheckNode) and node.municipality not in opening:
            raise ValueError(
                f"{flow.source}: hours check {node.id!r} names municipality "
                f"{node.municipality!r}, which has no opening hours; allowed: "
                f"{', '.join(sorted(opening)) or 'none given'}"
            )
    return dict(opening)


_Handler = Callable[[IvrEngine, str | None, _Batch], None]
# What a node walk can end in: a prompt to play, or leaving the IVR.
_AFTER_WALK = frozenset(
    {IvrState.PLAYING_MESSAGE, IvrState.PLAYING_CALAMITY, IvrState.PLAYING_MENU, IvrState.DONE}
)
_AFTER_MENU_INPUT = _AFTER_WALK | {IvrState.PLAYING_FEEDBACK}

_TRANSITIONS: Mapping[tuple[IvrState, type[IvrInput]], tuple[_Handler, frozenset[IvrState]]] = {
    (IvrState.IDLE, Start): (IvrEngine._on_start, _AFTER_WALK),
    (IvrState.PLAYING_MESSAGE, PlayFinished): (IvrEngine._on_message_played, _AFTER_WALK),
    (IvrState.PLAYING_CALAMITY, PlayFinished): (IvrEngine._on_calamity_played, _AFTER_WALK),
    (IvrState.PLAYING_MENU, PlayFinished): (
        IvrEngine._on_menu_played,
        _AFTER_MENU_INPUT | {IvrState.COLLECTING_DIGIT},
    ),
    (IvrState.COLLECTING_DIGIT, DigitCollected): (
        IvrEngine._on_digit_collected,
        _AFTER_MENU_INPUT,
    ),
    (IvrState.PLAYING_FEEDBACK, PlayFinished): (
        IvrEngine._on_feedback_played,
        frozenset({IvrState.PLAYING_MENU}),
    ),
}
