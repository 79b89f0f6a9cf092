"""The agents' side of a call over AMI: ringing, answer, hang-up, transfer.

``RingAgent`` becomes an asynchronous ``Originate`` to the agent's phone whose
application is ``Bridge`` to the waiting caller's channel: the moment the agent
answers, Asterisk pulls the caller out of their FastAGI wait and connects the
two. The agent leg's uniqueid is chosen by us (``ChannelId``), so every later
event about it is recognised without guessing, and a ringing leg can be hung up
by id when the caller gives up.

The answer to the Originate (``OriginateResponse``) says whether the agent
answered; reason 3 is no answer, 5 busy, 1/8 unreachable. The leg's ``Hangup``
event ends the talk; an ``AttendedTransfer`` by the leg is a warm transfer.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Mapping
from dataclasses import dataclass

from acd.ami import AmiClient, AmiError
from acd.ami.actions import Getvar, Originate

log = logging.getLogger(__name__)

# OriginateResponse Reason codes (Asterisk's AST_CONTROL_* values in the reply).
_REASONS: Mapping[int, str] = {
    3: "no_answer",
    5: "busy",
    8: "unavailable",
    1: "unavailable",
    0: "unavailable",
}


def failure_reason(reason: int) -> str:
    return _REASONS.get(reason, "error")


@dataclass(frozen=True, slots=True)
class AgentLeg:
    """One ringing or answered agent leg, by the uniqueid we gave it."""

    uniqueid: str
    call_id: str
    agent_id: str
    extension: str


class LegBook:
    """Agent legs by uniqueid and by call, and the ids to give new ones."""

    def __init__(self, prefix: str = "kcc") -> None:
        self._serial = itertools.count(1)
        self._prefix = prefix
        self.ringing: dict[str, AgentLeg] = {}  # call_id -> leg being rung
        self.answered: dict[str, AgentLeg] = {}  # uniqueid -> leg in a call

    def new_leg(self, call_id: str, agent_id: str, extension: str) -> AgentLeg:
        uniqueid = f"{self._prefix}-{call_id}-{next(self._serial)}"
        leg = AgentLeg(uniqueid, call_id, agent_id, extension)
        self.ringing[call_id] = leg
        return leg

    def in_call(self, call_id: str) -> bool:
        """An agent answered this call and their leg is still up."""
        return self.agent_in_call(call_id) is not None

    def agent_in_call(self, call_id: str) -> str | None:
        """The agent whose answered leg of this call is still up, if any."""
        legs = self.answered.values()
        return next((leg.agent_id for leg in legs if leg.call_id == call_id), None)


def originate_for(
    leg: AgentLeg, caller_channel: str, ring_timeout_s: float, caller_id: str
) -> Originate:
    """Ring the agent; on answer, bridge to the caller.

    ``F(kcc-done^s^1)``: when the agent hangs up, the caller is hung up too instead
    of running on in the dialplan (which would queue them again). In Bridge's own
    terms the agent's leg is the *calling* party: ``T`` lets the agent transfer
    (``#2``); ``t`` would give the caller on 14023 that key instead.
    """
    return Originate(
        channel=f"PJSIP/{leg.extension}",
        application="Bridge",
        data=f"{caller_channel},F(kcc-done^s^1)T",
        timeout=ring_timeout_s,
        caller_id=caller_id,
        channel_id=leg.uniqueid,
        # A warm transfer (#2) dials from kcc-internal: positions and back offices.
        variables={
            "KCC_CALLID": leg.call_id,
            "KCC_AGENT": leg.agent_id,
            "TRANSFER_CONTEXT": "kcc-internal",
        },
    )


async def channel_up(ami: AmiClient, uniqueid: str) -> bool:
    """Whether the leg ``uniqueid`` is answered (state Up); False when it is gone.

    A leg is answered before its ``Bridge`` takes the caller out of FastAGI, so when a
    caller's session ends while their leg rings, this tells a bridge (wait for the
    Originate answer) from a caller who hung up (stop ringing now).
    """
    try:
        result = await ami.send_action(Getvar(channel=uniqueid, variable="CHANNEL(state)"))
    except AmiError:
        return False
    return result.response.headers.get("Value") == "Up"
