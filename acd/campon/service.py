"""CampOnRequests: a TIC agent camps their caller on a colleague who is in a call.

Only a talking agent may, and only on a back-office colleague whose line is in a call:
a free line is what the warm transfer is for, and one not registered has nobody to wait
for. The caller's channel is moved out of the agent's call with AMI ``Redirect`` into
``kcc-campon`` (``acd.campon.session`` takes them there); the agent's leg, left alone
in its bridge, hangs up a moment later.

For the ACD core the call is **transferred** to the colleague's department, as a warm
transfer is: the agent goes on to after-call work and the call does not count as handled
directly. The transfer must reach the core *before* the leg's hang-up, which would
otherwise complete the call as handled: it is fed when Asterisk accepted the
``Redirect``, or, should the leg's ``Hangup`` event come first, by
``acd.campon.consumer`` just before the agents' consumer sees it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from acd.agents.machine import Leg
from acd.agents.service import AgentLegs
from acd.ami import AmiError
from acd.ami.actions import Redirect
from acd.ami.port import AmiPort
from acd.backoffice.directory import Departments
from acd.clock import Clock
from acd.core import effects as fx
from acd.core import inputs as core
from acd.phonebook.machine import Line
from acd.phonebook.service import Phonebook
from contract.dialplan import Context

log = logging.getLogger(__name__)

Feed = Callable[[core.Input], Sequence[fx.Effect]]

_LINE_REFUSALS = {
    Line.FREE: "is free: use the warm transfer",
    Line.RINGING: "is ringing, not in a call: use the warm transfer",
    Line.NOT_REGISTERED: "has no phone registered: nobody to wait for",
}


class CampOnRequests:
    """Starts agents' camp-ons; see the module docstring."""

    def __init__(
        self,
        ami: AmiPort,
        legs: AgentLegs,
        departments: Departments,
        phonebook: Phonebook,
        clock: Clock,
        feed: Feed,
    ) -> None:
        self._ami, self._legs, self._departments = ami, legs, departments
        self._phonebook, self._clock, self._feed = phonebook, clock, feed
        self._moving: dict[str, tuple[Leg, str]] = {}  # leg uniqueid -> (leg, department)

    async def start(self, agent_id: str, extension: str) -> str | None:
        """Camp the agent's caller on ``extension``; the reason it cannot, or None."""
        department = self._departments.department_of(extension)
        if department is None:
            return f"extension {extension} is no back-office extension"
        leg = self._legs.talking_leg_of(agent_id)
        if leg is None:
            return f"agent {agent_id} is on no call"
        line = self._phonebook.entry(extension).line
        if line is not Line.IN_CALL:
            return f"the line of {extension} {_LINE_REFUSALS[line]}"
        if not leg.caller_channel or leg.uniqueid in self._moving:
            return f"agent {agent_id}'s caller cannot be moved now"
        self._moving[leg.uniqueid] = (leg, department)
        action = Redirect(channel=leg.caller_channel, context=Context.CAMP_ON, exten=extension)
        try:
            await self._ami.send_action(action)
        except AmiError as exc:
            self._moving.pop(leg.uniqueid, None)
            return f"Asterisk refused the camp-on: {exc}"
        self.transferred(leg.uniqueid)
        log.info("agent %s camped call %s on %s", agent_id, leg.call_id, extension)
        return None

    def call_entries(self) -> dict[str, int]:
        """The agents' legs a camp-on is moving now (``acd.call_tables``)."""
        return {"moving": len(self._moving)}

    def transferred(self, uniqueid: str) -> None:
        """The caller has left the agent's leg ``uniqueid`` for a camp-on: tell the core
        (once; nothing for a leg no camp-on is moving)."""
        moving = self._moving.pop(uniqueid, None)
        if moving is None:
            return
        leg, department = moving
        self._feed(
            core.CallTransferred(
                call_id=leg.call_id,
                agent_id=leg.agent_id,
                department=department,
                at=self._clock.now(),
            )
        )
