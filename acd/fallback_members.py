"""Agents as members of the fallback app_queue queues.

While the controller runs it routes calls itself, but it mirrors every login
into Asterisk's queues (one member per topic the agent handles, named by the
agent number) so that if it goes down, app_queue routes waiting callers by the
same skills. The same mapping staffs the queues in the demo and in tests.
"""

from __future__ import annotations

from asterisk_conf.dialplan import queue_name
from kcc.site import Agent, Position


def interface(position: Position) -> str:
    return f"PJSIP/{position.extension}"


def login_actions(agent: Agent, position: Position) -> list[dict[str, str]]:
    """QueueAdd actions that put `agent`, seated at `position`, in each of their topic queues."""
    return [
        {
            "Action": "QueueAdd",
            "Queue": queue_name(topic),
            "Interface": interface(position),
            "MemberName": agent.id,
            "StateInterface": interface(position),
            "Paused": "false",
        }
        for topic in agent.topics
    ]


def logout_actions(agent: Agent, position: Position) -> list[dict[str, str]]:
    return [
        {"Action": "QueueRemove", "Queue": queue_name(topic), "Interface": interface(position)}
        for topic in agent.topics
    ]
