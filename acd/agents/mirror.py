"""Agents as members of the fallback app_queue queues, and the logins they remember.

While the controller runs it routes calls itself, but it mirrors every login, logout
and pause into Asterisk's queues (one member per topic the agent handles, named by the
agent number) so that if it goes down, app_queue routes waiting callers by the same
skills. ``mirror_actions`` computes the AMI actions for one change (pure);
``FallbackMirror`` sends them; one agent's changes reach Asterisk in the order made.

The queues are also the memory that survives a controller crash: ``restore`` reads
their members at start-up and logs those agents back in, instead of logging the whole
floor out.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping, Sequence

from acd.ami import AmiError
from acd.ami.actions import Action, QueueAdd, QueuePause, QueueRemove, QueueStatus
from acd.ami.events import QueueMember
from acd.ami.port import AmiPort
from acd.clock import Clock
from acd.core import PauseReason
from acd.core import effects as fx
from acd.core import inputs as core
from acd.tasks import TaskSet
from contract.dialplan import queue_name

log = logging.getLogger(__name__)


def mirror_actions(
    *,
    agent_id: str,
    extension: str,
    had: frozenset[str],
    wanted: frozenset[str],
    paused: bool,
) -> list[Action]:
    """Remove the topics no longer wanted, add the new ones, set the pause on the rest."""
    interface = f"PJSIP/{extension}"
    actions: list[Action] = [
        QueueRemove(queue=queue_name(t), interface=interface) for t in sorted(had - wanted)
    ]
    actions += [
        QueueAdd(
            queue=queue_name(t),
            interface=interface,
            member_name=agent_id,
            state_interface=interface,
            paused=paused,
        )
        for t in sorted(wanted - had)
    ]
    actions += [
        QueuePause(interface=interface, paused=paused, queue=queue_name(t), reason="kcc")
        for t in sorted(wanted & had)
    ]
    return actions


class FallbackMirror:
    """The queue's ``MemberMirror``: app_queue membership kept like the core's agents."""

    def __init__(self, ami: AmiPort) -> None:
        self._ami = ami
        self._mirrored: dict[str, frozenset[str]] = {}  # agent -> topics in app_queue
        self._last: dict[str, asyncio.Task[None]] = {}  # agent -> its latest change's task
        self._tasks = TaskSet("fallback mirror")

    def apply(self, effect: fx.MirrorMember) -> None:
        wanted = effect.topics if effect.logged_in else frozenset()
        actions = mirror_actions(
            agent_id=effect.agent_id,
            extension=effect.extension,
            had=self._mirrored.get(effect.agent_id, frozenset()),
            wanted=wanted,
            paused=effect.paused,
        )
        self._mirrored[effect.agent_id] = wanted
        agent = effect.agent_id
        task = self._tasks.spawn(
            self._send(self._last.get(agent), agent, actions), name=f"mirror {agent}"
        )
        self._last[agent] = task
        task.add_done_callback(lambda done: self._forget(agent, done))

    def _forget(self, agent_id: str, task: asyncio.Task[None]) -> None:
        if self._last.get(agent_id) is task:
            del self._last[agent_id]

    def mirrored(self, agent_id: str) -> frozenset[str]:
        return self._mirrored.get(agent_id, frozenset())

    async def _send(
        self, before: asyncio.Task[None] | None, agent_id: str, actions: Sequence[Action]
    ) -> None:
        if before is not None:  # one agent's changes reach Asterisk in the order made
            await asyncio.wait({before})
        for action in actions:
            try:
                await self._ami.send_action(action)
            except AmiError as exc:
                log.warning("fallback queue mirror for %s: %s", agent_id, exc)

    async def restore(
        self,
        feed: Callable[[core.Input], object],
        clock: Clock,
        *,
        positions: Mapping[str, str],
        topics: Sequence[str],
        peak: frozenset[str] = frozenset(),
    ) -> bool:
        """Log back in the agents the fallback queues still hold (after a restart).

        ``positions`` maps an extension to its position id; ``topics`` are the site's;
        ``peak`` are the positions that start closed: one an agent is restored at was
        open before the restart, so it is opened again first. False when the queues
        could not be read (try again on the next connection).
        """
        try:
            result = await self._ami.send_action(QueueStatus())
        except AmiError as exc:
            log.warning("could not read queue members: %s", exc)
            return False
        by_queue = {queue_name(t): t for t in topics}
        found: dict[str, tuple[str, set[str], bool]] = {}
        for member in result.items(QueueMember):
            extension = member.location.removeprefix("PJSIP/")
            topic = by_queue.get(member.queue)
            if topic is None or extension not in positions:
                continue
            _, held, paused = found.setdefault(member.name, (positions[extension], set(), False))
            held.add(topic)
            found[member.name] = (positions[extension], held, paused or member.paused)
        for agent_id, (position_id, held, paused) in sorted(found.items()):
            self._mirrored[agent_id] = frozenset(held)
            at = clock.now()
            feed(core.AgentSetTopics(agent_id=agent_id, topics=frozenset(held), at=at))
            if position_id in peak:
                feed(core.PositionOpen(position_id=position_id, at=at))
            feed(core.AgentLogin(agent_id=agent_id, position_id=position_id, at=at))
            if paused:
                feed(core.AgentPause(agent_id=agent_id, reason=PauseReason.BREAK, at=at))
            log.info("restored agent %s at %s (%s)", agent_id, position_id, ", ".join(sorted(held)))
        return True

    async def idle(self) -> None:
        await self._tasks.idle()

    async def close(self) -> None:
        await self._tasks.close()
