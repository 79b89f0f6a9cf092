"""The states of the ACD's three machines: agents, calls and TIC positions.

An agent's states and pause reasons are the event contract's own words
(``contract.vocabulary``): the machine's state *is* what goes on the stream. The enums
live apart from their transition tables (``agents``, ``calls``, ``floor``) only because
the inputs need ``PauseReason`` and the tables need the inputs; the machines re-export
them.
"""

from __future__ import annotations

from enum import Enum

from contract.vocabulary import AgentState, PauseReason

__all__ = [
    "BUSY_STATES",
    "WAITING_STATES",
    "AgentState",
    "CallState",
    "PauseReason",
    "PositionState",
]


BUSY_STATES = frozenset({AgentState.RINGING, AgentState.TALKING, AgentState.AFTER_CALL_WORK})
"""States in which an agent is occupied by a call: a pause or logout waits for its end."""


class CallState(Enum):
    """Where a queued call is, from the TIC's point of view."""

    QUEUED = "queued"
    RINGING = "ringing"
    TALKING = "talking"
    TRANSFERRED = "transferred"
    ENDED = "ended"


WAITING_STATES = frozenset({CallState.QUEUED, CallState.RINGING})
"""States in which the caller is still waiting for an agent (and hears the waiting message)."""


class PositionState(Enum):
    """Whether a TIC position may be logged in to; the peak position starts closed."""

    OPEN = "open"
    CLOSED = "closed"
