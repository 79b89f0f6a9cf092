"""Runs one call through a flow: the I/O adapter around the sans-I/O ``IvrEngine``.

``run_ivr`` carries out the engine's effects on an ``IvrChannel`` in the order given and
feeds the results back. This is where the world is read: the clock and the live
switches once per input, the moment it happens, and put into that input. Each step is
handed to ``on_step`` the moment the engine records it, before the next prompt plays:
a caller who hangs up mid-menu (an exception from the channel, deliberately not caught
here) leaves every earlier step reported.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from ivr_flows.channel import BARGE_IN_DIGITS, IvrChannel
from ivr_flows.engine import (
    DEFAULT_MAX_NODES,
    ChooseMunicipality,
    CollectDigit,
    Effect,
    EnterQueue,
    HangUp,
    IvrEngine,
    IvrStateError,
    Play,
    RecordStep,
)
from ivr_flows.hours import MunicipalityHours
from ivr_flows.inputs import DigitCollected, IvrInput, LiveSwitches, PlayFinished, Start
from ivr_flows.model import Flow

StepReporter = Callable[[RecordStep], Awaitable[None] | None]


@dataclass(frozen=True, slots=True, kw_only=True)
class IvrContext:
    """What ``run_ivr`` takes from around the call.

    ``opening`` (opening hours by municipality id) is fixed and goes to the engine;
    ``now`` (timezone-aware) and ``switches`` are read once per input.
    """

    opening: Mapping[str, MunicipalityHours]
    now: Callable[[], datetime]
    switches: Callable[[], LiveSwitches]


@dataclass(frozen=True, slots=True)
class Queued(EnterQueue):
    """The caller left the IVR into a queue; also every step on the way, in order."""

    steps: tuple[RecordStep, ...]


@dataclass(frozen=True, slots=True)
class HungUp(HangUp):
    """The flow hung up (closed message); the municipality chosen and every step."""

    municipality: str | None
    steps: tuple[RecordStep, ...]


# An IvrResult *is* the terminal effect, so ``isinstance(outcome, EnterQueue)`` and
# ``outcome.topic`` work on it directly; it also carries what the caller did.
IvrResult = Queued | HungUp


async def run_ivr(
    flow: Flow,
    channel: IvrChannel,
    context: IvrContext,
    prompt_name: Callable[[str], str],
    on_step: StepReporter,
    *,
    max_nodes: int = DEFAULT_MAX_NODES,
) -> IvrResult:
    """Walk ``flow`` with the caller on ``channel`` until they queue or are hung up on.

    ``prompt_name`` turns a prompt id into what ``stream_file`` plays (e.g. the prompt
    manifest's ``playback_name``).
    """
    engine = IvrEngine(flow, opening=context.opening, max_nodes=max_nodes)
    driver = _Driver(channel, context, prompt_name, on_step)
    effects = engine.feed(Start(at=context.now(), switches=context.switches()))
    while True:
        result = await driver.carry_out(effects)
        if isinstance(result, Queued | HungUp):
            return result
        effects = engine.feed(result)


class _Driver:
    """Carries out one batch of effects; remembers the steps and the municipality."""

    def __init__(
        self,
        channel: IvrChannel,
        context: IvrContext,
        prompt_name: Callable[[str], str],
        on_step: StepReporter,
    ) -> None:
        self._channel, self._context = channel, context
        self._prompt_name, self._on_step = prompt_name, on_step
        self._steps: list[RecordStep] = []
        self._municipality: str | None = None

    async def carry_out(self, effects: tuple[Effect, ...]) -> IvrInput | IvrResult:
        """The input to feed back after the batch's last effect, or how the IVR ended."""
        for index, effect in enumerate(effects):
            result = await self._one(effect)
            if result is None:
                continue
            if index != len(effects) - 1:
                raise IvrStateError(f"{effect} is not the last effect of its batch: {effects}")
            return result
        raise IvrStateError(f"no effect to wait on or leave by in {effects}")

    async def _one(self, effect: Effect) -> IvrInput | IvrResult | None:
        match effect:
            case RecordStep():
                self._steps.append(effect)
                reported = self._on_step(effect)
                if inspect.isawaitable(reported):
                    await reported
            case ChooseMunicipality():
                self._municipality = effect.municipality_id
            case Play():
                escape = BARGE_IN_DIGITS if effect.barge_in else ""
                name = self._prompt_name(effect.prompt_id)
                digit = await self._channel.stream_file(name, escape)
                return PlayFinished(digit=digit, at=self._now(), switches=self._switches())
            case CollectDigit():
                digit = await self._channel.wait_for_digit(effect.timeout_s)
                return DigitCollected(digit=digit, at=self._now(), switches=self._switches())
            case EnterQueue():
                return Queued(effect.topic, effect.municipality, tuple(self._steps))
            case HangUp():
                return HungUp(effect.reason, self._municipality, tuple(self._steps))
        return None

    # The clock and the switches are read after the channel returns, so an input
    # carries the moment it happened and what was switched on then.
    def _now(self) -> datetime:
        return self._context.now()

    def _switches(self) -> LiveSwitches:
        return self._context.switches()
