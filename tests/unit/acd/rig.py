"""The controller on in-process fakes: Asterisk's answers over FakeAmi, a fake clock.

``Asterisk`` answers the actions the controller sends the way Asterisk 22 does, scripted
per test: an ``Originate`` per extension (answered at once, not answered, refused, held
until the test finishes it, picked up by another phone), ``Getvar`` of a channel's
state and of a live channel's ``UNIQUEID`` (``channels``: the FastAGI guard asks),
``Hangup``, ``Atxfer``, ``Redirect``, the ``CoreShowChannels`` and ``QueueStatus``
lists and the queue-member actions. The event builders lay out headers as Asterisk writes them;
``acd.ami.fake.event`` parses them with the real parser.

``rig(site)`` builds a real ``acd.controller.Controller`` on these fakes, with a
``MemorySink`` for its events and a ``FakeClock``, its files (the audit log, the
phonebook's statuses, the callback notes' ``callbacks.db``, the recordings folder
with its catalogue and ``coaching.db``, read back by the replay) in a temporary
folder, and runs its AMI event loop.

``log_in``, ``queued`` and ``talking`` put agents and callers on the floor; ``dialled``
(``direct_caller``, ``direct_call``) is a caller of a back-office colleague's own number
and ``consult_channels`` a warm transfer's consult.
"""

from __future__ import annotations

import asyncio
import functools
import math
import struct
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from acd.agi.fake import FakeAgiChannel
from acd.ami.actions import (
    Atxfer,
    CoreShowChannels,
    ExtensionStateList,
    Getvar,
    Hangup,
    Originate,
    QueueAdd,
    QueuePause,
    QueueRemove,
    QueueStatus,
    Redirect,
)
from acd.ami.events import AmiEvent
from acd.ami.fake import FakeAmi, Reply, channel, event, failure, success
from acd.audit import AuditLog
from acd.callbacks.store import NoteStore
from acd.clock import FakeClock, settle
from acd.controller import Controller, Parts
from acd.core import AgentState
from acd.core import inputs as ev
from acd.desk.history import CallerHistory
from acd.ivr.settings_file import LiveSettingsFile
from acd.phonebook.status_file import StatusFile
from acd.queue.service import QueuedCaller
from acd.recording.service import CaptureFolder
from contract import MemorySink
from ivr_flows.model import Flow
from ivr_flows.prompt_audio import wav_bytes
from ivr_flows.site_check import load_site_flow
from recordings.catalog import Catalog
from recordings.coaching import CoachingStore
from recordings.keys import KeyRing, RecordingKey
from recordings.shelf import open_reader
from recordings.take import Take
from site_config import SiteConfig, load_site_config

REPO = Path(__file__).resolve().parents[3]
T0 = datetime(2026, 6, 15, 7, 0, tzinfo=UTC)  # a Monday, 09:00 in Haarlem


@functools.cache
def sample_site() -> SiteConfig:
    """The sample site, read once: it is frozen, so every test may share it."""
    return _read_sample_site()


def _read_sample_site() -> SiteConfig:
    return load_site_config(REPO / "config" / "site.yaml")


# ------------------------------------------------------------ Asterisk's events


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


# ------------------------------------------------------------ Asterisk's answers


@dataclass(frozen=True)
class Outcome:
    """How an Originate ends: ``reason`` is Asterisk's AST_CONTROL code (4 answered,
    3 no answer, 5 busy, 8 unreachable); ``refused``: ``Response: Error`` at once;
    ``held``: the phone rings until ``Asterisk.finish``; ``by``: answered by this
    channel (a colleague's pickup) instead of ours."""

    answered: bool = False
    reason: int = 0
    refused: bool = False
    held: bool = False
    by: Chan | None = None


ANSWERED = Outcome(answered=True, reason=4)
NO_ANSWER = Outcome(reason=3)
BUSY = Outcome(reason=5)
RINGING = Outcome(held=True)
REFUSED = Outcome(refused=True)


