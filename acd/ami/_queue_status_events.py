"""The typed list item of the QueueStatus answer that the controller reads.

QueueMember is how a restarted controller finds the agents still logged in to the
fallback queues; the other QueueStatus items (QueueParams, QueueEntry) stay
``GenericEvent``. Field names come from manager_queues_status() in
apps/app_queue.c (Asterisk 22), whose code, not its XML docs, is followed: the
list item names the member ``Name``/``Location`` where the QueueMember* events
say ``MemberName``/``Interface``, and has no ``Ringinuse``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from acd.ami._frozen import fast_frozen
from acd.ami._snapshots import DeviceState, device_state
from acd.ami.frames import Event


@fast_frozen
@dataclass(frozen=True)
class QueueMember:
    """One member in the QueueStatus list (``Name``/``Location`` on the wire)."""

    queue: str
    name: str
    location: str
    state_interface: str
    membership: str
    penalty: int
    calls_taken: int
    last_call: int
    last_pause: int
    login_time: int
    in_call: bool
    status: DeviceState
    paused: bool
    paused_reason: str
    wrapuptime: int

    @classmethod
    def from_frame(cls, frame: Event) -> QueueMember:
        h = frame.headers
        return cls(
            h["Queue"],
            h["Name"],
            h["Location"],
            h["StateInterface"],
            h["Membership"],
            int(h["Penalty"]),
            int(h["CallsTaken"]),
            int(h["LastCall"]),
            int(h["LastPause"]),
            int(h["LoginTime"]),
            h["InCall"] == "1",
            device_state(h["Status"]),
            h["Paused"] == "1",
            h["PausedReason"],
            int(h["Wrapuptime"]),
        )


QueueStatusEvent = QueueMember

BUILDERS: Mapping[str, Callable[[Event], QueueStatusEvent]] = {
    "QueueMember": QueueMember.from_frame,
}
