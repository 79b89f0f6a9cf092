"""Asterisk's events as the rig's fakes emit them: channels, hangups, dials, transfers.

The builders lay out headers as Asterisk 22 writes them; ``acd.ami.fake.event`` parses
them with the real parser.
"""

from __future__ import annotations

from dataclasses import dataclass

from acd.ami.actions import Originate
from acd.ami.events import AmiEvent
from acd.ami.fake import channel, event


@dataclass(frozen=True)
class Chan:
    """A channel as the events name it."""

    name: str
    uniqueid: str
    linkedid: str = ""

    @property
    def linked(self) -> str:
        return self.linkedid or self.uniqueid

    def block(self, prefix: str = "", *, state: str = "6") -> list[tuple[str, str]]:
        return channel(prefix, name=self.name, uniqueid=self.uniqueid, linkedid=self.linked,
                       state=state)  # fmt: skip


def hangup(chan: Chan, cause: int = 16) -> AmiEvent:
    return event("Hangup", [*chan.block(), ("Cause", str(cause)), ("Cause-txt", "Normal")])


def hangup_request(chan: Chan) -> AmiEvent:
    return event("HangupRequest", [*chan.block(), ("Cause", "16")])


def dial_begin(dest: Chan, caller: Chan | None, dial_string: str) -> AmiEvent:
    """``caller`` None: an Originate dials, nobody's channel does (no caller block)."""
    own = caller.block() if caller is not None else []
    return event("DialBegin", [*own, *dest.block("Dest", state="5"), ("DialString", dial_string)])


def dial_end(dest: Chan, caller: Chan | None, status: str) -> AmiEvent:
    own = caller.block() if caller is not None else []
    return event("DialEnd", [*own, *dest.block("Dest"), ("DialStatus", status)])


def attended_transfer(
    orig: Chan, second: Chan, target: Chan | None, *, result: str = "Success"
) -> AmiEvent:
    headers = [
        ("Result", result),
        *orig.block("OrigTransferer"),
        *second.block("SecondTransferer"),
        *(target.block("TransferTarget") if target is not None else []),
        ("IsExternal", "No"),
        ("DestType", "Bridge"),
        ("DestBridgeUniqueid", "b-9"),
    ]
    return event("AttendedTransfer", headers)


def originate_response(
    action: Originate, *, answered: bool, reason: int, by: Chan | None = None
) -> AmiEvent:
    """The OriginateResponse for ``action``; ``by``: the channel that answered it."""
    if by is not None:
        name, uniqueid = by.name, by.uniqueid
    elif answered:
        name, uniqueid = f"{action.channel}-0000002a", action.channel_id or "<unknown>"
    else:
        name, uniqueid = action.channel, "<unknown>"
    return event(
        "OriginateResponse",
        [
            ("Response", "Success" if answered else "Failure"),
            ("Channel", name),
            ("Application", action.application or ""),
            ("Data", action.data or ""),
            ("Reason", str(reason)),
            ("Uniqueid", uniqueid),
            ("CallerIDNum", "<unknown>"),
            ("CallerIDName", "<unknown>"),
        ],
    )


def core_show_channel(chan: Chan) -> AmiEvent:
    return event(
        "CoreShowChannel",
        [*chan.block(), ("BridgeId", ""), ("Application", "Bridge"), ("ApplicationData", ""),
         ("Duration", "00:00:12")],
    )  # fmt: skip


HINT_TEXT = {0: "Idle", 1: "InUse", 2: "Busy", 4: "Unavailable", 8: "Ringing", 9: "InUse&Ringing",
             16: "Hold", 17: "InUse&Hold"}  # fmt: skip


def hint(extension: str, status: int, context: str = "kcc-internal") -> AmiEvent:
    """An ``ExtensionStatus`` as Asterisk 22 writes it for the hint of ``extension``."""
    return event(
        "ExtensionStatus",
        {
            "Exten": extension,
            "Context": context,
            "Hint": f"PJSIP/{extension}",
            "Status": str(status),
            "StatusText": HINT_TEXT.get(status, "Unknown"),
        },
    )
