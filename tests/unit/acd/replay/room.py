"""The replay room on its own app, over real recordings: takes kept by the real shelf
(joined, sealed, catalogued in a temporary folder) and read back through ShelfReader,
the site's logins at a tiny scrypt cost, a real audit log."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from fastapi import FastAPI

from acd.audit import LOCAL, AuditEntry, AuditLog
from acd.clock import FakeClock
from acd.replay import routes as replay_routes
from acd.replay.service import Replay
from acd.web import Auditing, install_audit
from http_access.auth import Authenticator, install_authenticator
from recordings.coaching import CoachingStore
from recordings.shelf import ShelfReader, open_reader
from recordings.take import Mark
from site_config import SiteConfig
from tests.unit.acd.rig import sample_site
from tests.unit.http.demo_access import cheaply_hashed
from tests.unit.recordings.takes import RING, shelf, take

T0 = datetime(2026, 6, 15, 9, 0, tzinfo=UTC)  # 11:00 in Haarlem, a Monday
# Anouk's call: queued, answered at T0; recorded 0-10 s, paused, recorded again 20-26 s.
ANOUKS = "1718000000.7"
BRAMS = "1718000100.9"
MARKS = (
    Mark(T0 - timedelta(seconds=25), "call.queued", "In de wachtrij Burgerzaken"),
    Mark(T0, "call.answered", "Aangenomen door Anouk de Vries"),
    Mark(T0 + timedelta(seconds=4), "call.recording", "Opname gestart"),
    Mark(T0 + timedelta(seconds=15), "call.transferred", "Doorverbonden naar 301"),
    Mark(T0 + timedelta(seconds=23), "backoffice.answered", "Team Reisdocumenten nam op"),
    Mark(T0 + timedelta(seconds=40), "call.ended", "Opgehangen"),
)


def cheap_site(*, download: bool = False) -> SiteConfig:
    """The sample site with its demo passwords hashed cheaply; downloads as asked."""
    site = cheaply_hashed(sample_site())
    recording = site.recording.model_copy(update={"download_enabled": download})
    return site.model_copy(update={"recording": recording})


SITE = cheap_site()
SITE_WITH_DOWNLOADS = cheap_site(download=True)


@dataclass
class Room:
    client: httpx.AsyncClient
    audit: AuditLog
    reader: ShelfReader
    folder: Path
    coaching: CoachingStore  # coaching.db beside the catalogue, empty at first

    def entries(self) -> list[AuditEntry]:
        return list(self.audit.day(T0.astimezone(LOCAL).date()).entries)


def keep_calls(tmp_path: Path) -> Path:
    """Anouk's call (two segments with a gap, the agent talking 1-4 s) and Bram's."""
    folder = tmp_path / "recordings"
    kept = shelf(folder, T0 + timedelta(minutes=5))
    kept.keep(take(
        tmp_path / "capture", [T0 + timedelta(seconds=4), T0 + timedelta(seconds=20)],
        [([(1.0, 4.0)], [(5.0, 8.0)], 10.0), ([], [(1.0, 3.0)], 6.0)],
        call_id=ANOUKS, timeline=MARKS,
    ))  # fmt: skip
    kept.keep(take(
        tmp_path / "capture", [T0 + timedelta(hours=2)], [([(0.0, 2.0)], [], 3.0)],
        call_id=BRAMS, agent_id="1002", topic="belastingen", municipality="zandvoort",
        extension="202",
    ))  # fmt: skip
    kept.close()
    return folder


def app_for(
    site: SiteConfig, reader: ShelfReader, audit: AuditLog, coaching: CoachingStore | None = None
) -> FastAPI:
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    install_authenticator(app, Authenticator(site.access))
    install_audit(app, Auditing(audit, FakeClock(T0 + timedelta(hours=3))))
    replay_routes.add_routes(app, Replay(reader, site, coaching))
    return app


@asynccontextmanager
async def room(tmp_path: Path, site: SiteConfig = SITE) -> AsyncIterator[Room]:
    folder = keep_calls(tmp_path)
    reader = open_reader(folder, RING, now=lambda: T0)
    coaching = CoachingStore.open(folder)
    audit = AuditLog(tmp_path / "audit", retention_days=365, today=T0.date())
    transport = httpx.ASGITransport(app=app_for(site, reader, audit, coaching))
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://ctl") as client:
            yield Room(client, audit, reader, folder, coaching)
    finally:
        coaching.close()
        reader.close()
