"""Every path through the shipped 14023 flow, driven by ``run_ivr`` on a scripted caller."""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import ivr_flows
from ivr_flows.channel import BARGE_IN_DIGITS, IvrChannel
from ivr_flows.engine import EnterQueue, HangUp, IvrContext, RecordStep, StepOutcome
from ivr_flows.loader import load_flow
from ivr_flows.model import CalamityNode, Flow, InputPolicy, MenuNode, MessageNode, QueueNode
from ivr_flows.prompts import INVALID_CHOICE_ID, NO_INPUT_ID
from ivr_flows.runner import HungUp, IvrOutcome, Queued, run_ivr

SAMPLE = Path(ivr_flows.__file__).parent / "flows" / "14023.yaml"
# What the contact centre asked for: these keys lead to these topic queues.
MUNICIPALITY_BY_DIGIT = {"1": "haarlem", "2": "zandvoort"}
TOPIC_BY_DIGIT = {
    "1": "burgerzaken",
    "2": "parkeren-vergunningen",
    "3": "afval-openbare-ruimte",
    "4": "belastingen",
    "5": "bouwen-wonen",
}
GENERAL = "algemeen"
OPENING = ["welcome", "recording-notice"]
T0 = datetime(2026, 3, 3, 9, 0, tzinfo=UTC)
PLAY_S = 4.0  # how long every prompt takes to play in the fake
WAIT_S = 1.0  # how long the scripted caller takes to press a key after a prompt


@pytest.fixture(scope="module")
def flow() -> Flow:
    return load_flow(
        SAMPLE,
        known_topics={*TOPIC_BY_DIGIT.values(), GENERAL},
        known_municipalities=set(MUNICIPALITY_BY_DIGIT.values()),
    )


class CallerHungUp(Exception):
    """Stands in for the AGI session's hang-up exception."""


@dataclasses.dataclass(frozen=True)
class Key:
    """What the caller does at one menu prompt."""

    digit: str | None  # None: nothing at all
    during_prompt: bool = False
    hang_up: bool = False


def press(digit: str) -> Key:
    return Key(digit)


def barge(digit: str) -> Key:
    return Key(digit, during_prompt=True)


SILENT = Key(None)
HANG_UP = Key(None, hang_up=True)


class FakeClock:
    def __init__(self) -> None:
        self.moment = T0

    def now(self) -> datetime:
        return self.moment

    def advance(self, seconds: float) -> None:
        self.moment += timedelta(seconds=seconds)


class ScriptedCaller:
    """A fake ``IvrChannel``: answers each barge-in (menu) prompt with the next ``Key``."""

    def __init__(self, keys: Sequence[Key], clock: FakeClock, hang_up_at: str = "") -> None:
        self.keys, self.clock, self.hang_up_at = list(keys), clock, hang_up_at
        self.played: list[str] = []
        self.escapes: list[str] = []
        self.waits: list[float] = []
        self._after_prompt: Key | None = None

    async def stream_file(self, name: str, escape_digits: str = "") -> str | None:
        if name == self.hang_up_at:
            raise CallerHungUp(name)
        self.played.append(name.removeprefix("ivr/"))
        self.escapes.append(escape_digits)
        if not escape_digits:
            self.clock.advance(PLAY_S)
            return None
        assert self.keys, f"the caller has no key left for {name}"
        key = self.keys.pop(0)
        if key.during_prompt and key.digit is not None and key.digit in escape_digits:
            self.clock.advance(PLAY_S / 2)
            return key.digit
        self.clock.advance(PLAY_S)
        self._after_prompt = key
        return None

    async def wait_for_digit(self, timeout_s: float) -> str | None:
        self.waits.append(timeout_s)
        key, self._after_prompt = self._after_prompt, None
        assert key is not None, "wait_for_digit without a menu prompt before it"
        if key.hang_up:
            raise CallerHungUp("while waiting for a digit")
        self.clock.advance(WAIT_S if key.digit is not None else timeout_s)
        return key.digit


class Switches:
    """The live world the engine asks: opening hours, calamity message, topic menu switch."""

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.closed: set[str] = set()
        self.calamity: str | None = None
        self.topic_menu = True
        self.hours_asked: list[tuple[str, datetime]] = []
        self.calamity_asked_at: list[datetime] = []

    def is_open(self, municipality: str, when: datetime) -> bool:
        self.hours_asked.append((municipality, when))
        return municipality not in self.closed

    def calamity_prompt(self) -> str | None:
        self.calamity_asked_at.append(self.clock.now())
        return self.calamity

    def context(self) -> IvrContext:
        return IvrContext(
            now=self.clock.now,
            is_open=self.is_open,
            calamity_prompt=self.calamity_prompt,
            topic_menu_enabled=lambda: self.topic_menu,
        )


