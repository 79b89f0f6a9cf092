"""Agents as members of the fallback app_queue queues.

While the controller runs it routes calls itself, but it mirrors every login, logout
and pause into Asterisk's queues (one member per topic the agent handles, named by the
agent number) so that if it goes down, app_queue routes waiting callers by the same
skills. This module computes the AMI actions for one change; the controller sends them.
"""

from __future__ import annotations

from acd.ami.actions import Action, QueueAdd, QueuePause, QueueRemove
from asterisk_conf.dialplan import queue_name


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
