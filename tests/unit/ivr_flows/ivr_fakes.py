"""Scripted fakes for driving ``run_ivr``: a caller that presses keys, a clock, live switches
and the opening hours of both municipalities.

Also the sample 14023 flow's expectations (which keys lead to which queues) and small helpers
that reduce an outcome or its steps to something plain to compare against.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import ivr_flows
from ivr_flows.channel import IvrChannel
from ivr_flows.engine import EnterQueue, HangUp, RecordStep, StepOutcome
from ivr_flows.hours import MunicipalityHours, WeeklyOpeningHours
from ivr_flows.inputs import LiveSwitches
from ivr_flows.loader import load_flow
from ivr_flows.model import Flow
from ivr_flows.runner import HungUp, IvrContext, IvrResult, Queued, run_ivr

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
T0 = datetime(2026, 3, 3, 9, 0, tzinfo=UTC)  # a Tuesday, 10:00 in Amsterdam
OFFICE_HOURS = MunicipalityHours(weekly=WeeklyOpeningHours.workdays(time(8), time(17)))
CLOSED_ALL_WEEK = MunicipalityHours(weekly=WeeklyOpeningHours())
PLAY_S = 4.0  # how long every prompt takes to play in the fake
WAIT_S = 1.0  # how long the scripted caller takes to press a key after a prompt


def load_sample_flow() -> Flow:
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
    """The time as the scripted call lets it pass; ``read_at`` lists each time it is read."""

    def __init__(self) -> None:
        self.moment = T0
        self.read_at: list[datetime] = []

    def now(self) -> datetime:
        self.read_at.append(self.moment)
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
    """The floor manager's live switches; ``later`` flips them at a moment during the call."""

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.calamity: str | None = None
        self.topic_menu = True
        self.later: list[tuple[datetime, LiveSwitches]] = []
        self.read_at: list[datetime] = []

    def read(self) -> LiveSwitches:
        self.read_at.append(self.clock.moment)
        current = LiveSwitches(calamity_prompt=self.calamity, topic_menu_enabled=self.topic_menu)
        for moment, switched in self.later:
            if self.clock.moment >= moment:
                current = switched
        return current


@dataclasses.dataclass
class Call:
    caller: ScriptedCaller
    clock: FakeClock
    switches: Switches
    opening: dict[str, MunicipalityHours] = dataclasses.field(
        default_factory=lambda: dict.fromkeys(MUNICIPALITY_BY_DIGIT.values(), OFFICE_HOURS)
    )
    reported: list[RecordStep] = dataclasses.field(default_factory=list)

    def context(self) -> IvrContext:
        return IvrContext(opening=self.opening, now=self.clock.now, switches=self.switches.read)

    async def run(self, flow: Flow, **kwargs: int) -> IvrResult:
        channel: IvrChannel = self.caller  # the fake must satisfy the protocol
        return await run_ivr(
            flow, channel, self.context(), "ivr/{}".format, self.reported.append, **kwargs
        )


def new_call(keys: Sequence[Key], hang_up_at: str = "") -> Call:
    clock = FakeClock()
    return Call(ScriptedCaller(keys, clock, hang_up_at), clock, Switches(clock))


def ended(outcome: IvrResult) -> EnterQueue | HangUp:
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
