"""Runs one call through a flow: the I/O adapter around the sans-I/O ``IvrEngine``.

``run_ivr`` carries out the engine's effects on an ``IvrChannel`` in the order given and
feeds the results back. Each step is handed to ``on_step`` the moment the engine
records it, before the next prompt plays: a caller who hangs up mid-menu (an exception
from the channel, deliberately not caught here) leaves every earlier step reported.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from ivr_flows.channel import BARGE_IN_DIGITS, IvrChannel
from ivr_flows.engine import (
    DEFAULT_MAX_NODES,
    ChooseMunicipality,
    CollectDigit,
    DigitCollected,
    Effect,
    EnterQueue,
    HangUp,
    IvrContext,
    IvrEngine,
    IvrInput,
    IvrStateError,
    Play,
    PlayFinished,
    RecordStep,
    Start,
)
from ivr_flows.model import Flow

StepReporter = Callable[[RecordStep], Awaitable[None] | None]


@dataclass(frozen=True, slots=True)
class Queued(EnterQueue):
    """The caller left the IVR into a queue; also every step on the way, in order."""

    steps: tuple[RecordStep, ...]


@dataclass(frozen=True, slots=True)
class HungUp(HangUp):
    """The flow hung up (closed message); the municipality chosen and every step."""

    municipality: str | None
    steps: tuple[RecordStep, ...]


# An IvrOutcome *is* the terminal effect, so ``isinstance(outcome, EnterQueue)`` and
# ``outcome.topic`` work on it directly; it also carries what the caller did.
IvrOutcome = Queued | HungUp


async def run_ivr(
    flow: Flow,
    channel: IvrChannel,
    context: IvrContext,
    prompt_name: Callable[[str], str],
    on_step: StepReporter,
    *,
    max_nodes: int = DEFAULT_MAX_NODES,
) -> IvrOutcome:
    """Walk ``flow`` with the caller on ``channel`` until they queue or are hung up on.

    ``prompt_name`` turns a prompt id into what ``stream_file`` plays (e.g. the prompt
    manifest's ``playback_name``).
    """
    driver = _Driver(channel, prompt_name, on_step)
    engine = IvrEngine(flow, context, max_nodes=max_nodes)
    effects = engine.feed(Start())
    while True:
        result = await driver.carry_out(effects)
        if isinstance(result, Queued | HungUp):
            return result
        effects = engine.feed(result)


class _Driver:
    """Carries out one batch of effects; remembers the steps and the municipality."""

    def __init__(
        self, channel: IvrChannel, prompt_name: Callable[[str], str], on_step: StepReporter
    ) -> None:
        self._channel, self._prompt_name, self._on_step = channel, prompt_name, on_step
        self._steps: list[RecordStep] = []
        self._municipality: str | None = None

    async def carry_out(self, effects: tuple[Effect, ...]) -> IvrInput | IvrOutcome:
        """The input to feed back after the batch's last effect, or how the IVR ended."""
        for index, effect in enumerate(effects):
            result = await self._one(effect)
            if result is None:
                continue
            if index != len(effects) - 1:
                raise IvrStateError(f"{effect} is not the last effect of its batch: {effects}")
            return result
        raise IvrStateError(f"no effect to wait on or leave by in {effects}")

    async def _one(self, effect: Effect) -> IvrInput | IvrOutcome | None:
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
                return PlayFinished(await self._channel.stream_file(name, escape))
            case CollectDigit():
                return DigitCollected(await self._channel.wait_for_digit(effect.timeout_s))
            case EnterQueue():
                return Queued(effect.topic, effect.municipality, tuple(self._steps))
            case HangUp():
                return HungUp(effect.reason, self._municipality, tuple(self._steps))
        return None
