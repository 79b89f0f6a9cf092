"""app_queue's dynamic members on a FakeAmi, and the ``QueueStatus`` items that list them."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from acd.ami.actions import QueueAdd, QueuePause, QueueRemove
from acd.ami.events import AmiEvent
from acd.ami.fake import FakeAmi, Reply, event, failure, success


def queue_status_member(
    queue: str, extension: str, agent_id: str, *, paused: bool = False, penalty: int = 0
) -> AmiEvent:
    """One ``QueueMember`` item of a QueueStatus answer, as Asterisk 22 writes it.

    The list item names the member ``Name``/``Location`` (the recorded trace), where
    the ``QueueMember*`` events say ``MemberName``/``Interface``.
    """
    return event(
        "QueueMember",
        [
            ("Queue", queue),
            ("Name", agent_id),
            ("Location", f"PJSIP/{extension}"),
            ("StateInterface", f"PJSIP/{extension}"),
            ("Membership", "dynamic"),
            ("Penalty", str(penalty)),
            ("CallsTaken", "0"),
            ("LastCall", "0"),
            ("LastPause", "0"),
            ("LoginTime", "1781500000"),
            ("InCall", "0"),
            ("Status", "1"),
            ("Paused", "1" if paused else "0"),
            ("PausedReason", "kcc" if paused else ""),
            ("Wrapuptime", "0"),
        ],
    )


@dataclass
class AppQueue:
    """app_queue's dynamic members on a FakeAmi, as the queue actions leave them.

    Each ``QueueAdd``/``QueueRemove``/``QueuePause`` takes effect when it arrives (one
    AMI session's actions are handled in order) and is refused as Asterisk refuses it
    (already there, not there, no such member). ``hold`` keeps the answer to the next
    action back until ``release``: a slow Asterisk. ``listed`` is what ``QueueStatus``
    would list now.
    """

    ami: FakeAmi
    members: dict[tuple[str, str], tuple[str, bool]] = field(default_factory=dict)
    penalties: dict[tuple[str, str], int] = field(default_factory=dict)  # 0 unless given
    _gate: asyncio.Event | None = None
    _held: asyncio.Event | None = None

    def __post_init__(self) -> None:
        self.ami.answer(QueueAdd, self._add)
        self.ami.answer(QueueRemove, self._remove)
        self.ami.answer(QueuePause, self._pause)

    def hold(self) -> None:
        self._gate = asyncio.Event()

    def release(self) -> None:
        assert self._held is not None, "no answer is held"
        self._held.set()
        self._held = None

    def queues_of(self, extension: str) -> dict[str, bool]:
        """The queues ``extension`` is a member of, with whether it is paused there."""
        interface = f"PJSIP/{extension}"
        return {q: paused for (q, i), (_, paused) in sorted(self.members.items()) if i == interface}

    def listed(self) -> list[AmiEvent]:
        return [
            queue_status_member(
                queue,
                interface.removeprefix("PJSIP/"),
                name,
                paused=paused,
                penalty=self.penalties.get((queue, interface), 0),
            )
            for (queue, interface), (name, paused) in sorted(self.members.items())
        ]

    async def _answer(self, reply: Reply) -> Reply:
        gate, self._gate = self._gate, None
        if gate is not None:
            self._held = gate
            await gate.wait()
        return reply

    async def _add(self, action: QueueAdd) -> Reply:
        key = (action.queue, action.interface)
        if key in self.members:
            return await self._answer(failure("Unable to add interface: Already there"))
        self.members[key] = (action.member_name or action.interface, bool(action.paused))
        if action.penalty:
            self.penalties[key] = action.penalty
        return await self._answer(success("Added interface to queue"))

    async def _remove(self, action: QueueRemove) -> Reply:
        self.penalties.pop((action.queue, action.interface), None)
        if self.members.pop((action.queue, action.interface), None) is None:
            return await self._answer(failure("Unable to remove interface: Not there"))
        return await self._answer(success("Removed interface from queue"))

    async def _pause(self, action: QueuePause) -> Reply:
        keys = [k for k in self.members if k[1] == action.interface]
        keys = [k for k in keys if action.queue is None or k[0] == action.queue]
        if not keys:
            return await self._answer(failure("Interface not found"))
        for key in keys:
            self.members[key] = (self.members[key][0], action.paused)
        return await self._answer(
            success("Interface paused successfully" if action.paused else "Interface unpaused")
        )
