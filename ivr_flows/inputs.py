"""What the IVR engine is fed: the caller's part of a call, each input with its moment.

Every input carries when it happened (``at``, timezone-aware) and the live switches in
force at that moment (``LiveSwitches``), so the engine never asks a clock or a settings
store while it decides; the adapter reads both once per input.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class LiveSwitches:
    """What the floor manager has switched at one moment."""

    calamity_prompt: str | None = None  # the calamity message's prompt id while it is on
    topic_menu_enabled: bool = True

    def __post_init__(self) -> None:
        if self.calamity_prompt == "":
            raise ValueError(
                "LiveSwitches.calamity_prompt=''; allowed: a prompt id, "
                "or None while no calamity message is on"
            )


@dataclass(frozen=True, slots=True, kw_only=True)
class _Input:
    """What every input carries: when it happened, and the live switches then."""

    at: datetime  # timezone-aware
    switches: LiveSwitches

    def __post_init__(self) -> None:
        if self.at.tzinfo is None or self.at.utcoffset() is None:
            raise ValueError(
                f"{type(self).__name__}.at={self.at.isoformat()} has no timezone; "
                "allowed: a timezone-aware datetime"
            )


@dataclass(frozen=True, slots=True, kw_only=True)
class Start(_Input):
    """The call has reached the IVR."""


@dataclass(frozen=True, slots=True, kw_only=True)
class PlayFinished(_Input):
    """The last ``Play`` ended; ``digit`` is the key that interrupted it, if any."""

    digit: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class DigitCollected(_Input):
    """The wait after a menu prompt ended; ``digit`` None means the timeout passed."""

    digit: str | None = None


IvrInput = Start | PlayFinished | DigitCollected
