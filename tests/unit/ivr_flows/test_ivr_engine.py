"""The sans-I/O IVR engine on its own: inputs in, effects out, illegal inputs refused."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from contract.vocabulary import IvrOutcome
from ivr_flows.engine import (
    ChooseMunicipality,
    CollectDigit,
    DigitCollected,
    Effect,
    EnterQueue,
    HangUp,
    IvrContext,
    IvrEngine,
    IvrInput,
    IvrState,
    IvrStateError,
    Play,
    PlayFinished,
    RecordStep,
    Start,
    StepOutcome,
)
from ivr_flows.model import (
    CalamityNode,
    Flow,
    HoursCheckNode,
    InputPolicy,
    MenuNode,
    MenuOption,
    MessageNode,
    Node,
    QueueNode,
)
from ivr_flows.prompts import INVALID_CHOICE_ID, NO_INPUT_ID

NOW = datetime(2026, 5, 4, 10, 30, tzinfo=UTC)
GENERAL = QueueNode("queue-algemeen", "algemeen")


def context(*, is_open: bool = True, calamity: str | None = None) -> IvrContext:
    return IvrContext(
        now=lambda: NOW,
        is_open=lambda _municipality, _when: is_open,
        calamity_prompt=lambda: calamity,
        topic_menu_enabled=lambda: True,
    )


def flow(*nodes: Node, start: str | None = None) -> Flow:
    by_id = {n.id: n for n in (*nodes, GENERAL)}
    return Flow("test", start or nodes[0].id, GENERAL.id, by_id)


def menu(repeats: int = 1, timeout: float = 5.0) -> MenuNode:
    options = (
        MenuOption("1", "Haarlem", "hours", municipality="haarlem"),
        MenuOption("2", "afval", "queue-afval"),
    )
    policy = InputPolicy(GENERAL.id, repeats)
    return MenuNode("menu", "Kies.", options, policy, policy, timeout_seconds=timeout)


def menu_flow(repeats: int = 1, timeout: float = 5.0) -> Flow:
    hours = HoursCheckNode("hours", "haarlem", "queue-afval", "closed")
    closed = MessageNode("closed", "Gesloten.", goto=None)
    return flow(menu(repeats, timeout), QueueNode("queue-afval", "afval"), hours, closed)


def started(f: Flow, ctx: IvrContext | None = None) -> IvrEngine:
    engine = IvrEngine(f, ctx or context())
    engine.feed(Start())
    return engine


def step(node: str, digit: str | None, outcome: StepOutcome) -> RecordStep:
    return RecordStep(node, digit, outcome, NOW)


def test_menu_prompt_allows_barge_in_and_messages_do_not() -> None:
    greeting = MessageNode("welcome", "Welkom.", goto="menu")
    engine = IvrEngine(flow(greeting, *menu_flow().nodes.values()), context())
    assert engine.feed(Start()) == (Play("welcome", barge_in=False),)
    assert engine.feed(PlayFinished()) == (
        step("welcome", None, StepOutcome.PLAYED),
        Play("menu", barge_in=True),
    )
    assert engine.state is IvrState.PLAYING_MENU


@pytest.mark.parametrize("timeout", [2.0, 7.5])
def test_collect_digit_uses_the_menu_timeout(timeout: float) -> None:
    engine = started(menu_flow(timeout=timeout))
    assert engine.feed(PlayFinished(None)) == (CollectDigit(timeout),)
    assert engine.state is IvrState.COLLECTING_DIGIT


@pytest.mark.parametrize("digit", ["1", "2", "5", "*", "#", "A"])
def test_digit_during_prompt_equals_digit_after_it(digit: str) -> None:
    during = started(menu_flow()).feed(PlayFinished(digit))
    after_engine = started(menu_flow())
    after_engine.feed(PlayFinished(None))
    assert during == after_engine.feed(DigitCollected(digit))


def test_municipality_choice_is_announced_and_carried_to_the_queue() -> None:
    engine = started(menu_flow())
    assert engine.feed(PlayFinished("1")) == (
        step("menu", "1", StepOutcome.CHOSEN),
        ChooseMunicipality("haarlem"),
        EnterQueue("afval", "haarlem"),
    )
    assert engine.municipality == "haarlem"
    assert engine.state is IvrState.DONE


def test_closed_hours_record_closed_then_play_message_then_hang_up() -> None:
    engine = started(menu_flow(), context(is_open=False))
    assert engine.feed(PlayFinished("1"))[-2:] == (
        step("hours", None, StepOutcome.CLOSED),
        Play("closed", barge_in=False),
    )
    assert engine.feed(PlayFinished()) == (
        step("closed", None, StepOutcome.PLAYED),
        HangUp("closed"),
    )


@pytest.mark.parametrize("repeats", [0, 1, 2, 3])
@pytest.mark.parametrize(
    ("first", "wrong", "text_id", "outcome"),
    [
        (PlayFinished("9"), DigitCollected("9"), INVALID_CHOICE_ID, StepOutcome.INVALID),
        (PlayFinished(None), DigitCollected(None), NO_INPUT_ID, StepOutcome.NO_INPUT),
        (PlayFinished(""), DigitCollected(""), NO_INPUT_ID, StepOutcome.NO_INPUT),
    ],
    ids=["invalid", "no-input", "empty-string"],
)
def test_menu_replays_repeats_times_then_takes_the_policy_goto(
    repeats: int, first: IvrInput, wrong: IvrInput, text_id: str, outcome: StepOutcome
) -> None:
    engine = started(menu_flow(repeats=repeats))
    effects = _wrong_once(engine, first, wrong)
    for _ in range(repeats):
        assert effects[-1] == Play(text_id, barge_in=False)
        assert engine.feed(PlayFinished()) == (Play("menu", barge_in=True),)
        effects = _wrong_once(engine, first, wrong)
    assert effects[-1] == EnterQueue("algemeen", None)
    assert effects[0] == step("menu", getattr(wrong, "digit", None) or None, outcome)


def _wrong_once(engine: IvrEngine, first: IvrInput, wrong: IvrInput) -> tuple[Effect, ...]:
    """One wrong answer to the menu: pressed during the prompt, or after it."""
    effects = engine.feed(first)
    if effects == (CollectDigit(5.0),):
        effects = engine.feed(wrong)
    return effects


def test_feedback_text_ignores_a_digit_pressed_during_it() -> None:
    engine = started(menu_flow())
    engine.feed(PlayFinished("9"))
    assert engine.feed(PlayFinished("2")) == (Play("menu", barge_in=True),)


def test_calamity_plays_provider_prompt_then_continues() -> None:
    hook = CalamityNode("calamity", goto="queue-algemeen")
    engine = IvrEngine(flow(hook), context(calamity="calamity-2026-05"))
    assert engine.feed(Start()) == (Play("calamity-2026-05", barge_in=False),)
    assert engine.feed(PlayFinished()) == (
        step("calamity", None, StepOutcome.CALAMITY),
        EnterQueue("algemeen", None),
    )


def test_pass_through_loop_ends_in_general_queue_within_one_feed() -> None:
    a, b = CalamityNode("a", goto="b"), CalamityNode("b", goto="a")
    engine = IvrEngine(flow(a, b), context(), max_nodes=7)
    assert engine.feed(Start()) == (
        step("b", None, StepOutcome.LOOP_GUARD),  # the 8th node: a b a b a b a | b
        EnterQueue("algemeen", None),
    )


@pytest.mark.parametrize(
    ("state_inputs", "bad"),
    [
        ([], PlayFinished()),
        ([], DigitCollected("1")),
        ([Start()], Start()),
        ([Start()], DigitCollected("1")),
        ([Start(), PlayFinished()], PlayFinished()),
        ([Start(), PlayFinished("2")], PlayFinished()),
        ([Start(), PlayFinished("2")], Start()),
    ],
)
def test_inputs_the_state_does_not_accept_are_refused(
    state_inputs: list[IvrInput], bad: IvrInput
) -> None:
    engine = IvrEngine(menu_flow(), context())
    for event in state_inputs:
        engine.feed(event)
    state = engine.state
    with pytest.raises(IvrStateError, match=f"{type(bad).__name__} is not accepted in state"):
        engine.feed(bad)
    assert engine.state is state


def test_general_queue_must_be_a_queue_node() -> None:
    welcome = MessageNode("welcome", "Welkom.", goto=None)
    bad = Flow("bad", "welcome", "welcome", {"welcome": welcome}, source="bad.yaml")
    with pytest.raises(ValueError, match=r"bad\.yaml: general_queue 'welcome' is a message node"):
        IvrEngine(bad, context())


def test_max_nodes_must_be_positive() -> None:
    with pytest.raises(ValueError, match="max_nodes=0"):
        IvrEngine(menu_flow(), context(), max_nodes=0)


def test_step_outcomes_are_the_event_contracts_words() -> None:
    # One word list: a second copy here could drift from what the stream accepts.
    assert StepOutcome is IvrOutcome
