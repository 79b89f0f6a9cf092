"""The sans-I/O heart of the ACD: agents, calls and dispatch, as inputs in, effects out.

``Acd`` (``acd.core.acd``) is fed frozen inputs (``acd.core.inputs``) and returns frozen
effects (``acd.core.effects``); the asyncio adapter in ``acd.controller`` performs them.
The agent and call state machines (``agents``, ``calls``) are explicit
transition tables; ``dispatch`` decides which caller goes to which agent.
"""

from acd.core.acd import Acd
from acd.core.states import AgentState, CallState, PauseReason, PositionState
from acd.core.views import AgentView, PositionView, WaitingCall

__all__ = [
    "Acd",
    "AgentState",
    "AgentView",
    "CallState",
    "PauseReason",
    "PositionState",
    "PositionView",
    "WaitingCall",
]
