"""The states of the ACD's three machines: agents, calls and TIC positions.

The values are the strings of docs/events.md (``agent.state``, its ``reason``), so an
enum member's ``value`` is what goes on the event stream. The enums live apart from
their transition tables (``agents``, ``calls``, ``floor``) only because the inputs need
``PauseReason`` and the tables need the inputs; the machines re-export them.
"""

from __future__ import annotations

from enum import Enum


class AgentState(Enum):
    """Where an agent is in their working day, as the wallboard shows it."""

    LOGGED_OUT = "logged_out"
    AVAILABLE = "available"
    RINGING = "ringing"
    TALKING = "talking"
    AFTER_CALL_WORK = "after_call_work"
    PAUSED = "paused"


BUSY_STATES = frozenset({AgentState.RINGING, AgentState.TALKING, AgentState.AFTER_CALL_WORK})
"""States in which an agent is occupied by a call: a pause or logout waits for its end."""


class PauseReason(Enum):
    """Why an agent is paused; ``not_answering`` is set by the ACD, never chosen."""

    BREAK = "break"
    TRAINING = "training"
    BACKOFFICE = "backoffice"
    NOT_ANSWERING = "not_answering"


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
