"""Agent feature codes dialled on the softphone, parsed into ACD core inputs.

=========  ==========================================================
``*51N``   log in as agent N at this phone's position (``*511001``)
``*52``    log out
``*53``    pause; ``*531`` break, ``*532`` training, ``*533`` back-office work
``*54``    available again (ends a pause)
``*55``    end after-call work now
``*56``    one more minute of after-call work
=========  ==========================================================

An agent with a PIN (``agents[].pin_hash``) is asked for it after ``*51N``: the digits
and ``#``, three tries.

Parsing is pure: the FastAGI handler in ``acd.agents.session`` gives it the dialled
code, the position of the calling phone and the agent seated there, and confirms by
voice with the texts below.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from acd.core import PauseReason
from acd.core import inputs as ev

PAUSE_REASONS = {
    "": PauseReason.BREAK,
    "1": PauseReason.BREAK,
    "2": PauseReason.TRAINING,
    "3": PauseReason.BACKOFFICE,
}
EXTEND_ACW_S = 60.0

FEATURE_TEXTS: dict[str, str] = {
    "feature-logged-in": "U bent aangemeld.",
    "feature-logged-out": "U bent afgemeld.",
    "feature-paused": "U staat op pauze.",
    "feature-available": "U bent beschikbaar.",
    "feature-more-after-call-work": "U heeft een minuut extra nawerktijd.",
    "feature-refused": "Dat kan nu niet.",
    "feature-pin": "Toets uw pincode, gevolgd door een hekje.",
    "feature-pin-again": (
        "Die pincode klopt niet. Toets uw pincode opnieuw, gevolgd door een hekje."
    ),
}
"""The confirmations an agent hears, by prompt id (rendered with the IVR's prompts)."""

_CONFIRMATIONS: dict[type, str] = {
    ev.AgentLogin: "feature-logged-in",
    ev.AgentLogout: "feature-logged-out",
    ev.AgentPause: "feature-paused",
    ev.AgentExtendAcw: "feature-more-after-call-work",
}
REFUSED = "feature-refused"
ASK_PIN, ASK_PIN_AGAIN = "feature-pin", "feature-pin-again"

AgentCode = (
    ev.AgentLogin
    | ev.AgentLogout
    | ev.AgentPause
    | ev.AgentUnpause
    | ev.AgentEndAcw
    | ev.AgentExtendAcw
)
"""What a feature code asks for: always about one agent."""

ACTIONS: dict[type, str] = {
    ev.AgentLogin: "login",
    ev.AgentLogout: "logout",
    ev.AgentPause: "pause",
    ev.AgentUnpause: "available",
    ev.AgentEndAcw: "after-call-work/end",
    ev.AgentExtendAcw: "after-call-work/extend",
}
"""The audit log's name of each action, the same as the control API's."""


def confirmation(parsed: object) -> str:
    """The prompt that confirms a carried-out feature code."""
    return _CONFIRMATIONS.get(type(parsed), "feature-available")


@dataclass(frozen=True, slots=True)
class FeatureError:
    """A code that cannot be carried out, with the reason for the log and the agent."""

    why: str


def parse_feature(
    code: str, *, position_id: str, seated_agent: str | None, at: datetime
) -> AgentCode | FeatureError:
    """The core input for ``code`` dialled at ``position_id``, or why there is none."""
    if not code.startswith("*5") or len(code) < 3:
        return FeatureError(f"{code!r} is not a feature code (*51..*56)")
    key, rest = code[2], code[3:]
    if key == "1":
        if not rest.isdigit():
            return FeatureError(f"log in needs the agent number after *51, got {code!r}")
        return ev.AgentLogin(agent_id=rest, position_id=position_id, at=at)
    if seated_agent is None:
        return FeatureError(f"nobody is logged in at position {position_id}")
    if rest and key != "3":
        return FeatureError(f"{code!r}: *5{key} takes no digits after it")
    match key:
        case "2":
            return ev.AgentLogout(agent_id=seated_agent, at=at)
        case "3" if rest in PAUSE_REASONS:
            return ev.AgentPause(agent_id=seated_agent, reason=PAUSE_REASONS[rest], at=at)
        case "4":
            return ev.AgentUnpause(agent_id=seated_agent, at=at)
        case "5":
            return ev.AgentEndAcw(agent_id=seated_agent, at=at)
        case "6":
            return ev.AgentExtendAcw(agent_id=seated_agent, seconds=EXTEND_ACW_S, at=at)
    return FeatureError(f"unknown feature code {code!r}; known: *51N, *52, *53[1-3], *54, *55, *56")
