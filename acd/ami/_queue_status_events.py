"""Typed list items of the QueueStatus and QueueSummary answers.

Field names come from manager_queues_status() and manager_queues_summary() in
apps/app_queue.c (Asterisk 22). The code, not the XML docs, is followed:
QueueParams sends ``ServicelevelPerf`` (docs: ServiceLevelPerf), and a
QueueMember item names the member ``Name``/``Location`` where the
QueueMember* events say ``MemberName``/``Interface``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from acd.ami._frozen import fast_frozen
from acd.ami._snapshots import DeviceState, device_state
from acd.ami.frames import Event


@fast_frozen
@dataclass(frozen=True)
class QueueParams:
    """Queue-wide figures from QueueStatus; service level percentages are floats."""

    queue: str
    max: int
    strategy: str
    calls: int
    holdtime: int
    talktime: int
    completed: int
    abandoned: int
    service_level: int
    service_level_perf: float
    service_level_perf2: float
    weight: int

    @classmethod
    def from_frame(cls, frame: Event) -> QueueParams:
        h = frame.headers
        return cls(
            h["Queue"],
            int(h["Max"]),
            h["Strategy"],
            int(h["Calls"]),
            int(h["Holdtime"]),
            int(h["TalkTime"]),
            int(h["Completed"]),
            int(h["Abandoned"]),
            int(h["ServiceLevel"]),
            float(h.get("ServicelevelPerf") or h["ServiceLevelPerf"]),
            float(h.get("ServicelevelPerf2") or h["ServiceLevelPerf2"]),
            int(h["Weight"]),
        )


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


@fast_frozen
@dataclass(frozen=True)
class QueueEntry:
    """A waiting caller in the QueueStatus list. Caller id absent is None.

    This list item has no channel snapshot and no Linkedid; Asterisk writes
    "unknown" (without brackets) for absent caller id here.
    """

    queue: str
    position: int
    channel: str
    uniqueid: str
    caller_id_num: str | None
    caller_id_name: str | None
    connected_line_num: str | None
    connected_line_name: str | None
    wait: int
    priority: int

    @classmethod
    def from_frame(cls, frame: Event) -> QueueEntry:
        h = frame.headers
        return cls(
            h["Queue"],
            int(h["Position"]),
            h["Channel"],
            h["Uniqueid"],
            _none_if_unknown(h["CallerIDNum"]),
            _none_if_unknown(h["CallerIDName"]),
            _none_if_unknown(h["ConnectedLineNum"]),
            _none_if_unknown(h["ConnectedLineName"]),
            int(h["Wait"]),
            int(h["Priority"]),
        )


def _none_if_unknown(value: str) -> str | None:
    return None if value in ("unknown", "<unknown>") else value


@fast_frozen
@dataclass(frozen=True)
class QueueStatusComplete:
    list_items: int

    @classmethod
    def from_frame(cls, frame: Event) -> QueueStatusComplete:
        return cls(int(frame.headers["ListItems"]))


@fast_frozen
@dataclass(frozen=True)
class QueueSummary:
    """One queue in the QueueSummary list: members logged in/available, callers."""

    queue: str
    logged_in: int
    available: int
    callers: int
    hold_time: int
    talk_time: int
    longest_hold_time: int

    @classmethod
    def from_frame(cls, frame: Event) -> QueueSummary:
        h = frame.headers
        return cls(
            h["Queue"],
            int(h["LoggedIn"]),
            int(h["Available"]),
            int(h["Callers"]),
            int(h["HoldTime"]),
            int(h["TalkTime"]),
            int(h["LongestHoldTime"]),
        )


@fast_frozen
@dataclass(frozen=True)
class QueueSummaryComplete:
    list_items: int

    @classmethod
    def from_frame(cls, frame: Event) -> QueueSummaryComplete:
        return cls(int(frame.headers["ListItems"]))


QueueStatusEvent = (
    QueueParams
    | QueueMember
    | QueueEntry
    | QueueStatusComplete
    | QueueSummary
    | QueueSummaryComplete
)

BUILDERS: Mapping[str, Callable[[Event], QueueStatusEvent]] = {
    "QueueParams": QueueParams.from_frame,
    "QueueMember": QueueMember.from_frame,
    "QueueEntry": QueueEntry.from_frame,
    "QueueStatusComplete": QueueStatusComplete.from_frame,
    "QueueSummary": QueueSummary.from_frame,
    "QueueSummaryComplete": QueueSummaryComplete.from_frame,
}
