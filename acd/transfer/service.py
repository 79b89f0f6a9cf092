"""WarmTransfer: an agent's attended transfer to a position or a back-office phone.

Asterisk's ``Atxfer`` does what ``#2`` on the phone does: the caller is held and the
agent consults the colleague from ``kcc-internal``; the agent hanging up completes the
transfer, ``*1`` gives it up. What came of it arrives through ``acd.transfer.consumer``.

From the agent page the consult is completed or given up without the phone's keys:
``complete`` hangs up the agent's own leg, which is what completes an attended
transfer in Asterisk (the caller is bridged to the colleague); ``cancel`` hangs up the
colleague's leg, which ends the consult and gives the agent their caller back.
"""

from __future__ import annotations

from collections.abc import Callable

from acd.agents.service import AgentLegs
from acd.ami import AmiError
from acd.ami.actions import Atxfer, Hangup
from acd.ami.port import AmiPort
from acd.backoffice.directory import Departments
from contract.dialplan import Context


class WarmTransfer:
    """Starts warm transfers for agents on a call."""

    def __init__(
        self,
        ami: AmiPort,
        legs: AgentLegs,
        departments: Departments,
        *,
        positions: frozenset[str],
        consult_leg: Callable[[str], str | None],
    ) -> None:
        self._ami, self._legs = ami, legs
        self._departments, self._positions = departments, positions
        self._consult_leg = consult_leg

    async def start(self, agent_id: str, extension: str) -> str | None:
        """Consult ``extension`` for the agent's caller; the reason it cannot, or None."""
        if extension not in self._positions and extension not in self._departments:
            return f"extension {extension} is no position or back-office extension"
        leg = self._legs.talking_leg_of(agent_id)
        if leg is None:
            return f"agent {agent_id} is on no call"
        if extension == leg.extension:
            return f"agent {agent_id} cannot transfer to their own extension"
        action = Atxfer(channel=leg.uniqueid, exten=extension, context=Context.INTERNAL)
        try:
            await self._ami.send_action(action)
        except AmiError as exc:
            return f"Asterisk refused the transfer: {exc}"
        return None

    async def complete(self, agent_id: str) -> str | None:
        """Hand the caller over to the consulted colleague; the reason it cannot, or None."""
        leg = self._legs.talking_leg_of(agent_id)
        if leg is None:
            return f"agent {agent_id} is on no call"
        if self._consult_leg(leg.call_id) is None:
            return f"agent {agent_id} is consulting nobody: start a transfer first"
        return await self._hang_up(leg.uniqueid)

    async def cancel(self, agent_id: str) -> str | None:
        """End the consult and return to the caller; the reason it cannot, or None."""
        leg = self._legs.talking_leg_of(agent_id)
        if leg is None:
            return f"agent {agent_id} is on no call"
        consult = self._consult_leg(leg.call_id)
        if consult is None:
            return f"agent {agent_id} is consulting nobody"
        return await self._hang_up(consult)

    async def _hang_up(self, channel: str) -> str | None:
        try:
            await self._ami.send_action(Hangup(channel=channel))
        except AmiError as exc:
            return f"Asterisk refused: {exc}"
        return None
