"""``rig(site)``: a real ``acd.controller.Controller`` on in-process fakes.

Its AMI is the scripted ``Asterisk``, its events go to a ``MemorySink``, its time is a
``FakeClock``; its files (the audit log, the phonebook's statuses, the callback notes'
``callbacks.db``, the recordings folder with its catalogue and ``coaching.db``, read back
by the replay) live in a temporary folder, and its AMI event loop runs.
"""

from __future__ import annotations

import asyncio
import functools
import tempfile
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from acd.ami.events import AmiEvent
from acd.ami.fake import FakeAmi
from acd.audit import AuditLog
from acd.callbacks.store import NoteStore
from acd.clock import FakeClock, settle
from acd.controller import Controller, Parts
from acd.desk.history import CallerHistory
from acd.ivr.settings_file import LiveSettingsFile
from acd.phonebook.status_file import StatusFile
from acd.recording.service import CaptureFolder
from contract import MemorySink
from ivr_flows.model import Flow
from ivr_flows.site_check import load_site_flow
from recordings.catalog import Catalog
from recordings.coaching import CoachingStore
from recordings.keys import KeyRing, RecordingKey
from recordings.shelf import open_reader
from recordings.take import Take
from site_config import SiteConfig, load_site_config
from tests.unit.acd.rig.asterisk import Asterisk

REPO = Path(__file__).resolve().parents[4]
T0 = datetime(2026, 6, 15, 7, 0, tzinfo=UTC)  # a Monday, 09:00 in Haarlem


@functools.cache
def sample_site() -> SiteConfig:
    """The sample site, read once: it is frozen, so every test may share it."""
    return _read_sample_site()


def _read_sample_site() -> SiteConfig:
    return load_site_config(REPO / "config" / "site.yaml")


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
