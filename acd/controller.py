"""The ACD controller process, put together: the one composition root of ``acd``.

``Controller`` builds every part from the site and hands each its dependencies: the AMI
client, the event sink (Redis), the clock, the ACD core, and the rooms (the queue, the
agents' legs and feature codes, warm transfer, camp-on, the back office, the IVR, the
phonebook, callback notes). ``acd.serve`` runs them: FastAGI (``/ivr`` for callers on 14023,
``/direct`` for callers of a back-office extension's own number, ``/campon`` for a
caller an agent camped on a colleague in a call, ``/feature`` for agents' feature
codes), the control API, the publisher, and one loop that hands every AMI event to each
room's consumer. Nothing lives at module level; a test builds a
``Controller`` on fakes with ``Parts``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Protocol
from zoneinfo import ZoneInfo

from fastapi import FastAPI

from acd import audit_routes
from acd.agents import routes as agent_routes
from acd.agents.consumer import AgentLegEvents
from acd.agents.mirror import FallbackMirror
from acd.agents.service import AgentLegs
from acd.agents.session import FeatureCodes
from acd.agi import AgiRouter
from acd.agi_guard import ChannelGuard
from acd.ami import ResyncRequired
from acd.ami.channels import Reconciliation
from acd.ami.port import AmiPort
from acd.audit import AuditLog
from acd.backoffice.consumer import BackOfficeEvents
from acd.backoffice.directory import Departments
from acd.backoffice.machine import RingNumbers
from acd.backoffice.service import DirectRinger
from acd.backoffice.session import DirectCalls
from acd.call_tables import CallTables
from acd.callbacks import routes as callback_routes
from acd.callbacks.service import CallbackNotes
from acd.callbacks.store import NoteStore
from acd.campon import routes as campon_routes
from acd.campon.consumer import CampOnEvents
from acd.campon.service import CampOnRequests
from acd.campon.session import CampOns
from acd.clock import Clock
from acd.coaching import routes as coaching_routes
from acd.coaching.service import Coaching
from acd.colleague import routes as colleague_routes
from acd.core.acd import Acd
from acd.desk import routes as desk_routes
from acd.desk.consumer import DeskEvents
from acd.desk.history import CallerHistory
from acd.desk.service import AgentDesks, Names
from acd.ivr import routes as ivr_routes
from acd.ivr.service import IvrSwitches
from acd.ivr.session import IvrSession
from acd.ivr.settings_file import LiveSettingsFile
from acd.phonebook import routes as phonebook_routes
from acd.phonebook.consumer import PresenceEvents
from acd.phonebook.service import Phonebook
from acd.phonebook.status_file import StatusFile
from acd.prometheus import routes as metrics_routes
from acd.prometheus.exporter import ControllerExporter, Watched
from acd.prompts import Prompts
from acd.queue import routes as queue_routes
from acd.queue.service import QueueService
from acd.queue.session import QueueWait
from acd.recording import routes as recording_routes
from acd.recording.automatic import AutomaticRecording
from acd.recording.consumer import RecordingEvents
from acd.recording.facts import CallFactsBook
from acd.recording.service import CaptureFolder, Recorder, Shelf
from acd.replay import routes as replay_routes
from acd.replay.service import RecordingShelf, Replay
from acd.transfer import routes as transfer_routes
from acd.transfer.consumer import TransferEvents
from acd.transfer.service import WarmTransfer
from acd.web import Auditing
from contract import EventSink
from contract.dialplan import AgiScript
from contract.sink import Tee
from http_access.auth import Authenticator, install_authenticator
from http_access.body_limit import CONTROL_API_MAX_BODY, BodyLimit
from http_access.streams import StreamSlots, install_stream_slots
from http_access.validation import install_validation_answer
from ivr_flows.model import Flow
from recordings.coaching import CoachingStore
from site_config import SiteConfig

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ControllerOptions:
    site_path: Path
    ami_secret: str
    prompts_dir: Path
    prompts_asterisk_dir: PurePosixPath
    # The controller's own files: audit/ (acd.audit), phonebook statuses, callbacks.db,
    # event-spool.db (events not yet in Redis: acd.publisher.spool)
    # the IVR's live settings
    state_dir: Path
    # Where Asterisk's MixMonitor writes segments, here and as Asterisk sees it; where
    # the kept recordings go. None: the site's recording.directory (and its capture/).
    capture_dir: Path | None = None
    capture_asterisk_dir: PurePosixPath | None = None
    recordings_dir: Path | None = None
    stream: str = "kcc:events"
    ivr_time: datetime | None = None
    ami_port: int | None = None


class Consumer(Protocol):
    def on_event(self, event: object) -> None: ...


@dataclass(frozen=True)
class Parts:
    """What the controller talks to: real ones from ``Controller.create``, fakes in tests."""

    ami: AmiPort
    sink: EventSink
    clock: Clock
    prompts: Prompts
    flow: Flow
    audit: AuditLog
    statuses: StatusFile
    live_settings: LiveSettingsFile  # the IVR's calamity message and topic menu
    notes: NoteStore  # callback notes; the controller closes it
    history: CallerHistory
    shelf: Shelf  # where recordings are kept (recordings.shelf)
    capture: CaptureFolder
    coaching: CoachingStore  # coaching.db beside it (recordings.coaching)
    # The kept recordings read back, by the replay and by coaching (recordings.shelf.
    # ShelfReader: its catalogue connection is read-only, opened after the shelf's).
    recordings: RecordingShelf


class Controller:
    """Every part of one controller, wired; see the module docstring."""

    def __init__(
        self,
        site: SiteConfig,
        parts: Parts,
        *,
        ivr_now: Callable[[], datetime] | None = None,
    ) -> None:
        self.site, self.parts = site, parts
        ami, clock = parts.ami, parts.clock
        self.desks = AgentDesks(
            clock,
            parts.history,
            Names.of(site, parts.flow),
            agents=lambda: self.queue.agents(),
            positions=lambda: self.queue.positions(),
        )
        self.call_facts = CallFactsBook({t.id: t.name for t in site.topics})
        automatic = AutomaticRecording(
            site.recording.automatic,
            self.call_facts,
            ZoneInfo(site.timezone),
            start=lambda agent, call: self.recorder.start_soon(agent, call),
        )
        # The stream first, then the agents' pages, the recordings' facts and policy.
        self.sink = sink = Tee(parts.sink, self.desks, self.call_facts, automatic)
        self.acd = Acd(site)
        self.mirror = FallbackMirror(ami, general=site.ivr.general_topic)
        self.legs = AgentLegs(
            ami,
            clock,
            lambda event: self.queue.feed(event),
            topic_names={t.id: t.name for t in site.topics},
        )
        self.queue = QueueService(self.acd, sink, clock, ringer=self.legs, mirror=self.mirror)
        self.queue_wait = QueueWait(
            self.queue,
            sink,
            clock,
            prompt_name=parts.prompts.name,
            message_interval_s=float(site.norms.waiting_message_interval_s),
            max_wait_s=float(site.norms.max_wait_s),
        )
        self.positions = {p.extension: p.id for p in site.positions}
        self.features = FeatureCodes(
            self.queue,
            clock,
            positions=self.positions,
            prompt_name=parts.prompts.name,
            audit=parts.audit,
            pins={a.id: a.pin_hash for a in site.agents if a.pin_hash is not None},
        )
        departments = Departments(site)
        self.ring_numbers = numbers = RingNumbers()
        self.ringer = DirectRinger(ami, sink, clock, departments, numbers)
        self.phonebook = Phonebook(site, clock, parts.statuses)
        self.camp_ons = CampOns(
            self.ringer,
            self.phonebook,
            self.queue_wait,
            clock,
            prompt_name=parts.prompts.name,
            general_topic=site.ivr.general_topic,
        )
        self.direct = DirectCalls(
            self.ringer,
            self.queue_wait,
            clock,
            general_topic=site.ivr.general_topic,
            busy_line=self.camp_ons,
        )
        self.camp_on_requests = CampOnRequests(
            ami, self.legs, departments, self.phonebook, clock, self.queue.feed
        )
        self.transfer_events = TransferEvents(
            self.legs, departments, numbers, sink, clock, self.queue.feed
        )
        self.transfer = WarmTransfer(
            ami,
            self.legs,
            departments,
            positions=frozenset(self.positions),
            consult_leg=self.transfer_events.consult_leg,
        )
        self.leg_events = AgentLegEvents(self.legs, ami, clock)
        self.switches = IvrSwitches(
            site, parts.prompts, now=ivr_now or clock.now, kept=parts.live_settings
        )
        self.ivr = IvrSession(
            parts.flow, self.switches, self.queue_wait, sink, clock, prompt_name=parts.prompts.name
        )
        self.presence = PresenceEvents(self.phonebook, ami)
        self.callbacks = CallbackNotes(site, parts.notes, sink, clock)
        self.coaching = Coaching(site, parts.coaching, parts.recordings, clock)
        self.recorder = Recorder(
            ami,
            sink,
            clock,
            parts.shelf,
            parts.capture,
            self.call_facts,
            talking_leg_of=self.legs.talking_leg_of,
            agent_at=self._agent_at,
        )
        self.replay = Replay(parts.recordings, site, parts.coaching)
        self.call_tables = CallTables(
            (
                ("ivr", self.ivr),
                ("core", self.acd),
                ("queue", self.queue),
                ("legs", self.legs),
                ("backoffice", self.ringer),
                ("campon", self.camp_on_requests),
                ("campon", self.camp_ons),
                ("transfer", self.transfer_events),
                ("desk", self.desks),
                ("recorder", self.recorder),
            )
        )
        # Order: the back office, transfers and camp-ons see an event before the legs it
        # may end.
        back_office, desk_events = BackOfficeEvents(self.ringer, numbers), DeskEvents(self.desks)
        self.consumers: Sequence[Consumer] = (
            back_office,
            self.transfer_events,
            CampOnEvents(self.camp_on_requests),
            self.leg_events,
            self.presence,
            RecordingEvents(self.recorder, clock, parts.audit),
            desk_events,
        )
        # After AMI was away: callers first (their ends published), the screens last.
        rooms = (self.queue, self.camp_ons, back_office, self.transfer_events, self.leg_events)
        self.reconciliation = Reconciliation(ami, clock.now, (self.ivr, *rooms, desk_events))
        self._restored = False

    def _agent_at(self, extension: str) -> str:
        """The agent seated at the position with ``extension``; "" for none."""
        seated = (p.agent_id for p in self.queue.positions() if p.extension == extension)
        return next((a for a in seated if a), "")

    # ------------------------------------------------------------ AMI

    async def consume_events(self) -> None:
        """Hand every AMI event to each room's consumer, for as long as AMI runs."""
        async for item in self.parts.ami.events():
            if isinstance(item, ResyncRequired):
                await self.reconciliation.run()
                await self.presence.resync()
                continue
            for consumer in self.consumers:
                consumer.on_event(item)

    async def on_connected(self, _: object) -> None:
        """After each AMI login: restore the logins (once it has worked), then resync."""
        if not self._restored:
            self._restored = await self.mirror.restore(
                self.queue.feed,
                self.parts.clock,
                positions=self.positions,
                topics=[t.id for t in self.site.topics],
                peak=frozenset(p.id for p in self.site.positions if p.peak),
            )
        await self.reconciliation.run()
        await self.presence.resync()
        await self.recorder.sweep()

    # ------------------------------------------------------------ FastAGI and HTTP

    def agi_handler(self) -> ChannelGuard:
        """What FastAGI serves: the rooms by script path, for channels Asterisk has only."""
        return ChannelGuard(self.parts.ami, self.agi_router())

    def agi_router(self) -> AgiRouter:
        return AgiRouter(
            {
                AgiScript.IVR: self.ivr.run,
                AgiScript.DIRECT: self.direct.run,
                AgiScript.FEATURE: self.features.handle,
                AgiScript.CAMP_ON: self.camp_ons.run,
            }
        )

    def control_app(self, watched: Watched | None = None) -> FastAPI:
        """The control API: each room's routes, bound to this controller's services;
        ``/metrics`` reads ``watched``: the process's publisher, AMI client and FastAGI
        server (``serve`` passes them; without, it exports none of their series), and
        this controller's per-call tables."""
        app = FastAPI(title="KCC 14023 controller", docs_url=None, redoc_url=None, openapi_url=None)
        app.add_middleware(BodyLimit, max_bytes=CONTROL_API_MAX_BODY)  # before any body is read
        install_authenticator(app, Authenticator(self.site.access))
        install_stream_slots(app, StreamSlots())
        exported = replace(watched or Watched(), calls=self.call_tables)  # its own rooms
        metrics_routes.add_routes(app, ControllerExporter(exported))
        install_validation_answer(app)
        audit_routes.add_routes(app, Auditing(self.parts.audit, self.parts.clock))
        queue_routes.add_routes(app, self.queue)
        agent_routes.add_routes(app, self.queue)
        transfer_routes.add_routes(app, self.transfer)
        campon_routes.add_routes(app, self.camp_on_requests)
        ivr_routes.add_routes(app, self.switches)
        phonebook_routes.add_routes(app, self.phonebook)
        callback_routes.add_routes(app, self.callbacks)
        desk_routes.add_routes(app, self.desks)
        recording_routes.add_routes(app, self.recorder)
        coaching_routes.add_routes(app, self.coaching)
        replay_routes.add_routes(app, self.replay)
        colleague_routes.add_routes(app, self.site.name)
        return app

    async def close(self) -> None:
        await self.recorder.close()
        self.parts.shelf.close()
        self.parts.recordings.close()
        self.queue.close()
        await self.legs.close()
        await self.mirror.close()
        self.phonebook.close()
        self.parts.notes.close()
        self.parts.coaching.close()
        self.desks.close()


# ------------------------------------------------------------ the process
