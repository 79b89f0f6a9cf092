"""A feature code dialled on an agent's softphone (FastAGI ``/feature``), confirmed by voice.

The dialplan of the positions sends ``*5X`` codes here; the phone's extension names the
position, the agent seated there is who the code is about (except ``*51N``, which logs
agent N in, after their PIN when they have one). The answer is a short Dutch
confirmation, or "Dat kan nu niet." with the reason in the log. ``KCC_HANDLED`` tells
the dialplan not to play its own refusal tone. Every code that names an action goes into
the audit log (``acd.audit``) as done, refused or, after three wrong PINs, forbidden.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from typing import Protocol

from acd.agents.features import (
    ACTIONS,
    ASK_PIN,
    ASK_PIN_AGAIN,
    REFUSED,
    AgentCode,
    FeatureError,
    confirmation,
    parse_feature,
)
from acd.agi.port import AgiChannel
from acd.audit import AuditEntry, AuditLog, Outcome, Via
from acd.clock import Clock
from acd.core import inputs as ev
from contract.dialplan import HANDLED, Var
from site_config.passwords import verify_password

log = logging.getLogger(__name__)

PIN_TRIES = 3
PIN_DIGIT_TIMEOUT_S = 5.0  # between two keys of the PIN
MAX_PIN_DIGITS = 8


def _pin_matches(pin: str, stored: str) -> bool:
    return verify_password(pin, stored)


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
        audit: AuditLog,
        pins: Mapping[str, str] | None = None,
    ) -> None:
        self._commands, self._clock = commands, clock
        self._positions, self._prompt_name = positions, prompt_name
        self._audit = audit
        self._pins = dict(pins or {})  # agent id -> the PIN's scrypt hash

    async def handle(self, agi: AgiChannel) -> None:
        code = agi.env.extension
        extension = agi.env.channel.removeprefix("PJSIP/").rsplit("-", 1)[0]
        position_id = self._positions.get(extension)
        if position_id is None:
            log.warning("feature code %s from %s, which is no TIC position", code, extension)
            await self._confirm(agi, REFUSED)
            return
        seated = self._commands.agent_at(position_id)
        parsed = parse_feature(
            code, position_id=position_id, seated_agent=seated, at=self._clock.now()
        )
        if isinstance(parsed, FeatureError):
            log.warning("feature code at %s: %s", position_id, parsed.why)
            await self._confirm(agi, REFUSED)
            return
        stored = self._pins.get(parsed.agent_id) if isinstance(parsed, ev.AgentLogin) else None
        if stored is not None and not await self._pin_given(agi, stored):
            why = f"wrong PIN {PIN_TRIES} times for agent {parsed.agent_id} at {position_id}"
            log.warning("feature code at %s: %s", position_id, why)
            self._record(parsed, position_id, Outcome.FORBIDDEN, why)
            await self._confirm(agi, REFUSED)
            return
        refused = self._commands.command(parsed)
        outcome = Outcome.DONE if refused is None else Outcome.REFUSED
        self._record(parsed, position_id, outcome, refused)
        await self._confirm(agi, confirmation(parsed) if refused is None else REFUSED)

    async def _pin_given(self, agi: AgiChannel, stored: str) -> bool:
        """Ask for the PIN up to three times; the scrypt check runs off the event loop."""
        await agi.answer()
        for attempt in range(PIN_TRIES):
            digits = await self._read_pin(agi, ASK_PIN if attempt == 0 else ASK_PIN_AGAIN)
            matches: bool = bool(digits) and await asyncio.to_thread(_pin_matches, digits, stored)
            if matches:
                return True
        return False

    async def _read_pin(self, agi: AgiChannel, prompt: str) -> str:
        keys = await agi.stream_file(self._prompt_name(prompt), escape_digits="0123456789#") or ""
        while not keys.endswith("#") and len(keys) <= MAX_PIN_DIGITS:
            key = await agi.wait_for_digit(PIN_DIGIT_TIMEOUT_S)
            if key is None:
                break
            keys += key
        return keys.removesuffix("#")

    def _record(
        self, parsed: AgentCode, position_id: str, outcome: Outcome, reason: str | None
    ) -> None:
        agent_id = parsed.agent_id
        detail = {"position": position_id}
        if isinstance(parsed, ev.AgentPause):
            detail["reason"] = parsed.reason.value
        entry = AuditEntry(
            at=self._clock.now(),
            user=f"agent {agent_id}",
            via=Via.PHONE,
            action=ACTIONS[type(parsed)],
            outcome=outcome,
            agent_id=agent_id,
            reason=reason,
            detail=detail,
        )
        self._audit.record(entry)

    async def _confirm(self, agi: AgiChannel, prompt: str) -> None:
        await agi.set_variable(Var.HANDLED, HANDLED)
        await agi.answer()
        await agi.stream_file(self._prompt_name(prompt))
