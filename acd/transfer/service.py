"""WarmTransfer: start an agent's attended transfer to a position or a back-office phone.

Asterisk's ``Atxfer`` does what ``#2`` on the phone does: the caller is held and the
agent consults the colleague from ``kcc-internal``; the agent hanging up completes the
transfer, ``*1`` gives it up. What came of it arrives through ``acd.transfer.consumer``.
"""

from __future__ import annotations

from acd.agents.service import AgentLegs
from acd.ami import AmiError
from acd.ami.actions import Atxfer
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
    ) -> None:
        self._ami, self._legs = ami, legs
        self._departments, self._positions = departments, positions

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
