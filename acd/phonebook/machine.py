"""Presence, decided without I/O: a phone's line from its hint, and a colleague's status.

A colleague's presence has two halves. The **line** comes from Asterisk: the hint of
their extension (``ExtensionStatus``) says whether the phone is registered, free,
ringing or in a call. Their **own status** is what they set themselves: available, in a
meeting, absent (until a moment), working from home. An absence with an end lapses by
itself at that moment; the other statuses last until changed.

``reachable`` combines them the way an agent choosing whom to transfer to would: a
registered, free phone of someone available or working from home.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from acd.ami.events import HintState


class Line(enum.StrEnum):
    NOT_REGISTERED = "not_registered"  # no phone registered (or the hint is gone)
    FREE = "free"
    RINGING = "ringing"
    IN_CALL = "in_call"  # talking, on hold or busy; ringing as well counts as in a call


def line_of(state: HintState) -> Line:
    """The line for a hint's state flags (``acd.ami.events.HintState``)."""
    if state & HintState.UNAVAILABLE:
        return Line.NOT_REGISTERED
    if state & (HintState.INUSE | HintState.BUSY | HintState.ONHOLD):
        return Line.IN_CALL
    if state & HintState.RINGING:
        return Line.RINGING
    return Line.FREE


class Availability(enum.StrEnum):
    AVAILABLE = "available"
    MEETING = "meeting"  # "in overleg"
    ABSENT = "absent"  # "afwezig", maybe until a moment
    HOME = "home"  # "thuiswerken": reachable on the same extension


@dataclass(frozen=True, slots=True)
class OwnStatus:
    """What a colleague says of themself; ``until`` only with ``ABSENT``, and optional."""

    availability: Availability = Availability.AVAILABLE
    until: datetime | None = None
    since: datetime | None = None

    def __post_init__(self) -> None:
        if self.until is not None and self.availability is not Availability.ABSENT:
            raise ValueError(f"'until' is only for absent, not for {self.availability.value}")
        if self.until is not None and self.until.tzinfo is None:
            raise ValueError("'until' needs a time zone, e.g. 2026-12-02T17:00:00+01:00")

    def at(self, now: datetime) -> OwnStatus:
        """The status in force at ``now``: an absence whose end has passed has lapsed."""
        if self.until is not None and now >= self.until:
            return OwnStatus(Availability.AVAILABLE, None, self.until)
        return self


def reachable(line: Line, status: OwnStatus) -> bool:
    """Can a caller be put through now: a free phone of someone there to answer it."""
    return line is Line.FREE and status.availability in (Availability.AVAILABLE, Availability.HOME)
