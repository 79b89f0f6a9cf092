"""Fakes for the back-office tests: colleagues' phones behind a fake AMI, events, a TIC queue.

``BackOffice`` talks to a real ``AmiClient`` logged in to the in-process
``FakeAmiServer`` (acd/ami/testing.py); ``ColleaguePhones`` answers its
Originate, Getvar and Hangup actions the way Asterisk 22 does, scripted per
test, so what goes over the wire is checked too. Dial and Hangup events are
laid out by tests/unit/acd/ami/ami_frames.py and parsed by the real parser.
``TicQueueLog`` stands in for the caller session a direct call falls back to.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

from acd.agi import AgiSession
from acd.ami import AmiClient, AmiSettings, Backoff
from acd.ami.events import DialBegin, DialEnd, HangupRequest
from acd.ami.events import Hangup as HangupEvent
from acd.ami.testing import FakeAmiServer, ReceivedAction, error, event, success
from acd.backoffice import BackOffice
from acd.caller_session import CallerSession
from site_config import Department, SiteConfig, load_site_config
from tests.unit.acd.ami.ami_frames import Pairs, build, chan

REPO = Path(__file__).resolve().parents[3]


def load_sample_site() -> SiteConfig:
    return load_site_config(REPO / "config" / "site.yaml")


# ------------------------------------------------------------ publish


@dataclass(frozen=True)
class Published:
    type: str
    call_id: str
    agent_id: str
    fields: dict[str, str]


@dataclass
class PublishLog:
    """BackOffice's ``publish`` callable; keeps what it was given, in order."""

    events: list[Published] = field(default_factory=list)

    def __call__(self, type_: str, call_id: str, agent_id: str, fields: dict[str, str]) -> None:
        self.events.append(Published(type_, call_id, agent_id, dict(fields)))

    @property
    def types(self) -> list[str]:
        return [e.type for e in self.events]


# ------------------------------------------------------------ AMI events


@dataclass(frozen=True)
class Chan:
    """A channel as the events name it."""

    name: str
    uniqueid: str
    linkedid: str


def _channel(prefix: str, channel: Chan) -> Pairs:
    pairs = chan(prefix, name=channel.name, uid=channel.uniqueid)
    return [(k, channel.linkedid if k == f"{prefix}Linkedid" else v) for k, v in pairs]


def dial_begin(dest: Chan, caller: Chan | None, dial_string: str) -> DialBegin:
    """``caller`` None: an Originate dials, nobody's channel does (no caller block)."""
    own = _channel("", caller) if caller is not None else []
    typed = build("DialBegin", [*own, *_channel("Dest", dest), ("DialString", dial_string)])
    assert isinstance(typed, DialBegin), typed
    return typed


def dial_end(dest: Chan, caller: Chan | None, status: str) -> DialEnd:
    own = _channel("", caller) if caller is not None else []
    typed = build("DialEnd", [*own, *_channel("Dest", dest), ("DialStatus", status)])
    assert isinstance(typed, DialEnd), typed
    return typed


def hangup(channel: Chan) -> HangupEvent:
    pairs = [*_channel("", channel), ("Cause", "16"), ("Cause-txt", "Normal Clearing")]
    typed = build("Hangup", pairs)
    assert isinstance(typed, HangupEvent), typed
    return typed


def hangup_request(channel: Chan) -> HangupRequest:
    typed = build("HangupRequest", [*_channel("", channel), ("Cause", "16")])
    assert isinstance(typed, HangupRequest), typed
    return typed


# ------------------------------------------------------------ the colleagues' phones


@dataclass(frozen=True)
class OriginateOutcome:
    """How Asterisk answers an Originate.

    ``refused``: ``Response: Error``; ``held``: queued, the outcome kept back (the
    phone still rings) until ``ColleaguePhones.finish``; otherwise queued and at once
    an ``OriginateResponse`` with ``success`` and ``reason`` (Asterisk's AST_CONTROL
    code: 4 answered, 3 no answer, 5 busy, 8 congestion/unreachable).
    """

    success: bool = False
    reason: int = 0
    refused: bool = False
    held: bool = False
    # Answered by another phone's pickup (*8): its channel, not ours, is the answer's.
    picked_up_by: Chan | None = None


ANSWERED_AT_ONCE = OriginateOutcome(success=True, reason=4)
STILL_RINGING = OriginateOutcome(held=True)
REFUSED = OriginateOutcome(refused=True)


def failed(reason: int) -> OriginateOutcome:
    return OriginateOutcome(success=False, reason=reason)


def _originate_response(action: ReceivedAction, outcome: OriginateOutcome) -> bytes:
    h = action.headers
    answered = outcome.success
    channel = f"{h['Channel']}-0000002a" if answered else h["Channel"]
    uniqueid = h.get("ChannelId", "<unknown>") if answered else "<unknown>"
    if outcome.picked_up_by is not None:
        channel, uniqueid = outcome.picked_up_by.name, outcome.picked_up_by.uniqueid
    return event(
        "OriginateResponse",
        [
            ("Privilege", "call,all"),
            ("Response", "Success" if answered else "Failure"),
            ("Channel", channel),
            ("Application", h.get("Application", "")),
            ("Data", h.get("Data", "")),
            ("Reason", str(outcome.reason)),
            ("Uniqueid", uniqueid),
            ("CallerIDNum", "<unknown>"),
            ("CallerIDName", "<unknown>"),
        ],
        action=action,
    )


