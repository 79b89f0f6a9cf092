"""Typed presence events: a hint's state (``ExtensionStatus``).

A hint (``exten => 301,hint,PJSIP/301``) sums up the devices of an extension into one
state; Asterisk sends ``ExtensionStatus`` to every AMI session with the ``call`` read
class when it changes, and as the list items of the ``ExtensionStateList`` action.
Field names and values come from Asterisk 22's main/manager.c (``manager_state_cb``,
``action_extensionstatelist``) and include/asterisk/pbx.h (``ast_extension_states``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import IntFlag

from acd.ami.frames import Event


class HintState(IntFlag):
    """``AST_EXTENSION_*``: a bit set; 0 is "not in use" and negatives are removals."""

    NOT_INUSE = 0
    INUSE = 1
    BUSY = 2
    UNAVAILABLE = 4
    RINGING = 8
    ONHOLD = 16


@dataclass(frozen=True, slots=True)
class ExtensionStatus:
    """A hint's state: ``status`` < 0 means the hint was removed or deactivated."""

    exten: str
    context: str
    hint: str
    status: int
    status_text: str

    @classmethod
    def from_frame(cls, frame: Event) -> ExtensionStatus:
        h = frame.headers
        return cls(
            h["Exten"], h["Context"], h.get("Hint", ""), int(h["Status"]), h.get("StatusText", "")
        )

    @property
    def removed(self) -> bool:
        return self.status < 0

    @property
    def state(self) -> HintState:
        """The state as flags; ``removed`` hints have none (``UNAVAILABLE``)."""
        return HintState.UNAVAILABLE if self.removed else HintState(self.status & 0x1F)


PresenceEvent = ExtensionStatus

BUILDERS: Mapping[str, Callable[[Event], PresenceEvent]] = {
    "ExtensionStatus": ExtensionStatus.from_frame,
}
