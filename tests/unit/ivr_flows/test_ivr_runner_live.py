"""The live world around the 14023 flow in ``run_ivr``: opening hours, the calamity message,
menus switched off, the clock and switches read per input, the caller hanging up, and the
loop guard."""

from __future__ import annotations

import dataclasses
from datetime import time, timedelta

import pytest

from ivr_flows.engine import EnterQueue, HangUp, RecordStep, StepOutcome
from ivr_flows.hours import MunicipalityHours, WeeklyOpeningHours
from ivr_flows.inputs import LiveSwitches
from ivr_flows.model import CalamityNode, Flow, InputPolicy, MenuNode, MessageNode, QueueNode
from ivr_flows.runner import HungUp, run_ivr
from tests.unit.ivr_flows.ivr_fakes import (
    CLOSED_ALL_WEEK,
    GENERAL,
    HANG_UP,
    MUNICIPALITY_BY_DIGIT,
    OPENING,
    OPENING_STEPS,
    PLAY_S,
    SILENT,
    T0,
    WAIT_S,
    CallerHungUp,
    Key,
    barge,
    ended,
    load_sample_flow,
    new_call,
    played,
    press,
    summary,
)


@pytest.fixture(scope="module")
def flow() -> Flow:
    return load_sample_flow()


@pytest.mark.parametrize(("m_digit", "municipality"), list(MUNICIPALITY_BY_DIGIT.items()))
async def test_closed_hours_play_the_closed_message_and_hang_up(
    flow: Flow, m_digit: str, municipality: str
) -> None:
    call = new_call([press(m_digit)])
    call.opening[municipality] = CLOSED_ALL_WEEK
    outcome = await call.run(flow)
    assert ended(outcome) == HangUp("closed")
    assert isinstance(outcome, HungUp)
    assert outcome.municipality == municipality
    assert call.caller.played == [*OPENING, "municipality", f"closed-{municipality}"]
    assert summary(outcome.steps)[3:] == [
        (f"hours-{municipality}", None, StepOutcome.CLOSED),
        played(f"closed-{municipality}"),
    ]


# The caller presses 1 for Haarlem 3 prompts and 1 wait after 10:00 Amsterdam time.
CHOSEN_AT_S = 3 * PLAY_S + WAIT_S


@pytest.mark.parametrize(
    ("closing", "heard"),
    [(time(10, 0, 14), "topics-haarlem"), (time(10, 0, 13), "closed-haarlem")],
    ids=["closes-a-second-later", "closes-as-the-key-is-pressed"],
)
async def test_opening_hours_are_checked_for_the_moment_the_choice_was_made(
    flow: Flow, closing: time, heard: str
) -> None:
    assert CHOSEN_AT_S == 13
    call = new_call([press("1"), press("1")])
    tuesday = {1: ((time(8), closing),)}
    call.opening["haarlem"] = MunicipalityHours(weekly=WeeklyOpeningHours(tuesday))
    outcome = await call.run(flow)
    assert call.caller.played[3] == heard
    assert outcome.steps[2].at == T0 + timedelta(seconds=CHOSEN_AT_S)


async def test_calamity_message_plays_before_the_menu_when_switched_on(flow: Flow) -> None:
    call = new_call([press("1"), press("1")])
    call.switches.calamity = "calamity-storm"
    outcome = await call.run(flow)
    assert call.caller.played[:4] == [*OPENING, "calamity-storm", "municipality"]
    assert summary(outcome.steps)[2] == ("calamity", None, StepOutcome.CALAMITY)


@pytest.mark.parametrize(
    ("switched_on_after_s", "heard"),
    [(PLAY_S / 2, True), (2 * PLAY_S, True), (2 * PLAY_S + 1, False)],
    ids=["during-welcome", "as-the-notice-ends", "after-the-hook"],
)
async def test_calamity_switched_on_mid_call_counts_from_the_input_that_reaches_the_hook(
    flow: Flow, switched_on_after_s: float, heard: bool
) -> None:
    call = new_call([press("1"), press("1")])
    storm = LiveSwitches(calamity_prompt="calamity-storm")
    call.switches.later = [(T0 + timedelta(seconds=switched_on_after_s), storm)]
    await call.run(flow)
    assert ("calamity-storm" in call.caller.played) is heard


async def test_calamity_switched_off_passes_straight_through(flow: Flow) -> None:
    call = new_call([press("1"), press("1")])
    outcome = await call.run(flow)
    assert call.caller.played[:3] == [*OPENING, "municipality"]
    assert "calamity" not in {s.node for s in outcome.steps}


