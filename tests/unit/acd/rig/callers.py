"""Callers and agents on the rig's floor.

``log_in``, ``queued`` and ``talking`` put agents and callers on the floor; ``dialled``
(``direct_caller``, ``direct_call``) is a caller of a back-office colleague's own number
and ``consult_channels`` a warm transfer's consult.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from acd.agi.fake import FakeAgiChannel
from acd.core import AgentState
from acd.core import inputs as ev
from acd.queue.service import QueuedCaller
from tests.unit.acd.rig.asterisk import ANSWERED
from tests.unit.acd.rig.controller import Rig
from tests.unit.acd.rig.events import Chan


@dataclass
class Waiting:
    """A caller waiting in a topic queue in their own FastAGI session."""

    agi: FakeAgiChannel
    task: asyncio.Task[None]
    call_id: str

    async def gone(self) -> None:
        """The session ends: hung up, or taken by an agent's Bridge."""
        self.agi.hang_up()
        await asyncio.wait_for(self.task, 2)


def log_in(r: Rig, agent_id: str, position_id: str) -> None:
    refused = r.controller.queue.command(
        ev.AgentLogin(agent_id=agent_id, position_id=position_id, at=r.clock.now())
    )
    assert refused is None, refused


async def queued(
    r: Rig, call_id: str, topic: str = "burgerzaken", *, channel: str = "PJSIP/trunk-00000001"
) -> Waiting:
    agi = FakeAgiChannel(linkedid=call_id, channel=channel, uniqueid=call_id)
    caller = QueuedCaller(call_id, channel, "0612345678", topic, "haarlem")
    task = asyncio.create_task(r.controller.queue_wait.wait(agi, caller))
    await r.settle()
    return Waiting(agi, task, call_id)


def state_of(r: Rig, agent_id: str) -> AgentState:
    return next(a.state for a in r.controller.queue.agents() if a.agent_id == agent_id)


async def talking(r: Rig, agent_id: str, position_id: str, call_id: str) -> Chan:
    """``agent_id`` at ``position_id`` answered ``call_id``; their leg's channel.

    The caller waited in the burgerzaken queue on ``PJSIP/trunk-00000001`` (uniqueid
    ``call_id``, the call's first channel); the agent's ``Bridge`` took them out of
    FastAGI. The agent's leg is ``TALKING`` from then on.
    """
    log_in(r, agent_id, position_id)
    extension = next(p.extension for p in r.controller.site.positions if p.id == position_id)
    r.asterisk.outcomes[extension] = ANSWERED
    caller = await queued(r, call_id)
    await caller.gone()
    leg = r.controller.legs.talking_leg_of(agent_id)
    assert leg is not None, f"{agent_id} did not answer {call_id}"
    return Chan(f"PJSIP/{extension}-00000002", leg.uniqueid, call_id)


# ------------------------------------------------------------ the back office

TRUNK = "PJSIP/trunk-0000000b"


def direct_caller(
    extension: str,
    call_id: str = "1718000000.7",
    *,
    uniqueid: str | None = None,
    caller: str = "0612345678",
    sleep: Callable[[float], Awaitable[None]] | None = None,
) -> FakeAgiChannel:
    """The FastAGI session (``/direct``) of a caller on ``TRUNK`` who dialled
    ``extension``'s own number; ``uniqueid`` is their channel's (``call_id`` by default:
    the call's first channel); ``sleep`` (a fake clock's) makes ``wait_for_digit`` wait."""
    return FakeAgiChannel(
        "direct",
        sleep=sleep,
        linkedid=call_id,
        channel=TRUNK,
        uniqueid=uniqueid or call_id,
        callerid=caller,
        dnid=extension,
        extension=extension,
    )


async def direct_call(r: Rig, agi: FakeAgiChannel) -> Waiting:
    """``DirectCalls.run`` on ``agi`` in a task, run as far as it goes: until the caller
    leaves, is answered and bridged, or has fallen back and left the TIC queue."""
    task = asyncio.create_task(r.controller.direct.run(agi))
    await r.settle()
    return Waiting(agi, task, agi.variables.get("CHANNEL(linkedid)") or agi.env.uniqueid)


async def dialled(r: Rig, extension: str, call_id: str = "1718000000.7") -> Waiting:
    """A caller dialled ``extension``'s own number; see ``direct_caller``, ``direct_call``."""
    return await direct_call(r, direct_caller(extension, call_id))


def consult_channels(extension: str, call_id: str, serial: int) -> tuple[Chan, Chan]:
    """A warm transfer's consult of ``extension``: its Local ``;2`` (which dials) and the
    colleague's phone, both in ``call_id`` (they inherit its Linkedid)."""
    local = Chan(f"Local/{extension}@kcc-internal-{serial:08x};2", f"l.{serial}", call_id)
    phone = Chan(f"PJSIP/{extension}-{serial:08x}", f"p.{serial}", call_id)
    return local, phone
