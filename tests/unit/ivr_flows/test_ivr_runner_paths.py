"""Every path through the shipped 14023 flow's menus, driven by ``run_ivr`` on a scripted caller."""

from __future__ import annotations

import itertools

import pytest

from ivr_flows.channel import BARGE_IN_DIGITS
from ivr_flows.engine import EnterQueue, HangUp, StepOutcome
from ivr_flows.model import Flow
from ivr_flows.prompts import INVALID_CHOICE_ID, NO_INPUT_ID
from tests.unit.ivr_flows.ivr_fakes import (
    CLOSED_ALL_WEEK,
    GENERAL,
    MUNICIPALITY_BY_DIGIT,
    OPENING,
    OPENING_STEPS,
    PLAY_S,
    SILENT,
    T0,
    TOPIC_BY_DIGIT,
    WAIT_S,
    Key,
    barge,
    ended,
    load_sample_flow,
    new_call,
    press,
    summary,
)


@pytest.fixture(scope="module")
def flow() -> Flow:
    return load_sample_flow()


@pytest.mark.parametrize(
    ("m_digit", "t_digit"), list(itertools.product(MUNICIPALITY_BY_DIGIT, TOPIC_BY_DIGIT))
)
async def test_each_municipality_and_topic_lands_in_its_queue(
    flow: Flow, m_digit: str, t_digit: str
) -> None:
    municipality, topic = MUNICIPALITY_BY_DIGIT[m_digit], TOPIC_BY_DIGIT[t_digit]
    call = new_call([press(m_digit), press(t_digit)])
    # Only the chosen municipality's hours count: the other one is closed all week.
    (other,) = set(MUNICIPALITY_BY_DIGIT.values()) - {municipality}
    call.opening[other] = CLOSED_ALL_WEEK
    outcome = await call.run(flow)
    assert ended(outcome) == EnterQueue(topic, municipality)
    assert isinstance(outcome, EnterQueue)  # what the call controller relies on
    assert (outcome.topic, outcome.municipality) == (topic, municipality)
    assert call.caller.played == [*OPENING, "municipality", f"topics-{municipality}"]
    assert summary(outcome.steps) == [
        *OPENING_STEPS,
        ("municipality", m_digit, StepOutcome.CHOSEN),
        (f"topics-{municipality}", t_digit, StepOutcome.CHOSEN),
    ]
    assert call.reported == list(outcome.steps)


# At the topic menu: the keys, where the caller ends up, what they hear after choosing
# Haarlem, and the topic menu's steps.
TOPIC_MENU_CASES = {
    "invalid twice": (
        ["9", "9"], GENERAL, ["topics-haarlem", INVALID_CHOICE_ID, "topics-haarlem"],
        [("9", StepOutcome.INVALID), ("9", StepOutcome.INVALID)],
    ),
    "invalid once then valid": (
        ["0", "3"], TOPIC_BY_DIGIT["3"], ["topics-haarlem", INVALID_CHOICE_ID, "topics-haarlem"],
        [("0", StepOutcome.INVALID), ("3", StepOutcome.CHOSEN)],
    ),
    "star and hash are invalid": (
        ["*", "#"], GENERAL, ["topics-haarlem", INVALID_CHOICE_ID, "topics-haarlem"],
        [("*", StepOutcome.INVALID), ("#", StepOutcome.INVALID)],
    ),
    "no input twice": (
        [None, None], GENERAL, ["topics-haarlem", NO_INPUT_ID, "topics-haarlem"],
        [(None, StepOutcome.NO_INPUT), (None, StepOutcome.NO_INPUT)],
    ),
    "no input once then valid": (
        [None, "5"], TOPIC_BY_DIGIT["5"], ["topics-haarlem", NO_INPUT_ID, "topics-haarlem"],
        [(None, StepOutcome.NO_INPUT), ("5", StepOutcome.CHOSEN)],
    ),
    # Each policy keeps its own count, so one of each still earns a replay each.
    "invalid then no input then valid": (
        ["7", None, "1"], TOPIC_BY_DIGIT["1"],
        ["topics-haarlem", INVALID_CHOICE_ID, "topics-haarlem", NO_INPUT_ID, "topics-haarlem"],
        [("7", StepOutcome.INVALID), (None, StepOutcome.NO_INPUT), ("1", StepOutcome.CHOSEN)],
    ),
}  # fmt: skip


@pytest.mark.parametrize("barge_in", [False, True], ids=["after-prompt", "during-prompt"])
@pytest.mark.parametrize(
    ("digits", "topic", "heard", "menu_steps"),
    list(TOPIC_MENU_CASES.values()),
    ids=list(TOPIC_MENU_CASES),
)
async def test_topic_menu_retries_then_general_queue(
    flow: Flow,
    barge_in: bool,
    digits: list[str | None],
    topic: str,
    heard: list[str],
    menu_steps: list[tuple[str | None, str]],
) -> None:
    keys = [barge(d) if barge_in and d is not None else Key(d) for d in digits]
    call = new_call([press("1"), *keys])
    outcome = await call.run(flow)
    assert ended(outcome) == EnterQueue(topic, "haarlem")
    assert call.caller.played == [*OPENING, "municipality", *heard]
    assert summary(outcome.steps)[3:] == [("topics-haarlem", d, o) for d, o in menu_steps]


@pytest.mark.parametrize(
    ("closed", "end", "tail"),
    [
        (set(), EnterQueue(GENERAL, None), []),
        ({"haarlem"}, HangUp("closed"), ["closed-haarlem"]),
    ],
    ids=["open", "closed"],
)
async def test_no_choice_of_municipality_goes_to_general_queue_when_open(
    flow: Flow, closed: set[str], end: EnterQueue | HangUp, tail: list[str]
) -> None:
    call = new_call([SILENT, SILENT])
    for municipality in closed:
        call.opening[municipality] = CLOSED_ALL_WEEK
    outcome = await call.run(flow)
    assert ended(outcome) == end
    assert outcome.municipality is None
    assert call.caller.played == [*OPENING, "municipality", NO_INPUT_ID, "municipality", *tail]
    assert call.caller.waits == [5.0, 5.0]


async def test_barge_in_skips_the_wait_and_matches_pressing_after(flow: Flow) -> None:
    during, after = new_call([barge("2"), barge("4")]), new_call([press("2"), press("4")])
    outcome_during, outcome_after = await during.run(flow), await after.run(flow)
    assert during.caller.waits == []
    assert after.caller.waits == [5.0, 5.0]
    assert (
        ended(outcome_during)
        == ended(outcome_after)
        == EnterQueue(TOPIC_BY_DIGIT["4"], "zandvoort")
    )
    assert summary(outcome_during.steps) == summary(outcome_after.steps)
    menus = {"municipality", "topics-zandvoort"}
    for name, escape in zip(during.caller.played, during.caller.escapes, strict=True):
        assert escape == (BARGE_IN_DIGITS if name in menus else "")


async def test_each_step_carries_the_time_it_happened(flow: Flow) -> None:
    call = new_call([press("1"), barge("2")])
    outcome = await call.run(flow)
    offsets = [(s.at - T0).total_seconds() for s in outcome.steps]
    # Two messages, the municipality menu plus the wait for the key, half a topic menu.
    assert offsets == [PLAY_S, 2 * PLAY_S, 3 * PLAY_S + WAIT_S, 3.5 * PLAY_S + WAIT_S]
