"""Agents as members of the fallback app_queue queues, and the logins they remember.

While the controller runs it routes calls itself, but it mirrors every login, logout
and pause into Asterisk's queues (one member per topic the agent handles, named by the
agent number) so that if it goes down, app_queue routes waiting callers by the same
skills. ``memberships`` says which queues an agent belongs in, ``mirror_actions``
computes the AMI actions for one change (both pure); ``FallbackMirror`` sends them;
one agent's changes reach Asterisk in the order made.

Every logged-in agent is also a member of the general topic's queue, the one the
dialplan sends a caller to who never chose a topic (the controller was away when
the call came, or its FastAGI could not serve it), a direct call falling back and a
camp-on left behind. An agent without the general topic's skill is a member there
with ``BACKUP_PENALTY``: app_queue offers a general caller to the general topic's
own agents first and to everyone else only when none of those is free. Without it,
a floor whose agents all serve other topics leaves that caller waiting for nobody
until ``norms.max_wait_s`` (found under load: docs/reliability.md).

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

SKILL_PENALTY = 0  # a member of the queue of a topic the agent handles
BACKUP_PENALTY = 1  # a member of the general queue without its skill: offered last

Memberships = Mapping[str, int]  # topic -> the penalty of the agent's member in its queue


def memberships(topics: frozenset[str], *, logged_in: bool, general: str | None) -> Memberships:
    """The fallback queues a logged-in agent is a member of: their topics' and the
    general one (as a backup, unless it is one of their topics). None logged out."""
    if not logged_in:
        return {}
    wanted = dict.fromkeys(topics, SKILL_PENALTY)
    if general is not None:
        wanted.setdefault(general, BACKUP_PENALTY)
    return wanted


def mirror_actions(
    *,
    agent_id: str,
    extension: str,
    had: Memberships,
    wanted: Memberships,
    paused: bool,
) -> list[Action]:
    """Remove the memberships no longer wanted (or wanted at another penalty), add the
    new ones, set the pause on the rest; each step in the topics' order."""
    interface = f"PJSIP/{extension}"
    kept = {t for t in had.keys() & wanted.keys() if had[t] == wanted[t]}
    actions: list[Action] = [
        QueueRemove(queue=queue_name(t), interface=interface) for t in sorted(had.keys() - kept)
    ]
    actions += [
        QueueAdd(
            queue=queue_name(t),
            interface=interface,
            penalty=wanted[t] or None,
            member_name=agent_id,
            state_interface=interface,
            paused=paused,
        )
        for t in sorted(wanted.keys() - kept)
    ]
    actions += [
        QueuePause(interface=interface, paused=paused, queue=queue_name(t), reason="kcc")
        for t in sorted(kept)
    ]
    return actions


class FallbackMirror:
    """The queue's ``MemberMirror``: app_queue membership kept like the core's agents."""

    def __init__(self, ami: AmiPort, *, general: str | None = None) -> None:
        self._ami = ami
        self._general = general  # the general topic: every agent is in its queue
        self._mirrored: dict[str, Memberships] = {}  # agent -> their members in app_queue
        self._last: dict[str, asyncio.Task[None]] = {}  # agent -> its latest change's task
        self._tasks = TaskSet("fallback mirror")

    def apply(self, effect: fx.MirrorMember) -> None:
        wanted = memberships(effect.topics, logged_in=effect.logged_in, general=self._general)
        actions = mirror_actions(
            agent_id=effect.agent_id,
            extension=effect.extension,
            had=self._mirrored.get(effect.agent_id, {}),
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
        """The topics ``agent_id`` is a skilled member of in app_queue."""
        held = self._mirrored.get(agent_id, {})
        return frozenset(t for t, penalty in held.items() if penalty == SKILL_PENALTY)

    def memberships(self, agent_id: str) -> Memberships:
        """Every queue ``agent_id`` is a member of in app_queue, with its penalty."""
        return dict(self._mirrored.get(agent_id, {}))

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
        found: dict[str, tuple[str, dict[str, int], bool]] = {}
        for member in result.items(QueueMember):
            extension = member.location.removeprefix("PJSIP/")
            topic = by_queue.get(member.queue)
            if topic is None or extension not in positions:
                continue
            _, held, paused = found.setdefault(member.name, (positions[extension], {}, False))
            held[topic] = member.penalty
            found[member.name] = (positions[extension], held, paused or member.paused)
        for agent_id, (position_id, held, paused) in sorted(found.items()):
            self._mirrored[agent_id] = held
            # A backup member of the general queue holds no skill: its topics are the rest.
            skills = frozenset(t for t, penalty in held.items() if penalty == SKILL_PENALTY)
            at = clock.now()
            feed(core.AgentSetTopics(agent_id=agent_id, topics=skills, at=at))
            if position_id in peak:
                feed(core.PositionOpen(position_id=position_id, at=at))
            feed(core.AgentLogin(agent_id=agent_id, position_id=position_id, at=at))
            if paused:
                feed(core.AgentPause(agent_id=agent_id, reason=PauseReason.BREAK, at=at))
            shown = ", ".join(sorted(skills))
            log.info("restored agent %s at %s (%s)", agent_id, position_id, shown)
        return True

    async def idle(self) -> None:
        await self._tasks.idle()

    async def close(self) -> None:
        await self._tasks.close()
