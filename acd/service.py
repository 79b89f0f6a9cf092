"""The ACD controller process, put together (``kcc controller`` runs it).

Composition root: reads the site and its IVR flow, renders the prompts, connects to
AMI, serves FastAGI (``/ivr`` for callers on 14023, ``/direct`` for callers of a
back-office extension's own number, ``/feature`` for agents' feature codes)
and the control API, and publishes events to Redis. Nothing lives at module level.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from acd.agi import AgiRouter, AgiServer, AgiSession
from acd.ami import AmiClient, AmiSettings
from acd.caller_session import CallerSession
from acd.controller import Controller
from acd.core import inputs as ev
from acd.core.acd import Acd
from acd.direct_call import DirectCallSession
from acd.features import FeatureError, parse_feature
from acd.prompt_book import PromptBook
from acd.publisher import EventPublisher
from ivr_flows.inputs import LiveSwitches
from ivr_flows.runner import IvrContext
from ivr_flows.site_check import load_site_flow, site_opening_hours
from site_config import SiteConfig

log = logging.getLogger(__name__)


@dataclass
class LiveSettings:
    """What the floor manager switches live: the calamity message, the topic menu."""

    calamity_text: str | None = None
    calamity_prompt: str | None = None
    topic_menu_enabled: bool = True
    changed_at: dict[str, datetime] = field(default_factory=dict)


def wall_clock(start: datetime | None) -> Callable[[], datetime]:
    """The clock the IVR's opening hours use; a test can start it at a chosen moment."""
    if start is None:
        return lambda: datetime.now(UTC)
    offset = start - datetime.now(UTC)
    return lambda: datetime.now(UTC) + offset


@dataclass(frozen=True)
class ControllerOptions:
    site_path: Path
    ami_secret: str
    prompts_dir: Path
    prompts_asterisk_dir: PurePosixPath
    stream: str = "kcc:events"
    ivr_time: datetime | None = None
    ami_port: int | None = None


class ControllerService:
    """One running controller: build with ``create``, run with ``serve``."""

    def __init__(self, site: SiteConfig, options: ControllerOptions) -> None:
        self.site, self.options = site, options
        self.flow = load_site_flow(site)
        self.prompts = PromptBook.build(
            site, self.flow, options.prompts_dir, options.prompts_asterisk_dir
        )
        self.settings = LiveSettings(topic_menu_enabled=site.ivr.topic_menu_enabled)
        self.ivr_clock = wall_clock(options.ivr_time)
        svc = site.services
        self.ami = AmiClient(
            AmiSettings(
                host=svc.bind_host,
                port=options.ami_port or svc.ami_port,
                username=svc.ami_username,
                secret=options.ami_secret,
            ),
            on_connected=self._on_connected,
            name="kcc-acd",
        )
        self.publisher = EventPublisher(svc.redis_url, stream=options.stream)
        self.controller = Controller(site, Acd(site), self.ami, self.publisher)
        self._ivr_context = IvrContext(
            opening=site_opening_hours(site),
            now=self.ivr_clock,
            switches=lambda: LiveSwitches(
                calamity_prompt=self.settings.calamity_prompt,
                topic_menu_enabled=self.settings.topic_menu_enabled,
            ),
        )
        self._positions = {p.extension: p.id for p in site.positions}

    async def _on_connected(self, client: AmiClient) -> None:
        await self.controller.on_connected(client)

    # ------------------------------------------------------------ FastAGI

    def _caller_session(self, agi: AgiSession) -> CallerSession:
        return CallerSession(
            agi,
            self.controller,
            flow=self.flow,
            ivr_context=self._ivr_context,
            prompt_name=self.prompts.name,
            message_interval_s=float(self.site.norms.waiting_message_interval_s),
        )

    async def handle_ivr(self, agi: AgiSession) -> None:
        await self._caller_session(agi).run()

    async def handle_direct(self, agi: AgiSession) -> None:
        await DirectCallSession(
            agi,
            self.controller.backoffice,
            self._caller_session,
            general_topic=self.site.ivr.general_topic,
        ).run()

    async def handle_feature(self, agi: AgiSession) -> None:
        code = agi.env.extension
        extension = agi.env.channel.removeprefix("PJSIP/").rsplit("-", 1)[0]
        position_id = self._positions.get(extension)
        if position_id is None:
            log.warning("feature code %s from %s, which is no TIC position", code, extension)
            await self._confirm(agi, ok=False)
            return
        seated = self.controller.agent_at(position_id)
        parsed = parse_feature(
            code, position_id=position_id, seated_agent=seated, at=self.controller.now()
        )
        if isinstance(parsed, FeatureError):
            log.warning("feature code at %s: %s", position_id, parsed.why)
            await self._confirm(agi, ok=False)
            return
        refused = self.controller.command(parsed)
        await self._confirm(agi, ok=refused is None, prompt=_confirmation(parsed))

    async def _confirm(self, agi: AgiSession, *, ok: bool, prompt: str = "") -> None:
        await agi.set_variable("KCC_HANDLED", "1")
        await agi.answer()
        await agi.stream_file(self.prompts.name(prompt if ok else "feature-refused"))

    # ------------------------------------------------------------ running

    async def serve(self, stop: asyncio.Event) -> None:
        svc = self.site.services
        server = AgiServer(
            AgiRouter(
                {
                    "ivr": self.handle_ivr,
                    "direct": self.handle_direct,
                    "feature": self.handle_feature,
                }
            ),
            host=svc.bind_host,
            port=svc.agi_port,
        )
        from acd.control_api import serve_control_api

        async with self.ami, server, asyncio.TaskGroup() as tasks:
            publisher = tasks.create_task(self.publisher.run(), name="publisher")
            events = tasks.create_task(self.controller.consume_events(), name="ami-events")
            api = tasks.create_task(serve_control_api(self, stop), name="control-api")
            log.info("controller ready: FastAGI on %s:%d", svc.bind_host, svc.agi_port)
            await stop.wait()
            await self.controller.close()
            await asyncio.wait_for(self.publisher.drained(), timeout=5)
            for task in (publisher, events, api):
                task.cancel()


_CONFIRMATIONS: dict[type, str] = {
    ev.AgentLogin: "feature-logged-in",
    ev.AgentLogout: "feature-logged-out",
    ev.AgentPause: "feature-paused",
}


def _confirmation(parsed: object) -> str:
    """The prompt that confirms a carried-out feature code."""
    return _CONFIRMATIONS.get(type(parsed), "feature-available")


def run_controller(site: SiteConfig, options: ControllerOptions) -> None:
    """Run one controller in the foreground until SIGINT or SIGTERM."""
    service = ControllerService(site, options)

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await service.serve(stop)

    asyncio.run(main())
