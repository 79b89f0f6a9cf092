"""The sans-I/O IVR engine on its own: inputs in, effects out, illegal inputs refused."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, time, timedelta

import pytest

from contract.vocabulary import IvrOutcome
from ivr_flows.engine import (
    ChooseMunicipality,
    CollectDigit,
    Effect,
    EnterQueue,
    HangUp,
    IvrEngine,
    IvrState,
    IvrStateError,
    Play,
    RecordStep,
    StepOutcome,
)
from ivr_flows.hours import AMSTERDAM, MunicipalityHours, WeeklyOpeningHours
from ivr_flows.inputs import DigitCollected, IvrInput, LiveSwitches, PlayFinished, Start
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

NOW = datetime(2026, 5, 4, 10, 30, tzinfo=UTC)  # a Monday, 12:30 in Amsterdam: open
CLOSING = datetime(2026, 5, 4, 17, 0, tzinfo=AMSTERDAM)
GENERAL = QueueNode("queue-algemeen", "algemeen")
CALM = LiveSwitches()  # no calamity message, the topic menu on
OPENING = {"haarlem": MunicipalityHours(weekly=WeeklyOpeningHours.workdays(time(8), time(17)))}


def start(*, at: datetime = NOW, switches: LiveSwitches = CALM) -> Start:
    return Start(at=at, switches=switches)


def finished(
    digit: str | None = None, *, at: datetime = NOW, switches: LiveSwitches = CALM
) -> PlayFinished:
    return PlayFinished(digit=digit, at=at, switches=switches)


def collected(
    digit: str | None = None, *, at: datetime = NOW, switches: LiveSwitches = CALM
) -> DigitCollected:
    return DigitCollected(digit=digit, at=at, switches=switches)


def engine_for(f: Flow, *, max_nodes: int = 50) -> IvrEngine:
    return IvrEngine(f, opening=OPENING, max_nodes=max_nodes)


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


def started(f: Flow) -> IvrEngine:
    engine = engine_for(f)
    engine.feed(start())
    return engine


def step(node: str, digit: str | None, outcome: StepOutcome, at: datetime = NOW) -> RecordStep:
    return RecordStep(node, digit, outcome, at)


def test_menu_prompt_allows_barge_in_and_messages_do_not() -> None:
    greeting = MessageNode("welcome", "Welkom.", goto="menu")
    engine = engine_for(flow(greeting, *menu_flow().nodes.values()))
    assert engine.feed(start()) == (Play("welcome", barge_in=False),)
    assert engine.feed(finished()) == (
        step("welcome", None, StepOutcome.PLAYED),
        Play("menu", barge_in=True),
    )
    assert engine.state is IvrState.PLAYING_MENU


@pytest.mark.parametrize("timeout", [2.0, 7.5])
def test_collect_digit_uses_the_menu_timeout(timeout: float) -> None:
    engine = started(menu_flow(timeout=timeout))
    assert engine.feed(finished(None)) == (CollectDigit(timeout),)
    assert engine.state is IvrState.COLLECTING_DIGIT


@pytest.mark.parametrize("digit", ["1", "2", "5", "*", "#", "A"])
def test_digit_during_prompt_equals_digit_after_it(digit: str) -> None:
    during = started(menu_flow()).feed(finished(digit))
    after_engine = started(menu_flow())
    after_engine.feed(finished(None))
    assert during == after_engine.feed(collected(digit))


def test_municipality_choice_is_announced_and_carried_to_the_queue() -> None:
    engine = started(menu_flow())
    assert engine.feed(finished("1")) == (
        step("menu", "1", StepOutcome.CHOSEN),
        ChooseMunicipality("haarlem"),
        EnterQueue("afval", "haarlem"),
    )
    assert engine.municipality == "haarlem"
    assert engine.state is IvrState.DONE


def test_closed_hours_record_closed_then_play_message_then_hang_up() -> None:
    engine = started(menu_flow())
    assert engine.feed(finished("1", at=CLOSING)) == (
        step("menu", "1", StepOutcome.CHOSEN, CLOSING),
        ChooseMunicipality("haarlem"),
        step("hours", None, StepOutcome.CLOSED, CLOSING),  # every step of a feed: its input's at
        Play("closed", barge_in=False),
    )
    later = CLOSING + timedelta(seconds=4)
    assert engine.feed(finished(at=later)) == (
        step("closed", None, StepOutcome.PLAYED, later),
        HangUp("closed"),
    )


@pytest.mark.parametrize(
    ("at", "queue"),
    [
        (CLOSING - timedelta(seconds=1), True),
        (CLOSING, False),  # the end of the interval is closed
        (datetime(2026, 5, 5, 10, tzinfo=AMSTERDAM), False),  # Bevrijdingsdag
        (datetime(2026, 5, 9, 10, tzinfo=AMSTERDAM), False),  # a Saturday
    ],
)
def test_hours_check_is_decided_for_the_moment_of_the_input_that_reaches_it(
    at: datetime, queue: bool
) -> None:
    engine = started(menu_flow())  # started at NOW, when Haarlem is open
    effects = engine.feed(finished("1", at=at))
    assert (effects[-1] == EnterQueue("afval", "haarlem")) is queue
    assert (effects[-1] == Play("closed", barge_in=False)) is not queue


@pytest.mark.parametrize("repeats", [0, 1, 2, 3])
@pytest.mark.parametrize(
    ("first", "wrong", "text_id", "outcome"),
    [
        (finished("9"), collected("9"), INVALID_CHOICE_ID, StepOutcome.INVALID),
        (finished(None), collected(None), NO_INPUT_ID, StepOutcome.NO_INPUT),
        (finished(""), collected(""), NO_INPUT_ID, StepOutcome.NO_INPUT),
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
        assert engine.feed(finished()) == (Play("menu", barge_in=True),)
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
    engine.feed(finished("9"))
    assert engine.feed(finished("2")) == (Play("menu", barge_in=True),)


def test_calamity_plays_the_prompt_switched_on_then_continues() -> None:
    hook = CalamityNode("calamity", goto="queue-algemeen")
    engine = engine_for(flow(hook))
    storm = LiveSwitches(calamity_prompt="calamity-2026-05")
    assert engine.feed(start(switches=storm)) == (Play("calamity-2026-05", barge_in=False),)
    assert engine.feed(finished()) == (
        step("calamity", None, StepOutcome.CALAMITY),
        EnterQueue("algemeen", None),
    )


@pytest.mark.parametrize("calamity", [None, "calamity-storm"])
def test_calamity_hook_follows_the_switches_of_the_input_that_reaches_it(
    calamity: str | None,
) -> None:
    welcome = MessageNode("welcome", "Welkom.", goto="calamity")
    hook = CalamityNode("calamity", goto="queue-algemeen")
    engine = engine_for(flow(welcome, hook))
    # Start's switches differ on purpose: only the input reaching the hook counts.
    other = LiveSwitches(calamity_prompt=None if calamity else "calamity-old")
    engine.feed(start(switches=other))
    effects = engine.feed(finished(switches=LiveSwitches(calamity_prompt=calamity)))
    if calamity is None:
        assert effects[-1] == EnterQueue("algemeen", None)
    else:
        assert effects[-1] == Play(calamity, barge_in=False)


@pytest.mark.parametrize("enabled", [True, False])
def test_topic_menu_follows_the_switches_of_the_input_that_reaches_it(enabled: bool) -> None:
    greeting = MessageNode("welcome", "Welkom.", goto="menu")
    engine = engine_for(flow(greeting, *menu_flow().nodes.values()))
    engine.feed(start(switches=LiveSwitches(topic_menu_enabled=not enabled)))
    effects = engine.feed(finished(switches=LiveSwitches(topic_menu_enabled=enabled)))
    if enabled:
        assert effects[-1] == Play("menu", barge_in=True)
    else:
        assert effects[1:] == (
            step("menu", None, StepOutcome.MENU_OFF),
            EnterQueue("algemeen", None),
        )


def test_pass_through_loop_ends_in_general_queue_within_one_feed() -> None:
    a, b = CalamityNode("a", goto="b"), CalamityNode("b", goto="a")
    engine = engine_for(flow(a, b), max_nodes=7)
    assert engine.feed(start()) == (
        step("b", None, StepOutcome.LOOP_GUARD),  # the 8th node: a b a b a b a | b
        EnterQueue("algemeen", None),
    )


@pytest.mark.parametrize(
    ("state_inputs", "bad"),
    [
        ([], finished()),
        ([], collected("1")),
        ([start()], start()),
        ([start()], collected("1")),
        ([start(), finished()], finished()),
        ([start(), finished("2")], finished()),
        ([start(), finished("2")], start()),
    ],
)
def test_inputs_the_state_does_not_accept_are_refused(
    state_inputs: list[IvrInput], bad: IvrInput
) -> None:
    engine = engine_for(menu_flow())
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
        engine_for(bad)


def test_max_nodes_must_be_positive() -> None:
    with pytest.raises(ValueError, match="max_nodes=0"):
        engine_for(menu_flow(), max_nodes=0)


def test_opening_hours_must_cover_every_municipality_an_hours_check_names() -> None:
    bad = dataclasses.replace(menu_flow(), source="flow.yaml")
    with pytest.raises(
        ValueError,
        match=r"flow\.yaml: hours check 'hours' names municipality 'haarlem', which has no "
        r"opening hours; allowed: zandvoort",
    ):
        IvrEngine(bad, opening={"zandvoort": OPENING["haarlem"]})
    with pytest.raises(ValueError, match="allowed: none given"):
        IvrEngine(bad, opening={})


def test_the_engine_keeps_its_own_copy_of_the_opening_hours() -> None:
    opening = dict(OPENING)
    engine = IvrEngine(menu_flow(), opening=opening)
    engine.feed(start())
    opening["haarlem"] = MunicipalityHours(weekly=WeeklyOpeningHours())  # never open
    assert engine.feed(finished("1"))[-1] == EnterQueue("afval", "haarlem")


@pytest.mark.parametrize("kind", [Start, PlayFinished, DigitCollected])
def test_an_input_without_a_timezone_is_refused_naming_it(
    kind: type[Start | PlayFinished | DigitCollected],
) -> None:
    with pytest.raises(ValueError, match=rf"^{kind.__name__}\.at=2026-05-04T10:30:00 has no "):
        kind(at=NOW.replace(tzinfo=None), switches=CALM)


def test_an_empty_calamity_prompt_is_refused() -> None:
    with pytest.raises(ValueError, match=r"LiveSwitches\.calamity_prompt=''; allowed: a prompt"):
        LiveSwitches(calamity_prompt="")


def test_step_outcomes_are_the_event_contracts_words() -> None:
    # One word list: a second copy here could drift from what the stream accepts.
    assert StepOutcome is IvrOutcome
