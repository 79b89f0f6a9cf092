"""Typed AMI actions: what the controller may ask Asterisk to do.

Each action is a frozen, keyword-only value object that renders to an ordered
list of headers. The protocol layer (``AmiProtocol.send``) adds ``Action`` and a
fresh ``ActionID``, so an action object can be built anywhere and sent on any
connection. Header names follow the Asterisk 22 XML documentation
(main/manager_doc.xml, apps/app_queue.c, main/features.c). Only the actions the
product sends are here; a new one comes with the code that first sends it.

How an answer ends is not declared here for list actions: Asterisk announces a
list with ``EventList: start`` (see correlate.py). The one shape that cannot be
seen on the wire is an asynchronous Originate, whose outcome arrives later as
an ``OriginateResponse`` event: ``final_event`` names it.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import ClassVar

Headers = list[tuple[str, str]]

# Asterisk splits a Variable header into name=value items on ',' (honouring '"' quotes
# and '\' escapes, which it strips), "|" was the separator of old versions, and a line
# break would end the header: a value holding one could set a variable of its own.
_VARIABLE_UNSAFE = re.compile('[,|"\\\\\x00-\x1f\x7f]')


def _flag(value: bool) -> str:
    return "true" if value else "false"


def _put(headers: Headers, key: str, value: str | int | bool | None) -> None:
    """Append an optional header; None means "let Asterisk use its default"."""
    if value is None:
        return
    if isinstance(value, bool):
        headers.append((key, _flag(value)))
    else:
        headers.append((key, str(value)))


class Action(ABC):
    """Base of every action; ``name`` is the AMI ``Action:`` value."""

    name: ClassVar[str]

    @abstractmethod
    def headers(self) -> Headers:
        """The action's headers in sending order, without Action and ActionID."""

    @property
    def final_event(self) -> str | None:
        """Event (carrying our ActionID) that ends the answer after a Success response."""
        return None


@dataclass(frozen=True, kw_only=True)
class Login(Action):
    """``events`` is "on", "off" or a comma list of classes (e.g. "call,agent,system")."""

    name: ClassVar[str] = "Login"
    username: str
    secret: str = field(repr=False)  # never in logs or reprs
    events: str = "on"

    def headers(self) -> Headers:
        return [("Username", self.username), ("Secret", self.secret), ("Events", self.events)]


@dataclass(frozen=True, kw_only=True)
class Logoff(Action):
    name: ClassVar[str] = "Logoff"

    def headers(self) -> Headers:
        return []


@dataclass(frozen=True, kw_only=True)
class Ping(Action):
    name: ClassVar[str] = "Ping"

    def headers(self) -> Headers:
        return []


@dataclass(frozen=True, kw_only=True)
class Originate(Action):
    """Call ``channel`` and connect it to a dialplan location or an application.

    ``run_async`` defaults to True: a synchronous Originate blocks the AMI
    session in Asterisk until the call is answered or times out. With it, the
    answer completes on the ``OriginateResponse`` event.
    """

    name: ClassVar[str] = "Originate"
    channel: str
    context: str | None = None
    exten: str | None = None
    priority: int | None = None
    application: str | None = None
    data: str | None = None
    timeout: float | None = None  # seconds; sent as milliseconds
    caller_id: str | None = None
    variables: Mapping[str, str] = field(default_factory=dict, hash=False)
    account: str | None = None
    early_media: bool | None = None
    run_async: bool = True
    codecs: str | None = None
    channel_id: str | None = None
    other_channel_id: str | None = None
    predial_gosub: str | None = None

    def __post_init__(self) -> None:
        to_dialplan = self.exten is not None or self.context is not None
        if to_dialplan == (self.application is not None):
            raise ValueError(
                "Originate needs either context+exten (dialplan) or application, not both"
            )
        if to_dialplan and (self.exten is None or self.context is None):
            raise ValueError("Originate to the dialplan needs both context and exten")
        for key, value in self.variables.items():
            if not key or "=" in key or _VARIABLE_UNSAFE.search(key):
                raise ValueError(
                    f"Originate variable name {key!r} is empty or contains '=' or a separator"
                )
            found = _VARIABLE_UNSAFE.search(value)
            if found:
                raise ValueError(
                    f"Originate variable {key}: the value contains {found.group()!r}, which "
                    "Asterisk would read as a separator (a second variable) or a quote"
                )

    def headers(self) -> Headers:
        h: Headers = [("Channel", self.channel)]
        _put(h, "Context", self.context)
        _put(h, "Exten", self.exten)
        priority = self.priority
        if priority is None and self.exten is not None:
            priority = 1  # Asterisk refuses Exten without Priority
        _put(h, "Priority", priority)
        _put(h, "Application", self.application)
        _put(h, "Data", self.data)
        _put(h, "Timeout", None if self.timeout is None else round(self.timeout * 1000))
        _put(h, "CallerID", self.caller_id)
        h.extend(("Variable", f"{k}={v}") for k, v in self.variables.items())
        _put(h, "Account", self.account)
        _put(h, "EarlyMedia", self.early_media)
        _put(h, "Async", self.run_async)
        _put(h, "Codecs", self.codecs)
        _put(h, "ChannelId", self.channel_id)
        _put(h, "OtherChannelId", self.other_channel_id)
        _put(h, "PreDialGoSub", self.predial_gosub)
        return h

    @property
    def final_event(self) -> str | None:
        return "OriginateResponse" if self.run_async else None