@dataclass
class Asterisk:
    """Scripted answers on a FakeAmi; see the module docstring."""

    ami: FakeAmi = field(default_factory=FakeAmi)
    outcomes: dict[str, Outcome] = field(default_factory=dict)  # extension -> next outcome
    states: dict[str, str] = field(default_factory=dict)  # uniqueid -> CHANNEL(state)
    channels: dict[str, str] = field(default_factory=dict)  # name -> UNIQUEID, for Getvar
    alive: set[str] = field(default_factory=set)  # uniqueids CoreShowChannels lists
    shown: dict[str, Chan] = field(default_factory=dict)  # an alive uniqueid's own channel
    members: list[AmiEvent] = field(default_factory=list)  # QueueStatus's QueueMember items
    hints: list[AmiEvent] = field(default_factory=list)  # ExtensionStateList's items
    refuse_transfer: str | None = None
    _held: dict[str, asyncio.Future[Outcome]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.ami.answer(Originate, self._originate)
        self.ami.answer(Getvar, self._getvar)
        self.ami.answer(Hangup, lambda action: success("Channel Hungup"))
        self.ami.answer(Atxfer, self._atxfer)
        self.ami.answer(Redirect, lambda action: success("Redirect successful"))
        self.ami.answer(CoreShowChannels, self._channels)
        self.ami.answer(QueueStatus, lambda action: success("Queue status will follow",
                                                            self.members))  # fmt: skip
        self.ami.answer(ExtensionStateList, lambda action: success(
            "Extension Statuses will follow", self.hints))  # fmt: skip
        for kind in (QueueAdd, QueueRemove, QueuePause):
            self.ami.answer(kind, lambda action: success("Done"))

    def originated(self, extension: str | None = None) -> list[Originate]:
        sent = self.ami.sent_of(Originate)
        return [a for a in sent if extension is None or a.channel == f"PJSIP/{extension}"]

    def hung_up(self) -> list[str]:
        return [a.channel for a in self.ami.sent_of(Hangup)]

    def finish(self, extension: str, outcome: Outcome) -> None:
        """The held Originate to ``extension`` ends now, as ``outcome`` says."""
        self._held.pop(extension).set_result(outcome)

    def ringing(self, extension: str) -> bool:
        return extension in self._held

    def has(self, *chans: Chan) -> None:
        """Asterisk has these channels now (as ``CoreShowChannels`` lists them)."""
        for chan in chans:
            self.alive.add(chan.uniqueid)
            self.shown[chan.uniqueid] = chan

    async def _originate(self, action: Originate) -> Reply:
        extension = action.channel.removeprefix("PJSIP/")
        outcome = self.outcomes.get(extension, NO_ANSWER)
        if outcome.refused:
            return failure("Originate failed")
        if outcome.held:
            held: asyncio.Future[Outcome] = asyncio.get_running_loop().create_future()
            self._held[extension] = held
            outcome = await held
            if outcome.refused:
                return failure("Originate failed")
        response = originate_response(
            action, answered=outcome.answered, reason=outcome.reason, by=outcome.by
        )
        return success("Originate successfully queued", [response])

    def _getvar(self, action: Getvar) -> Reply:
        if action.variable == "UNIQUEID":
            uniqueid = self.channels.get(action.channel or "")
            if uniqueid is None:
                return failure("No such channel")
            return success(Variable=action.variable, Value=uniqueid)
        state = self.states.get(action.channel or "")
        if state is None:
            return failure("No such channel")
        return success(Variable=action.variable, Value=state)

    def _atxfer(self, action: Atxfer) -> Reply:
        if self.refuse_transfer is not None:
            return failure(self.refuse_transfer)
        return success("Atxfer successfully queued")

    def _channels(self, action: CoreShowChannels) -> Reply:
        items = [
            core_show_channel(self.shown.get(u) or Chan(f"PJSIP/x-{u}", u))
            for u in sorted(self.alive)
        ]
        return success("Channels will follow", items)


class NamedPrompts:
    """Prompt ids as file names, without rendering anything."""

    def __init__(self) -> None:
        self.live: list[str] = []

    def name(self, prompt_id: str) -> str:
        return f"kcc/prompts/{prompt_id}"

    def render_live(self, text: str) -> str:
        self.live.append(text)
        return f"live-{len(self.live)}"


_FLOWS: dict[int, tuple[SiteConfig, Flow]] = {}


def _flow(site: SiteConfig) -> Flow:
    """The site's IVR flow, read once per site object (both are frozen)."""
    known = _FLOWS.get(id(site))
    if known is None or known[0] is not site:
        known = _FLOWS[id(site)] = (site, load_site_flow(site))
    return known[1]


@dataclass
class Rig:
    controller: Controller
    asterisk: Asterisk
    sink: MemorySink
    clock: FakeClock
    audit: AuditLog
    catalog: Catalog  # the recordings catalogue as the shelf writes it (the shelf is a double)

    @property
    def ami(self) -> FakeAmi:
        return self.asterisk.ami

    def emit(self, *events: AmiEvent) -> None:
        self.ami.emit(*events)

    def types(self, prefix: str = "") -> list[str]:
        return [t for t in self.sink.types if t.startswith(prefix)]

    async def settle(self) -> None:
        """Let everything run that can (a held Originate stays held)."""
        await settle()


class ShelfDouble:
    """The recordings library's stand-in: keeps each take in a list, ids like the real one."""

    def __init__(self) -> None:
        self.takes: list[Take] = []

    def keep(self, take: Take) -> str:
        self.takes.append(take)
        return take.call_id

    def close(self) -> None:
        pass


@asynccontextmanager
async def rig(site: SiteConfig | None = None, *, start: datetime = T0) -> AsyncIterator[Rig]:
    """A Controller on fakes, its AMI event loop running; closed and checked after."""
    site = site or sample_site()
    asterisk, sink, clock = Asterisk(), MemorySink(), FakeClock(start)
    with tempfile.TemporaryDirectory(prefix="kcc-audit-") as folder:
        audit = AuditLog(Path(folder), retention_days=365, today=start.date())
        # The shelf is a double: the catalogue its reader reads is written here.
        catalog = Catalog.open(Path(folder) / "recordings", clock.now)
        parts = Parts(
            ami=asterisk.ami,
            sink=sink,
            clock=clock,
            prompts=NamedPrompts(),
            flow=_flow(site),
            audit=audit,
            statuses=StatusFile(Path(folder) / "phonebook-status.json"),
            live_settings=LiveSettingsFile(Path(folder) / "ivr-live-settings.json"),
            notes=NoteStore.open(
                Path(folder) / "callbacks.db",
                clock=clock,
                retention_days=site.callback_notes.retention_days,
            ),
            history=CallerHistory(Path(folder) / "caller-history.db", b"k" * 32),
            shelf=ShelfDouble(),
            capture=CaptureFolder(Path(folder) / "capture", PurePosixPath("/kcc/t/recordings")),
            coaching=CoachingStore.open(Path(folder) / "recordings"),
            recordings=open_reader(
                Path(folder) / "recordings",
                KeyRing((RecordingKey("rig", b"k" * 32),)),
                now=clock.now,
            ),
        )
        (Path(folder) / "capture").mkdir()
        controller = Controller(site, parts)
        consuming = asyncio.create_task(controller.consume_events())
        try:
            yield Rig(controller, asterisk, sink, clock, audit, catalog)
        finally:
            asterisk.ami.close()
            await asyncio.wait_for(consuming, 2)
            await controller.close()
            catalog.close()


def by_type(sink: MemorySink, type_name: str) -> list[dict[str, str]]:
    """The encoded entries of one type, as the stream would carry them."""
    return [e for e in sink.entries if e["type"] == type_name]


def names(events: Iterable[object]) -> list[str]:
    return [type(e).__name__ for e in events]


# ------------------------------------------------------------ callers and agents


@dataclass
class Waiting:
    """A caller waiting in a topic queue in their own FastAGI session."""

    agi: FakeAgiChannel
    task: asyncio.Task[None]
    call_id: str

    async def gone(self) -> None:
        """The session ends: hung up, or taken by an agent's Bridge."""
        self.agi.hang_up()
        await asyncio.wait_for(self.task, 2)


def log_in(r: Rig, agent_id: str, position_id: str) -> None:
    refused = r.controller.queue.command(
        ev.AgentLogin(agent_id=agent_id, position_id=position_id, at=r.clock.now())
    )
    assert refused is None, refused


async def queued(
    r: Rig, call_id: str, topic: str = "burgerzaken", *, channel: str = "PJSIP/trunk-00000001"
) -> Waiting:
    agi = FakeAgiChannel(linkedid=call_id, channel=channel, uniqueid=call_id)
    caller = QueuedCaller(call_id, channel, "0612345678", topic, "haarlem")
    task = asyncio.create_task(r.controller.queue_wait.wait(agi, caller))
    await r.settle()
    return Waiting(agi, task, call_id)


def state_of(r: Rig, agent_id: str) -> AgentState:
    return next(a.state for a in r.controller.queue.agents() if a.agent_id == agent_id)


async def talking(r: Rig, agent_id: str, position_id: str, call_id: str) -> Chan:
    """``agent_id`` at ``position_id`` answered ``call_id``; their leg's channel.

    The caller waited in the burgerzaken queue on ``PJSIP/trunk-00000001`` (uniqueid
    ``call_id``, the call's first channel); the agent's ``Bridge`` took them out of
    FastAGI. The agent's leg is ``TALKING`` from then on.
    """
    log_in(r, agent_id, position_id)
    extension = next(p.extension for p in r.controller.site.positions if p.id == position_id)
    r.asterisk.outcomes[extension] = ANSWERED
    caller = await queued(r, call_id)
    await caller.gone()
    leg = r.controller.legs.talking_leg_of(agent_id)
    assert leg is not None, f"{agent_id} did not answer {call_id}"
    return Chan(f"PJSIP/{extension}-00000002", leg.uniqueid, call_id)


# ------------------------------------------------------------ the back office

TRUNK = "PJSIP/trunk-0000000b"


def direct_caller(
    extension: str,
    call_id: str = "1718000000.7",
    *,
    uniqueid: str | None = None,
    caller: str = "0612345678",
    sleep: Callable[[float], Awaitable[None]] | None = None,
) -> FakeAgiChannel:
    """The FastAGI session (``/direct``) of a caller on ``TRUNK`` who dialled
    ``extension``'s own number; ``uniqueid`` is their channel's (``call_id`` by default:
    the call's first channel); ``sleep`` (a fake clock's) makes ``wait_for_digit`` wait."""
    return FakeAgiChannel(
        "direct",
        sleep=sleep,
        linkedid=call_id,
        channel=TRUNK,
        uniqueid=uniqueid or call_id,
        callerid=caller,
        dnid=extension,
        extension=extension,
    )


async def direct_call(r: Rig, agi: FakeAgiChannel) -> Waiting:
    """``DirectCalls.run`` on ``agi`` in a task, run as far as it goes: until the caller
    leaves, is answered and bridged, or has fallen back and left the TIC queue."""
    task = asyncio.create_task(r.controller.direct.run(agi))
    await r.settle()
    return Waiting(agi, task, agi.variables.get("CHANNEL(linkedid)") or agi.env.uniqueid)


async def dialled(r: Rig, extension: str, call_id: str = "1718000000.7") -> Waiting:
    """A caller dialled ``extension``'s own number; see ``direct_caller``, ``direct_call``."""
    return await direct_call(r, direct_caller(extension, call_id))


def consult_channels(extension: str, call_id: str, serial: int) -> tuple[Chan, Chan]:
    """A warm transfer's consult of ``extension``: its Local ``;2`` (which dials) and the
    colleague's phone, both in ``call_id`` (they inherit its Linkedid)."""
    local = Chan(f"Local/{extension}@kcc-internal-{serial:08x};2", f"l.{serial}", call_id)
    phone = Chan(f"PJSIP/{extension}-{serial:08x}", f"p.{serial}", call_id)
    return local, phone


# ------------------------------------------------------------ app_queue's members


def queue_status_member(
    queue: str, extension: str, agent_id: str, *, paused: bool = False, penalty: int = 0
) -> AmiEvent:
    """One ``QueueMember`` item of a QueueStatus answer, as Asterisk 22 writes it.

    The list item names the member ``Name``/``Location`` (the recorded trace), where
    the ``QueueMember*`` events say ``MemberName``/``Interface``.
    """
    return event(
        "QueueMember",
        [
            ("Queue", queue),
            ("Name", agent_id),
            ("Location", f"PJSIP/{extension}"),
            ("StateInterface", f"PJSIP/{extension}"),
            ("Membership", "dynamic"),
            ("Penalty", str(penalty)),
            ("CallsTaken", "0"),
            ("LastCall", "0"),
            ("LastPause", "0"),
            ("LoginTime", "1781500000"),
            ("InCall", "0"),
            ("Status", "1"),
            ("Paused", "1" if paused else "0"),
            ("PausedReason", "kcc" if paused else ""),
            ("Wrapuptime", "0"),
        ],
    )


@dataclass
class AppQueue:
    """app_queue's dynamic members on a FakeAmi, as the queue actions leave them.

    Each ``QueueAdd``/``QueueRemove``/``QueuePause`` takes effect when it arrives (one
    AMI session's actions are handled in order) and is refused as Asterisk refuses it
    (already there, not there, no such member). ``hold`` keeps the answer to the next
    action back until ``release``: a slow Asterisk. ``listed`` is what ``QueueStatus``
    would list now.
    """

    ami: FakeAmi
    members: dict[tuple[str, str], tuple[str, bool]] = field(default_factory=dict)
    penalties: dict[tuple[str, str], int] = field(default_factory=dict)  # 0 unless given
    _gate: asyncio.Event | None = None
    _held: asyncio.Event | None = None

    def __post_init__(self) -> None:
        self.ami.answer(QueueAdd, self._add)
        self.ami.answer(QueueRemove, self._remove)
        self.ami.answer(QueuePause, self._pause)

    def hold(self) -> None:
        self._gate = asyncio.Event()

    def release(self) -> None:
        assert self._held is not None, "no answer is held"
        self._held.set()
        self._held = None

    def queues_of(self, extension: str) -> dict[str, bool]:
        """The queues ``extension`` is a member of, with whether it is paused there."""
        interface = f"PJSIP/{extension}"
        return {q: paused for (q, i), (_, paused) in sorted(self.members.items()) if i == interface}

    def listed(self) -> list[AmiEvent]:
        return [
            queue_status_member(
                queue,
                interface.removeprefix("PJSIP/"),
                name,
                paused=paused,
                penalty=self.penalties.get((queue, interface), 0),
            )
            for (queue, interface), (name, paused) in sorted(self.members.items())
        ]

    async def _answer(self, reply: Reply) -> Reply:
        gate, self._gate = self._gate, None
        if gate is not None:
            self._held = gate
            await gate.wait()
        return reply

    async def _add(self, action: QueueAdd) -> Reply:
        key = (action.queue, action.interface)
        if key in self.members:
            return await self._answer(failure("Unable to add interface: Already there"))
        self.members[key] = (action.member_name or action.interface, bool(action.paused))
        if action.penalty:
            self.penalties[key] = action.penalty
        return await self._answer(success("Added interface to queue"))

    async def _remove(self, action: QueueRemove) -> Reply:
        self.penalties.pop((action.queue, action.interface), None)
        if self.members.pop((action.queue, action.interface), None) is None:
            return await self._answer(failure("Unable to remove interface: Not there"))
        return await self._answer(success("Removed interface from queue"))

    async def _pause(self, action: QueuePause) -> Reply:
        keys = [k for k in self.members if k[1] == action.interface]
        keys = [k for k in keys if action.queue is None or k[0] == action.queue]
        if not keys:
            return await self._answer(failure("Interface not found"))
        for key in keys:
            self.members[key] = (self.members[key][0], action.paused)
        return await self._answer(
            success("Interface paused successfully" if action.paused else "Interface unpaused")
        )


# ------------------------------------------------------------ prompts without espeak-ng

_TONE = wav_bytes(
    b"".join(struct.pack("<h", int(8000 * math.sin(2 * math.pi * n / 18))) for n in range(800))
)


class ToneVoice:
    """A speech synthesiser that writes a tenth of a second of tone for any text.

    ``identity`` is what the prompt cache keys on: give espeak-ng's own
    (``EspeakVoice().identity()``) to fill a prompt folder that a real build then finds
    complete and reuses, without running espeak-ng per text.
    """

    def __init__(self, identity: str = "tone-voice|1") -> None:
        self._identity = identity
        self.spoken: list[str] = []

    def identity(self) -> str:
        return self._identity

    def synthesize(self, text: str, wav_path: Path) -> None:
        self.spoken.append(text)
        wav_path.write_bytes(_TONE)


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
