"""The IVR engine: walks a loaded ``Flow`` for one call, without doing any I/O.

Theory of operation
-------------------
One ``IvrEngine`` per call. The adapter (``ivr_flows.runner``) feeds it inputs -
``Start()``, then ``PlayFinished`` after each ``Play`` and ``DigitCollected`` after each
``CollectDigit`` - and carries out the effects that ``feed`` returns, in order. Every
batch of effects ends with exactly one effect the adapter must wait on (``Play``,
``CollectDigit``) or a terminal one (``EnterQueue``, ``HangUp``).

Nodes that need no caller (hours checks, a calamity hook with no message on, a
switched-off menu) are passed through inside one ``feed``; the live switches and the
clock are asked through ``IvrContext`` at the moment the call reaches the node.

Menus: the prompt plays with barge-in, so a digit pressed during it is handled exactly
like one collected after it. No input or an invalid digit (``*``, ``#`` and unknown
digits alike) replays the menu after a short text, ``InputPolicy.repeats`` times, then
goes to the policy's ``goto``; nobody is hung up on for pressing nothing.

The states are an Enum; ``_TRANSITIONS`` lists for each (state, input type) the
handler and the states it may lead to. Any other input raises ``IvrStateError``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import TypeVar

from contract.vocabulary import IvrOutcome
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
# calls them step outcomes because ``ivr_flows.IvrOutcome`` is how a whole run ended.
StepOutcome = IvrOutcome


# --- inputs -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Start:
    """The call has reached the IVR."""


@dataclass(frozen=True, slots=True)
class PlayFinished:
    """The last ``Play`` ended; ``digit`` is the key that interrupted it, if any."""

    digit: str | None = None


@dataclass(frozen=True, slots=True)
class DigitCollected:
    """The wait after a menu prompt ended; ``digit`` None means the timeout passed."""

    digit: str | None = None


IvrInput = Start | PlayFinished | DigitCollected


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


@dataclass(frozen=True, slots=True, kw_only=True)
class IvrContext:
    """What the engine asks the outside world, at the moment a call needs it."""

    now: Callable[[], datetime]
    is_open: Callable[[str, datetime], bool]  # (municipality id, moment)
    calamity_prompt: Callable[[], str | None]  # prompt id while switched on, else None
    topic_menu_enabled: Callable[[], bool]


class IvrState(Enum):
    IDLE = "idle"
    PLAYING_MESSAGE = "playing-message"
    PLAYING_CALAMITY = "playing-calamity"
    PLAYING_MENU = "playing-menu"
    COLLECTING_DIGIT = "collecting-digit"
    PLAYING_FEEDBACK = "playing-feedback"  # the invalid-choice or no-input text
    DONE = "done"


class IvrEngine:
    """The state machine for one call through one flow."""

    def __init__(
        self, flow: Flow, context: IvrContext, *, max_nodes: int = DEFAULT_MAX_NODES
    ) -> None:
        general = flow.node(flow.general_queue)
        if not isinstance(general, QueueNode):
            raise ValueError(
                f"{flow.source}: general_queue {flow.general_queue!r} is a "
                f"{general.kind.value} node; allowed: the id of a queue node"
            )
        if max_nodes < 1:
            raise ValueError(f"max_nodes={max_nodes}; allowed: 1 or more")
        self._flow, self._context, self._max_nodes = flow, context, max_nodes
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
        effects: list[Effect] = []
        # An empty string from a channel means nothing was pressed, like None.
        digit = None if isinstance(event, Start) else event.digit or None
        handler(self, digit, effects)
        if self._state not in allowed:  # a bug in this module, not in the caller's input
            raise IvrStateError(f"handler left the engine in {self._state.value}")
        return tuple(effects)

    # --- handlers (see _TRANSITIONS) --------------------------------------------------

    def _on_start(self, _digit: str | None, effects: list[Effect]) -> None:
        self._enter(self._flow.start, effects)

    def _on_message_played(self, _digit: str | None, effects: list[Effect]) -> None:
        node = self._current(MessageNode)
        self._record(node.id, None, StepOutcome.PLAYED, effects)
        if node.goto is None:
            self._finish(HangUp("closed"), effects)
        else:
            self._enter(node.goto, effects)

    def _on_calamity_played(self, _digit: str | None, effects: list[Effect]) -> None:
        node = self._current(CalamityNode)
        self._record(node.id, None, StepOutcome.CALAMITY, effects)
        self._enter(node.goto, effects)

    def _on_menu_played(self, digit: str | None, effects: list[Effect]) -> None:
        if digit is not None:  # barge-in: the same as a digit collected afterwards
            self._on_digit(digit, effects)
            return
        effects.append(CollectDigit(self._current(MenuNode).timeout_seconds))
        self._state = IvrState.COLLECTING_DIGIT

    def _on_digit_collected(self, digit: str | None, effects: list[Effect]) -> None:
        if digit is None:
            self._on_no_input(effects)
        else:
            self._on_digit(digit, effects)

    def _on_feedback_played(self, _digit: str | None, effects: list[Effect]) -> None:
        # The feedback text plays without barge-in, so there is no digit to handle.
        self._play_menu(self._current(MenuNode), effects)

    # --- menus ------------------------------------------------------------------------

    def _on_digit(self, digit: str, effects: list[Effect]) -> None:
        menu = self._current(MenuNode)
        option = menu.option(digit) if digit in KEYPAD_DIGITS else None
        if option is None:
            self._record(menu.id, digit, StepOutcome.INVALID, effects)
            self._invalids += 1
            self._retry_or_escape(self._invalids, menu.invalid, INVALID_CHOICE_ID, effects)
            return
        self._record(menu.id, digit, StepOutcome.CHOSEN, effects)
        if option.municipality is not None:
            self._municipality = option.municipality
            effects.append(ChooseMunicipality(option.municipality))
        self._enter(option.goto, effects)

    def _on_no_input(self, effects: list[Effect]) -> None:
        menu = self._current(MenuNode)
        self._record(menu.id, None, StepOutcome.NO_INPUT, effects)
        self._no_inputs += 1
        self._retry_or_escape(self._no_inputs, menu.no_input, NO_INPUT_ID, effects)

    def _retry_or_escape(
        self, tries: int, policy: InputPolicy, text_id: str, effects: list[Effect]
    ) -> None:
        """Say what went wrong and replay the menu, or give up after ``policy.repeats``."""
        if tries > policy.repeats:
            self._enter(policy.goto, effects)
            return
        effects.append(Play(text_id, barge_in=False))
        self._state = IvrState.PLAYING_FEEDBACK

    def _play_menu(self, menu: MenuNode, effects: list[Effect]) -> None:
        effects.append(Play(menu.id, barge_in=True))
        self._state = IvrState.PLAYING_MENU

    def _menu_is_off(self, menu: MenuNode) -> bool:
        if not menu.enabled:
            return True
        offers_topics = any(
            isinstance(self._flow.nodes.get(o.goto), QueueNode) for o in menu.options
        )
        return offers_topics and not self._context.topic_menu_enabled()

    # --- walking the graph ------------------------------------------------------------

    def _enter(self, node_id: str, effects: list[Effect]) -> None:
        """Walk from ``node_id`` through pass-through nodes until one needs the channel."""
        next_id: str | None = node_id
        while next_id is not None:
            self._visited += 1
            if self._visited > self._max_nodes:
                self._record(next_id, None, StepOutcome.LOOP_GUARD, effects)
                self._finish(EnterQueue(self._general_topic, self._municipality), effects)
                return
            self._node = self._flow.node(next_id)
            next_id = self._visit(self._node, effects)

    def _visit(self, node: Node, effects: list[Effect]) -> str | None:
        """Start ``node``; the next node's id when it passes straight through."""
        match node:
            case QueueNode():
                self._finish(EnterQueue(node.topic, self._municipality), effects)
            case MessageNode():
                effects.append(Play(node.id, barge_in=False))
                self._state = IvrState.PLAYING_MESSAGE
            case HoursCheckNode():
                if self._context.is_open(node.municipality, self._context.now()):
                    return node.open_goto
                self._record(node.id, None, StepOutcome.CLOSED, effects)
                return node.closed_goto
            case CalamityNode():
                prompt_id = self._context.calamity_prompt()
                if prompt_id is None:
                    return node.goto
                effects.append(Play(prompt_id, barge_in=False))
                self._state = IvrState.PLAYING_CALAMITY
            case MenuNode():
                if self._menu_is_off(node):
                    self._record(node.id, None, StepOutcome.MENU_OFF, effects)
                    return self._flow.general_queue
                self._no_inputs = self._invalids = 0
                self._play_menu(node, effects)
        return None

    def _finish(self, effect: EnterQueue | HangUp, effects: list[Effect]) -> None:
        effects.append(effect)
        self._state = IvrState.DONE

    def _record(
        self, node_id: str, digit: str | None, outcome: StepOutcome, effects: list[Effect]
    ) -> None:
        effects.append(RecordStep(node_id, digit, outcome, self._context.now()))

    def _current(self, kind: type[_N]) -> _N:
        if not isinstance(self._node, kind):  # the transition table makes this impossible
            raise IvrStateError(f"node {self._node.id!r} is not a {kind.__name__}")
        return self._node


_Handler = Callable[[IvrEngine, str | None, list[Effect]], None]
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
