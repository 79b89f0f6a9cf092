"""The words of the event stream: every value a typed field of an event may take.

Each enum's values are the strings on the stream (docs/events.md). The ACD core's agent
machine and the stats service's records use these same enums, so a state or a reason is
spelled in one place.
"""

from __future__ import annotations

from enum import StrEnum


class AgentState(StrEnum):
    """Where an agent is in their working day, as the wallboard shows it."""

    LOGGED_OUT = "logged_out"
    AVAILABLE = "available"
    RINGING = "ringing"
    TALKING = "talking"
    AFTER_CALL_WORK = "after_call_work"
    PAUSED = "paused"


class PauseReason(StrEnum):
    """Why an agent is paused; ``not_answering`` is set by the ACD, never chosen."""

    BREAK = "break"
    TRAINING = "training"
    BACKOFFICE = "backoffice"
    NOT_ANSWERING = "not_answering"


class IvrOutcome(StrEnum):
    """How one IVR step ended (``call.ivr_step``)."""

    CHOSEN = "chosen"
    NO_INPUT = "no_input"
    INVALID = "invalid"
    PLAYED = "played"
    CLOSED = "closed"
    CALAMITY = "calamity"
    MENU_OFF = "menu_off"  # a topic menu skipped because it is switched off
    LOOP_GUARD = "loop_guard"  # the flow visited too many nodes: to the general queue


class CallPhase(StrEnum):
    """Where a call was when it ended (``call.ended``)."""

    IVR = "ivr"
    QUEUE = "queue"
    RINGING = "ringing"
    TALKING = "talking"
    CLOSED = "closed"


class EndedBy(StrEnum):
    """Who ended a call (``call.ended``)."""

    CALLER = "caller"
    AGENT = "agent"
    SYSTEM = "system"


class OfferFailure(StrEnum):
    """Why ringing an agent for a call ended unanswered (``call.not_answered``)."""

    NO_ANSWER = "no_answer"
    BUSY = "busy"
    UNAVAILABLE = "unavailable"
    ERROR = "error"  # the phone could not be rung


class RingKind(StrEnum):
    """What made a back-office phone ring."""

    DIRECT = "direct"  # a caller dialled the extension's own number
    CONSULT = "consult"  # a TIC agent's warm transfer
    CAMP_ON = "camp_on"  # a caller camped on a colleague in a call: rung once it is free


class RingFailure(StrEnum):
    """Why a back-office ring ended unanswered (``backoffice.not_answered``)."""

    NO_ANSWER = "no_answer"
    BUSY = "busy"
    UNAVAILABLE = "unavailable"
    ERROR = "error"  # the phone could not be rung
    CALLER_LEFT = "caller_left"  # the caller hung up while it rang
    # A consult the TIC agent gave up; a camp-on ring the caller gave up with a key.
    CANCELLED = "cancelled"


class RingEndedBy(StrEnum):
    """Who hung up an answered direct call (``backoffice.ended``)."""

    CALLER = "caller"
    COLLEAGUE = "colleague"


class RecordingState(StrEnum):
    """What happened to a call's recording (``call.recording``)."""

    STARTED = "started"  # a segment started (the phone's #3, the API, the agent page)
    STOPPED = "stopped"  # the running segment stopped (a key, the API, the hang-up)
    STORED = "stored"  # the phone's recording of the call is encrypted and catalogued
    FAILED = "failed"  # a start or the storing failed; the call went on


class CallbackOutcome(StrEnum):
    """How a callback note was closed (``callback.done``)."""

    CALLED_BACK = "called_back"  # the caller was called back and helped
    NOT_REACHED = "not_reached"  # tried, but the caller could not be reached
    OTHERWISE = "otherwise"  # settled another way (a letter, an e-mail, not needed)