class ColleaguePhones:
    """Asterisk's answers to BackOffice's actions on one FakeAmiServer.

    ``outcome`` answers the next Originate; ``leg_state`` is what Getvar of
    ``CHANNEL(state)`` says (None: Asterisk knows no such channel); ``leg_exists``
    says whether a Hangup finds the channel.
    """

    def __init__(self, server: FakeAmiServer) -> None:
        self.server = server
        self.outcome = ANSWERED_AT_ONCE
        self.leg_state: str | None = "Ringing"
        self.leg_exists = True
        self._held: list[ReceivedAction] = []
        server.handlers["Originate"] = self._originate
        server.handlers["Getvar"] = self._getvar
        server.handlers["Hangup"] = self._hangup

    def actions(self, name: str) -> list[ReceivedAction]:
        return self.server.actions_named(name)

    @property
    def hung_up(self) -> list[tuple[str, str]]:
        """(Channel, Cause) of every Hangup action received."""
        return [(a.headers["Channel"], a.headers.get("Cause", "")) for a in self.actions("Hangup")]

    async def wait_for(self, name: str, count: int = 1) -> ReceivedAction:
        await self.server.wait_until(lambda: len(self.actions(name)) >= count)
        return self.actions(name)[count - 1]

    async def finish(self, outcome: OriginateOutcome) -> None:
        """The held Originate ends: its OriginateResponse arrives now."""
        action = self._held.pop(0)
        await self.server.emit(_originate_response(action, outcome))

    def _originate(self, action: ReceivedAction) -> Sequence[bytes]:
        outcome = self.outcome
        if outcome.refused:
            return [error(action, "Originate failed")]
        queued = success(action, "Originate successfully queued")
        if outcome.held:
            self._held.append(action)
            return [queued]
        return [queued, _originate_response(action, outcome)]

    def _getvar(self, action: ReceivedAction) -> Sequence[bytes]:
        if self.leg_state is None:
            return [error(action, "No such channel")]
        variable = action.headers["Variable"]
        return [success(action, None, [("Variable", variable), ("Value", self.leg_state)])]

    def _hangup(self, action: ReceivedAction) -> Sequence[bytes]:
        if not self.leg_exists:
            return [error(action, "No such channel")]
        return [success(action, "Channel Hungup")]


def _settings(server: FakeAmiServer) -> AmiSettings:
    return AmiSettings(
        port=server.port,
        username=server.username,
        secret=server.secret,
        startup_timeout=2.0,
        action_timeout=1.0,
        ping_interval=30.0,
        backoff=Backoff(initial=0.01, maximum=0.05, jitter=0),
    )


@dataclass
class BackOfficeRig:
    """A BackOffice on a live fake AMI; ``agents_in_calls`` maps call_id -> agent_id."""

    backoffice: BackOffice
    phones: ColleaguePhones
    published: PublishLog
    agents_in_calls: dict[str, str]


@asynccontextmanager
async def backoffice_rig(site: SiteConfig) -> AsyncIterator[BackOfficeRig]:
    async with FakeAmiServer() as server:
        phones = ColleaguePhones(server)
        async with AmiClient(_settings(server)) as ami:
            published = PublishLog()
            agents: dict[str, str] = {}
            backoffice = BackOffice(site, ami, published, agents.get)
            yield BackOfficeRig(backoffice, phones, published, agents)


# ------------------------------------------------------------ the TIC queue


@dataclass(frozen=True)
class QueueJoin:
    """One ``wait_in_queue`` call, with the AGI commands and events sent before it."""

    call_id: str
    caller: str
    topic: str
    municipality: str | None
    fell_back_from: str | None
    commands_before: tuple[str, ...]
    published_before: tuple[str, ...]


class TicQueueLog:
    """The ``tic_queue`` factory of DirectCallSession: records who joined, and when."""

    def __init__(
        self, commands: Callable[[], Sequence[str]], published: Callable[[], Sequence[str]]
    ) -> None:
        self.joins: list[QueueJoin] = []
        self.sessions_for: list[AgiSession] = []
        self._commands, self._published = commands, published

    def __call__(self, agi: AgiSession) -> CallerSession:
        self.sessions_for.append(agi)
        return _RecordingCallerSession(agi, self)

    def record(
        self,
        call_id: str,
        caller: str,
        topic: str,
        municipality: str | None,
        fell_back_from: str | None,
    ) -> None:
        self.joins.append(
            QueueJoin(
                call_id,
                caller,
                topic,
                municipality,
                fell_back_from,
                tuple(self._commands()),
                tuple(self._published()),
            )
        )


class _RecordingCallerSession(CallerSession):
    # Only wait_in_queue is used by a direct call; the real one needs the whole ACD.
    def __init__(self, agi: AgiSession, log: TicQueueLog) -> None:
        self._agi, self._log = agi, log

    async def wait_in_queue(
        self,
        call_id: str,
        caller: str,
        topic: str,
        municipality: str | None,
        fell_back_from: str | None = None,
    ) -> None:
        self._log.record(call_id, caller, topic, municipality, fell_back_from)


# One call of the tests: its Linkedid (the call_id), the agent in it, the caller.
CALL = "1718000000.7"
AGENT = "1001"
CALLER_NUMBER = "0612345678"
CALLER = Chan("PJSIP/trunk-0000000b", "1718000000.7", CALL)


def department(site: SiteConfig, department_id: str) -> Department:
    return next(d for d in site.departments if d.id == department_id)
