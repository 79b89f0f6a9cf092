"""What the controller hands the recordings library: one phone's take of a call."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Piece:
    """One segment file as Asterisk wrote it, and when it ran."""

    path: Path
    started_at: datetime
    stopped_at: datetime


@dataclass(frozen=True, slots=True)
class Mark:
    """One moment of the call's own timeline, kept with its recording for the player.

    ``kind`` is the stream event's type (``call.ivr_step``, ``call.queued``,
    ``call.announced``, ``call.offered``, ``call.answered``, ``backoffice.ringing``,
    ``backoffice.answered``, ``call.transferred``, ``call.recording``, ``call.ended``);
    ``label`` a short Dutch description; never the caller's number.
    """

    at: datetime
    kind: str
    label: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Take:
    call_id: str
    source: str  # the recording phone's channel (its uniqueid): one take per channel
    extension: str
    agent_id: str | None
    position_id: str | None
    topic: str | None
    municipality: str | None
    pieces: tuple[Piece, ...]
    category: str = "standard"
    timeline: tuple[Mark, ...] = ()  # the call's events, from its start
