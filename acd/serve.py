"""The controller's process: its sockets, servers and shutdown around a ``Controller``.

``serve`` opens what the process owns (the AMI client, the event spool and publisher,
the FastAGI server, the control API's uvicorn), builds the ``Controller``
(``acd.controller``) on them, runs until ``stop`` is set, then shuts down in order: the
API, the rooms, a few seconds for Redis to take what is spooled (the rest waits in the
spool for the next start). ``run_controller`` is the same in the foreground, ended by
SIGINT or SIGTERM (``kcc controller``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
from collections.abc import Iterator
from pathlib import PurePosixPath
from zoneinfo import ZoneInfo

import uvicorn

from acd.agents.features import FEATURE_TEXTS
from acd.agi import AgiServer
from acd.ami import AmiClient, AmiSettings
from acd.audit import LOCAL, AuditLog
from acd.callbacks.store import NoteStore
from acd.campon.session import CAMP_ON_TEXTS
from acd.clock import AsyncioClock
from acd.controller import Controller, ControllerOptions, Parts
from acd.desk.history import CallerHistory, caller_key
from acd.ivr.service import wall_clock
from acd.ivr.settings_file import LiveSettingsFile
from acd.phonebook.status_file import StatusFile
from acd.prometheus.exporter import Watched
from acd.prompts import PromptBook
from acd.publisher import EventPublisher
from acd.publisher.spool import EventSpool
from acd.queue.session import MAX_WAIT_TEXTS
from acd.recording.purge import RecordingPurge
from acd.recording.service import CaptureFolder
from acd.waiting import FRAGMENTS
from contract.events import ControllerStarted
from ivr_flows.site_check import load_site_flow
from recordings.coaching import CoachingStore
from recordings.keys import KeyRing
from recordings.retention import RetentionPolicy
from recordings.shelf import open_reader, open_shelf
from site_config import SiteConfig
from site_config.demo_secrets import refuse_demo_secrets

log = logging.getLogger(__name__)


class _QuietServer(uvicorn.Server):
    """uvicorn without its own signal handlers: the controller owns SIGINT/SIGTERM."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


async def serve(site: SiteConfig, options: ControllerOptions, stop: asyncio.Event) -> None:
    """Run one controller until ``stop`` is set."""
    svc = site.services
    flow = load_site_flow(site)
    prompts = PromptBook.build(
        site,
        flow,
        options.prompts_dir,
        options.prompts_asterisk_dir,
        extra_texts={**FRAGMENTS, **FEATURE_TEXTS, **CAMP_ON_TEXTS, **MAX_WAIT_TEXTS},
    )
    holder: list[Controller] = []

    async def on_connected(client: AmiClient) -> None:
        await holder[0].on_connected(client)

    ami = AmiClient(
        AmiSettings(
            host=svc.bind_host,
            port=options.ami_port or svc.ami_port,
            username=svc.ami_username,
            secret=options.ami_secret,
        ),
        on_connected=on_connected,
        name="kcc-acd",
    )
    spool = EventSpool.open(options.state_dir / "event-spool.db")
    publisher = EventPublisher(svc.redis_url, stream=options.stream, spool=spool)
    clock = AsyncioClock()
    audit = AuditLog(
        options.state_dir / "audit",
        retention_days=site.access.audit_retention_days,
        today=clock.now().astimezone(LOCAL).date(),
    )
    notes = NoteStore.open(
        options.state_dir / "callbacks.db",
        clock=clock,
        retention_days=site.callback_notes.retention_days,
    )
    recordings_dir = options.recordings_dir or site.recording.directory
    capture_dir = options.capture_dir or recordings_dir / "capture"
    capture = CaptureFolder(
        capture_dir, options.capture_asterisk_dir or PurePosixPath(capture_dir.as_posix())
    )
    ring = KeyRing.from_environ(os.environ)
    shelf = open_shelf(recordings_dir, ring, now=clock.now)
    recordings = open_reader(recordings_dir, ring, now=clock.now, zone=ZoneInfo(site.timezone))
    controller = Controller(
        site,
        Parts(
            ami=ami,
            sink=publisher,
            clock=clock,
            prompts=prompts,
            flow=flow,
            audit=audit,
            statuses=StatusFile(options.state_dir / "phonebook-status.json"),
            live_settings=LiveSettingsFile(options.state_dir / "ivr-live-settings.json"),
            notes=notes,
            history=CallerHistory(
                options.state_dir / "caller-history.db", caller_key(dict(os.environ))
            ),
            shelf=shelf,
            capture=capture,
            coaching=CoachingStore.open(recordings_dir),
            recordings=recordings,
        ),
        ivr_now=wall_clock(options.ivr_time),
    )
    holder.append(controller)
    controller.sink.publish(ControllerStarted(at=clock.now()))  # calls from before are lost
    agi = AgiServer(
        controller.agi_handler(),
        host=svc.agi_bind_host,
        port=svc.agi_port,
        allowed_peers=svc.agi_peers,
    )
    api = _QuietServer(
        uvicorn.Config(
            controller.control_app(Watched(events=publisher, ami=ami, agi=agi)),
            host=svc.control_bind_host,
            port=svc.control_port,
            lifespan="off",
            log_level="warning",
            server_header=False,
            proxy_headers=False,
        )
    )
    with spool:  # closed after the drain task has stopped
        async with ami, agi, asyncio.TaskGroup() as tasks:
            draining = tasks.create_task(publisher.run(), name="publisher")
            events = tasks.create_task(controller.consume_events(), name="ami-events")
            serving = tasks.create_task(api.serve(), name="control-api")
            log.info("controller ready: FastAGI on %s:%d", svc.agi_bind_host, svc.agi_port)
            # The controller is the one process that writes the recordings folder: it keeps
            # the recordings and deletes them on their retention (at start, then daily).
            purge = RecordingPurge(
                directory=recordings_dir,
                policy=RetentionPolicy.of(site.recording, zone=ZoneInfo(site.timezone)),
                coaching=controller.parts.coaching,
                clock=clock,
                audit=audit,
            )
            await stop.wait()
            api.should_exit = True
            await purge.close()
            await controller.close()
            await _drain_a_while(publisher)
            await serving
            for task in (draining, events):
                task.cancel()


async def _drain_a_while(publisher: EventPublisher) -> None:
    """Give Redis a few seconds for what is spooled; what it does not take stays in the
    spool for the next start (nothing is discarded)."""
    try:
        await asyncio.wait_for(publisher.drained(), timeout=5)
    except TimeoutError:
        log.warning("Redis did not take the last events; they wait in the spool")


def run_controller(site: SiteConfig, options: ControllerOptions) -> None:
    """Run one controller in the foreground until SIGINT or SIGTERM.

    ``ConfigError`` before anything starts when the site still has a published demo
    secret and this is not the demo (``site_config.demo_secrets``).
    """
    refuse_demo_secrets(site, os.environ)

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await serve(site, options, stop)

    asyncio.run(main())