async def test_clock_and_switches_are_read_once_per_input_as_it_happens(flow: Flow) -> None:
    call = new_call([press("1"), barge("2")])
    await call.run(flow)
    # Start; the two messages; the municipality menu and the wait after it; the topic menu.
    offsets = [0, PLAY_S, 2 * PLAY_S, 3 * PLAY_S, CHOSEN_AT_S, 3.5 * PLAY_S + WAIT_S]
    moments = [T0 + timedelta(seconds=s) for s in offsets]
    assert call.clock.read_at == moments
    assert call.switches.read_at == moments


def _topic_menus_disabled(flow: Flow) -> Flow:
    nodes = {
        i: dataclasses.replace(n, enabled=False)
        if isinstance(n, MenuNode) and i != "municipality"
        else n
        for i, n in flow.nodes.items()
    }
    return dataclasses.replace(flow, nodes=nodes)


@pytest.mark.parametrize("how", ["live switch", "enabled: false"])
async def test_menu_switched_off_sends_caller_to_general_queue(flow: Flow, how: str) -> None:
    call = new_call([press("2")])
    if how == "live switch":
        call.switches.topic_menu = False
    else:
        flow = _topic_menus_disabled(flow)
    outcome = await call.run(flow)
    assert ended(outcome) == EnterQueue(GENERAL, "zandvoort")
    # The municipality menu offers no topics, so the switch leaves it alone.
    assert call.caller.played == [*OPENING, "municipality"]
    assert summary(outcome.steps)[3:] == [("topics-zandvoort", None, StepOutcome.MENU_OFF)]


@pytest.mark.parametrize("report_async", [False, True], ids=["sync", "async"])
@pytest.mark.parametrize(
    ("keys", "hang_up_at"),
    [([press("1")], "ivr/topics-haarlem"), ([press("1"), HANG_UP], "")],
    ids=["during-prompt", "during-wait"],
)
async def test_hang_up_mid_menu_propagates_after_reporting_earlier_steps(
    flow: Flow, report_async: bool, keys: list[Key], hang_up_at: str
) -> None:
    call = new_call(keys, hang_up_at)
    reported: list[RecordStep] = []

    async def report_later(step: RecordStep) -> None:
        reported.append(step)

    on_step = report_later if report_async else reported.append
    with pytest.raises(CallerHungUp):
        await run_ivr(flow, call.caller, call.context(), "ivr/{}".format, on_step)
    assert summary(reported) == [*OPENING_STEPS, ("municipality", "1", StepOutcome.CHOSEN)]


def _loop_flow(kind: str) -> Flow:
    """Two nodes that lead to each other: the validator rejects this, the engine copes."""
    a: MessageNode | CalamityNode
    b: MessageNode | CalamityNode
    if kind == "message":
        a, b = MessageNode("a", "Een.", goto="b"), MessageNode("b", "Twee.", goto="a")
    else:
        a, b = CalamityNode("a", goto="b"), CalamityNode("b", goto="a")
    general = QueueNode("queue-algemeen", GENERAL)
    return Flow("loop", "a", general.id, {"a": a, "b": b, general.id: general})


@pytest.mark.parametrize(("kind", "plays"), [("message", 12), ("calamity", 0)])
async def test_loop_guard_sends_caller_to_general_queue(kind: str, plays: int) -> None:
    call = new_call([])
    outcome = await call.run(_loop_flow(kind), max_nodes=12)
    assert ended(outcome) == EnterQueue(GENERAL, None)
    assert len(call.caller.played) == plays
    assert summary(outcome.steps)[-1] == ("a", None, StepOutcome.LOOP_GUARD)


async def test_loop_guard_default_cap_is_fifty_nodes() -> None:
    call = new_call([])
    outcome = await call.run(_loop_flow("message"))
    assert len(call.caller.played) == 50
    assert outcome.steps[-1].outcome == StepOutcome.LOOP_GUARD


async def test_menu_that_leads_back_to_itself_is_cut_off_by_the_loop_guard() -> None:
    general = QueueNode("queue-algemeen", GENERAL)
    menu = MenuNode(
        "menu", "Kies.", (), no_input=_policy("menu"), invalid=_policy("menu"), timeout_seconds=2
    )
    flow = Flow("self", "menu", general.id, {"menu": menu, general.id: general})
    call = new_call([SILENT] * 20)
    outcome = await call.run(flow, max_nodes=5)
    assert ended(outcome) == EnterQueue(GENERAL, None)
    # Each visit: prompt, no-input text, prompt again; then the escape re-enters the menu.
    assert call.caller.played.count("menu") == 2 * 5
    assert call.caller.waits == [2.0] * 10


def _policy(goto: str) -> InputPolicy:
    return InputPolicy(goto=goto, repeats=1)