@dataclasses.dataclass
class Call:
    caller: ScriptedCaller
    switches: Switches
    reported: list[RecordStep] = dataclasses.field(default_factory=list)

    async def run(self, flow: Flow, **kwargs: int) -> IvrOutcome:
        channel: IvrChannel = self.caller  # the fake must satisfy the protocol
        return await run_ivr(
            flow, channel, self.switches.context(), "ivr/{}".format, self.reported.append, **kwargs
        )


def new_call(keys: Sequence[Key], hang_up_at: str = "") -> Call:
    clock = FakeClock()
    return Call(ScriptedCaller(keys, clock, hang_up_at), Switches(clock))


def ended(outcome: IvrOutcome) -> EnterQueue | HangUp:
    """The plain terminal effect, without the steps, to compare against."""
    assert type(outcome) in (Queued, HungUp)
    if isinstance(outcome, EnterQueue):
        return EnterQueue(outcome.topic, outcome.municipality)
    return HangUp(outcome.reason)


def summary(steps: Sequence[RecordStep]) -> list[tuple[str, str | None, str]]:
    return [(s.node, s.digit, s.outcome) for s in steps]


def played(node: str, digit: str | None = None) -> tuple[str, str | None, str]:
    return (node, digit, StepOutcome.PLAYED)


OPENING_STEPS = [played(node) for node in OPENING]


@pytest.mark.parametrize(
    ("m_digit", "t_digit"), list(itertools.product(MUNICIPALITY_BY_DIGIT, TOPIC_BY_DIGIT))
)
async def test_each_municipality_and_topic_lands_in_its_queue(
    flow: Flow, m_digit: str, t_digit: str
) -> None:
    municipality, topic = MUNICIPALITY_BY_DIGIT[m_digit], TOPIC_BY_DIGIT[t_digit]
    call = new_call([press(m_digit), press(t_digit)])
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
    assert call.switches.hours_asked[0][0] == municipality


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
    call.switches.closed = closed
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


@pytest.mark.parametrize(("m_digit", "municipality"), list(MUNICIPALITY_BY_DIGIT.items()))
async def test_closed_hours_play_the_closed_message_and_hang_up(
    flow: Flow, m_digit: str, municipality: str
) -> None:
    call = new_call([press(m_digit)])
    call.switches.closed = {municipality}
    outcome = await call.run(flow)
    assert ended(outcome) == HangUp("closed")
    assert isinstance(outcome, HungUp)
    assert outcome.municipality == municipality
    assert call.caller.played == [*OPENING, "municipality", f"closed-{municipality}"]
    assert summary(outcome.steps)[3:] == [
        (f"hours-{municipality}", None, StepOutcome.CLOSED),
        played(f"closed-{municipality}"),
    ]
    # Asked about the chosen municipality, at the moment the choice was made.
    assert call.switches.hours_asked == [(municipality, outcome.steps[2].at)]


async def test_calamity_message_plays_before_the_menu_when_switched_on(flow: Flow) -> None:
    call = new_call([press("1"), press("1")])
    call.switches.calamity = "calamity-storm"
    outcome = await call.run(flow)
    assert call.caller.played[:4] == [*OPENING, "calamity-storm", "municipality"]
    assert summary(outcome.steps)[2] == ("calamity", None, StepOutcome.CALAMITY)
    # Asked when the call reached the hook, after the two opening messages.
    assert call.switches.calamity_asked_at == [T0 + timedelta(seconds=2 * PLAY_S)]


async def test_calamity_switched_off_passes_straight_through(flow: Flow) -> None:
    call = new_call([press("1"), press("1")])
    outcome = await call.run(flow)
    assert call.caller.played[:3] == [*OPENING, "municipality"]
    assert "calamity" not in {s.node for s in outcome.steps}
    assert len(call.switches.calamity_asked_at) == 1


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
        await run_ivr(flow, call.caller, call.switches.context(), "ivr/{}".format, on_step)
    assert summary(reported) == [*OPENING_STEPS, ("municipality", "1", StepOutcome.CHOSEN)]


async def test_each_step_carries_the_time_it_happened(flow: Flow) -> None:
    call = new_call([press("1"), barge("2")])
    outcome = await call.run(flow)
    offsets = [(s.at - T0).total_seconds() for s in outcome.steps]
    # Two messages, the municipality menu plus the wait for the key, half a topic menu.
    assert offsets == [PLAY_S, 2 * PLAY_S, 3 * PLAY_S + WAIT_S, 3.5 * PLAY_S + WAIT_S]


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