@dataclass(frozen=True, kw_only=True)
class Hangup(Action):
    """``channel`` may be "/regex/"; Asterisk then answers with a ChannelHungup list."""

    name: ClassVar[str] = "Hangup"
    channel: str
    cause: int | None = None

    def headers(self) -> Headers:
        h: Headers = [("Channel", self.channel)]
        _put(h, "Cause", self.cause)
        return h


@dataclass(frozen=True, kw_only=True)
class Getvar(Action):
    """The answer carries ``Variable`` and ``Value`` headers."""

    name: ClassVar[str] = "Getvar"
    variable: str
    channel: str | None = None

    def headers(self) -> Headers:
        h: Headers = []
        _put(h, "Channel", self.channel)
        return [*h, ("Variable", self.variable)]


@dataclass(frozen=True, kw_only=True)
class QueueAdd(Action):
    name: ClassVar[str] = "QueueAdd"
    queue: str
    interface: str
    penalty: int | None = None
    paused: bool | None = None
    reason: str | None = None
    member_name: str | None = None
    state_interface: str | None = None

    def headers(self) -> Headers:
        h: Headers = [("Queue", self.queue), ("Interface", self.interface)]
        _put(h, "Penalty", self.penalty)
        _put(h, "Paused", self.paused)
        _put(h, "Reason", self.reason)
        _put(h, "MemberName", self.member_name)
        _put(h, "StateInterface", self.state_interface)
        return h


@dataclass(frozen=True, kw_only=True)
class QueueRemove(Action):
    name: ClassVar[str] = "QueueRemove"
    queue: str
    interface: str

    def headers(self) -> Headers:
        return [("Queue", self.queue), ("Interface", self.interface)]


@dataclass(frozen=True, kw_only=True)
class QueuePause(Action):
    """Pause or unpause ``interface`` in ``queue``, or in every queue when None."""

    name: ClassVar[str] = "QueuePause"
    interface: str
    paused: bool
    queue: str | None = None
    reason: str | None = None

    def headers(self) -> Headers:
        h: Headers = [("Interface", self.interface), ("Paused", _flag(self.paused))]
        _put(h, "Queue", self.queue)
        _put(h, "Reason", self.reason)
        return h


@dataclass(frozen=True, kw_only=True)
class QueueStatus(Action):
    """List answer: QueueParams, QueueMember, QueueEntry events, then QueueStatusComplete."""

    name: ClassVar[str] = "QueueStatus"
    queue: str | None = None
    member: str | None = None

    def headers(self) -> Headers:
        h: Headers = []
        _put(h, "Queue", self.queue)
        _put(h, "Member", self.member)
        return h


@dataclass(frozen=True, kw_only=True)
class ExtensionStateList(Action):
    """List answer: one ExtensionStatus per hint, then ExtensionStateListComplete."""

    name: ClassVar[str] = "ExtensionStateList"

    def headers(self) -> Headers:
        return []


@dataclass(frozen=True, kw_only=True)
class CoreShowChannels(Action):
    """List answer: CoreShowChannel events, then CoreShowChannelsComplete."""

    name: ClassVar[str] = "CoreShowChannels"

    def headers(self) -> Headers:
        return []


@dataclass(frozen=True, kw_only=True)
class Atxfer(Action):
    """Start an attended (warm) transfer of ``channel``'s peer to ``exten``."""

    name: ClassVar[str] = "Atxfer"
    channel: str
    exten: str
    context: str | None = None

    def headers(self) -> Headers:
        h: Headers = [("Channel", self.channel), ("Exten", self.exten)]
        _put(h, "Context", self.context)
        return h


@dataclass(frozen=True, kw_only=True)
class Redirect(Action):
    """Send ``channel`` to a dialplan location, out of any bridge it is in (a camp-on
    takes the caller out of the agent's call this way)."""

    name: ClassVar[str] = "Redirect"
    channel: str
    context: str
    exten: str
    priority: int = 1

    def headers(self) -> Headers:
        return [
            ("Channel", self.channel),
            ("Context", self.context),
            ("Exten", self.exten),
            ("Priority", str(self.priority)),
        ]


@dataclass(frozen=True, kw_only=True)
class Setvar(Action):
    """Set ``variable`` on ``channel`` (name or uniqueid)."""

    name: ClassVar[str] = "Setvar"
    channel: str
    variable: str
    value: str

    def headers(self) -> Headers:
        return [("Channel", self.channel), ("Variable", self.variable), ("Value", self.value)]


_DTMF_DIGITS = frozenset("0123456789*#ABCDabcd")


@dataclass(frozen=True, kw_only=True)
class PlayDtmf(Action):
    """One DTMF digit on ``channel`` (app_senddtmf.c ``manager_play_dtmf``).

    ``receive``: as if the channel's own phone pressed it. Asterisk queues the digit on
    the channel's read side, so a bridge's feature keys (``applicationmap``) see it as
    they see the phone's; without it the digit is sent out to the phone. Asterisk plays
    only the first character of ``Digit``: one action a digit.
    """

    name: ClassVar[str] = "PlayDTMF"
    channel: str
    digit: str
    duration_ms: int | None = None
    receive: bool = False

    def __post_init__(self) -> None:
        if len(self.digit) != 1 or self.digit not in _DTMF_DIGITS:
            raise ValueError(f"PlayDTMF plays one digit of 0-9, *, #, A-D; got {self.digit!r}")

    def headers(self) -> Headers:
        headers: Headers = [("Channel", self.channel), ("Digit", self.digit)]
        _put(headers, "Duration", self.duration_ms)
        if self.receive:
            headers.append(("Receive", "yes"))
        return headers
