"""A feature code dialled on an agent's softphone (FastAGI ``/feature``), confirmed by voice.

The dialplan of the positions sends ``*5X`` codes here; the phone's extension names the
position, the agent seated there is who the code is about (except ``*51N``, which logs
agent N in). The answer is a short Dutch confirmation, or "Dat kan nu niet." with the
reason in the log. ``KCC_HANDLED`` tells the dialplan not to play its own refusal tone.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Protocol

from acd.agents.features import REFUSED, FeatureError, confirmation, parse_feature
from acd.agi.port import AgiChannel
from acd.clock import Clock
from contract.dialplan import HANDLED, Var

log = logging.getLogger(__name__)


class Commands(Protocol):
    """What a feature code asks of the queue (``acd.queue.service.QueueService``)."""

    def command(self, event: object) -> str | None: ...

    def agent_at(self, position_id: str) -> str | None: ...


class FeatureCodes:
    """Handles one feature-code call at a time; shared by all positions."""

    def __init__(
        self,
        commands: Commands,
        clock: Clock,
        *,
        positions: Mapping[str, str],
        prompt_name: Callable[[str], str],
    ) -> None:
        self._commands, self._clock = commands, clock
        self._positions, self._prompt_name = positions, prompt_name

    async def handle(self, agi: AgiChannel) -> None:
        code = agi.env.extension
        extension = agi.env.channel.removeprefix("PJSIP/").rsplit("-", 1)[0]
        position_id = self._positions.get(extension)
        if position_id is None:
            log.warning("feature code %s from %s, which is no TIC position", code, extension)
            await self._confirm(agi, REFUSED)
            return
        parsed = parse_feature(
            code,
            position_id=position_id,
            seated_agent=self._commands.agent_at(position_id),
            at=self._clock.now(),
        )
        if isinstance(parsed, FeatureError):
            log.warning("feature code at %s: %s", position_id, parsed.why)
            await self._confirm(agi, REFUSED)
            return
        refused = self._commands.command(parsed)
        await self._confirm(agi, confirmation(parsed) if refused is None else REFUSED)

    async def _confirm(self, agi: AgiChannel, prompt: str) -> None:
        await agi.set_variable(Var.HANDLED, HANDLED)
        await agi.answer()
        await agi.stream_file(self._prompt_name(prompt))
