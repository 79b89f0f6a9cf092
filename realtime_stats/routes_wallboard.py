"""``/wallboard``: the floor's real-time screen, its JSON and its event stream.

Wall screens log in with a display token, in the ``Authorization`` header or as
``?token=`` (a kiosk browser and ``EventSource`` cannot set headers); floor managers,
team leads and admins log in as themselves. The page, ``/api/wallboard`` and the
stream all use :data:`WALLBOARD_ACCESS`, so they always admit the same callers. The
team-lead drill-down is for people only: a display token never opens it.

The page's script and style are inlined under a per-response CSP nonce instead of
being served from a static route: a ``<script src>`` cannot send the token header, so
a static route would need the display token copied into yet another URL. No external
resource is loaded; the script only talks back to this origin (``connect-src 'self'``).

Theory of operation of the stream: every event is a full snapshot, so a screen that
reconnects is whole again with its first event. Changes are coalesced: the first change
after a quiet spell is pushed at once, later ones at most every ``min_gap_s``, and a
comment line every ``keepalive_s`` keeps proxies from closing an idle stream.
"""

from __future__ import annotations

import asyncio
import html
import json
import secrets
import time
from collections.abc import AsyncGenerator, Callable
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, Query, status
from fastapi.responses import HTMLResponse, Response, StreamingResponse
from starlette.concurrency import run_in_threadpool

from http_access.auth import Principal, PrincipalKind, require
from realtime_stats.board import BoardFeed, board_snapshot
from site_config.access import Role
from site_config.config import SiteConfig

WALLBOARD_ROLES = (Role.FLOOR_MANAGER, Role.TEAM_LEAD)  # admin implied
WALLBOARD_ACCESS = require(*WALLBOARD_ROLES, allow_display=True)
TEAMLEAD_ACCESS = require(*WALLBOARD_ROLES)  # people only: no display token

_ASSETS = {"{{style}}": "board.css", "{{script}}": "board.js"}
_MARKERS = ("{{site}}", "{{name}}", "{{role}}")

# A token may sit in these URLs: never send it on as a Referer, never cache a response.
_NO_STORE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


def _page_headers(nonce: str) -> dict[str, str]:
    policy = (
        f"default-src 'none'; script-src 'nonce-{nonce}'; style-src 'nonce-{nonce}'; "
        "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )
    return {**_NO_STORE, "Content-Security-Policy": policy}


class WallboardPage:
    """A page template (style and script already inlined), filled in per request."""

    def __init__(self, template: str, *, site_name: str) -> None:
        for marker in _MARKERS:
            if marker not in template:
                raise ValueError(f"wallboard template lacks the {marker} marker")
        self._template, self._site_name = template, site_name

    @classmethod
    def load(
        cls, *, site_name: str, name: str = "index.html", folder: Traversable | None = None
    ) -> WallboardPage:
        """The page ``name`` with its assets inlined, from ``folder`` (default: the package
        ``realtime_stats.wallboard``)."""
        folder = folder or resources.files("realtime_stats.wallboard")
        template = folder.joinpath(name).read_text(encoding="utf-8")
        for marker, asset in _ASSETS.items():
            text = folder.joinpath(asset).read_text(encoding="utf-8")
            if "{{" in text or "</" in text:
                # Either would be read as a marker or could end the inline element early.
                raise ValueError(f"wallboard asset {asset} must not contain '{{{{' or '</'")
            template = template.replace(marker, text)
        return cls(template, site_name=site_name)

    def render(self, who: Principal, *, nonce: str = "") -> str:
        """The page for ``who``; the route passes the nonce its CSP header names."""
        role = "display (read-only)" if who.kind is PrincipalKind.DISPLAY else str(who.role)
        return (
            self._template.replace("{{nonce}}", nonce)
            .replace("{{site}}", html.escape(self._site_name))
            .replace("{{name}}", html.escape(who.name))
            .replace("{{role}}", html.escape(role))
        )

    def response(self, who: Principal) -> HTMLResponse:
        nonce = secrets.token_urlsafe(18)
        return HTMLResponse(self.render(who, nonce=nonce), headers=_page_headers(nonce))


@dataclass(frozen=True, slots=True, kw_only=True)
class StreamTiming:
    """How the event stream paces itself; see the module docstring."""

    min_gap_s: float = 0.1
    keepalive_s: float = 15.0
    retry_ms: int = 3000

    def __post_init__(self) -> None:
        if self.min_gap_s < 0 or self.keepalive_s <= 0 or self.retry_ms <= 0:
            raise ValueError(f"StreamTiming needs min_gap_s >= 0 and positive others: {self}")


def sse_event(name: str, data: str) -> bytes:
    """One Server-Sent Event; ``data`` is one JSON line, so one ``data:`` field."""
    if "\n" in data or "\r" in data:
        raise ValueError("SSE data must be a single line")
    return f"event: {name}\ndata: {data}\n\n".encode()


KEEPALIVE = b": keep-alive\n\n"


@dataclass(frozen=True, slots=True)
class _Rendered:
    records: tuple[object, ...]
    at: float
    text: str


class SharedSnapshot:
    """The board as JSON, rendered once for every stream and request alike.

    A snapshot of a busy day costs about 0.1 s of CPU, so the streams of several screens
    must not each render their own. The last rendering is reused while the feed's
    records are unchanged (compared by value; tuples of the same records compare by
    identity, in microseconds) for up to ``max_age_s``: the page counts waits on from
    the snapshot's own ``now``, so a slightly older one is still exact on screen.
    """

    def __init__(
        self,
        site: SiteConfig,
        feed: BoardFeed,
        *,
        max_age_s: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._site, self._feed, self._max_age_s, self._clock = site, feed, max_age_s, clock
        self._last: _Rendered | None = None  # replaced whole, so threads need no lock

    def render(self) -> str:
        inputs = self._feed.inputs()
        records = (inputs.calls, inputs.intervals, inputs.agent_names, inputs.agent_positions)
        last = self._last
        if (
            last is not None
            and last.records == records
            and self._clock() - last.at < self._max_age_s
        ):
            return last.text
        snapshot = board_snapshot(self._site, inputs)
        text = json.dumps(snapshot, separators=(",", ":"), allow_nan=False)
        self._last = _Rendered(records, self._clock(), text)
        return text


class _Changes:
    """A feed's change notifications, waited for with a timeout.

    One ``anext`` stays pending across waits instead of being cancelled on timeout:
    cancelling it would end the feed's generator. Closing cancels and awaits it.
    """

    def __init__(self, feed: BoardFeed) -> None:
        self._changes = feed.subscribe()
        self._pending: asyncio.Future[None] | None = None

    async def start(self) -> None:
        """Subscribe now, so no change between this and the first snapshot is missed."""
        self._pending = asyncio.ensure_future(anext(self._changes))
        await asyncio.sleep(0)  # let the generator register before its first wait

    async def wait(self, within_s: float) -> bool | None:
        """True on a change, False after `within_s` without one, None once the feed ended."""
        if self._pending is None:
            self._pending = asyncio.ensure_future(anext(self._changes))
        done, _ = await asyncio.wait({self._pending}, timeout=within_s)
        return self._take() if done else False

    async def drain(self) -> None:
        """Consume changes that came in meanwhile: the next snapshot covers them."""
        if self._pending is None:
            self._pending = asyncio.ensure_future(anext(self._changes))
        await asyncio.sleep(0)  # a change already signalled completes the anext now
        if self._pending.done():
            self._take()

    def _take(self) -> bool | None:
        task, self._pending = self._pending, None
        assert task is not None
        if isinstance(task.exception(), StopAsyncIteration):
            return None
        task.result()
        return True

    async def aclose(self) -> None:
        if self._pending is not None:
            self._pending.cancel()
            await asyncio.wait({self._pending})
            if not self._pending.cancelled():
                self._pending.exception()  # retrieved, so asyncio does not warn
            self._pending = None
        closer = getattr(self._changes, "aclose", None)
        if closer is not None:
            await closer()


async def snapshot_events(
    feed: BoardFeed,
    render: Callable[[], str],
    timing: StreamTiming,
    *,
    clock: Callable[[], float] = time.monotonic,
) -> AsyncGenerator[bytes, None]:
    """The stream's bytes: retry hint and a snapshot, then one snapshot per change.

    ``render`` runs in a worker thread, so a long rendering does not stall the loop.
    """
    changes = _Changes(feed)
    try:
        await changes.start()
        first = await run_in_threadpool(render)
        yield f"retry: {timing.retry_ms}\n".encode() + sse_event("snapshot", first)
        last_push = clock()
        while (changed := await changes.wait(timing.keepalive_s)) is not None:
            if not changed:
                yield KEEPALIVE
                continue
            gap = timing.min_gap_s - (clock() - last_push)
            if gap > 0:
                await asyncio.sleep(gap)
                await changes.drain()
            yield sse_event("snapshot", await run_in_threadpool(render))
            last_push = clock()
    finally:
        await changes.aclose()


def _check_selection(site: SiteConfig, topic: str | None, agent: str | None) -> None:
    """Refuse a drill-down on both a topic and an agent, or on an unknown one."""
    if topic is not None and agent is not None:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, "give ?topic= or ?agent=, not both")
    for kind, wanted, known in (
        ("topic", topic, [t.id for t in site.topics]),
        ("agent", agent, [a.id for a in site.agents]),
    ):
        if wanted is not None and wanted not in known:
            detail = f"unknown {kind} {wanted!r}; known: {', '.join(sorted(known))}"
            raise HTTPException(status.HTTP_404_NOT_FOUND, detail)


def add_routes(
    app: FastAPI,
    page: WallboardPage,
    feed: BoardFeed,
    *,
    site: SiteConfig,
    timing: StreamTiming | None = None,
) -> None:
    """The wallboard page, its snapshot and stream, and the team-lead drill-down."""
    timing = timing or StreamTiming()
    teamlead = WallboardPage.load(site_name=site.name, name="teamlead.html")
    render = SharedSnapshot(site, feed).render

    @app.get("/wallboard", response_class=HTMLResponse)
    async def wallboard(who: Annotated[Principal, Depends(WALLBOARD_ACCESS)]) -> HTMLResponse:
        return page.response(who)

    @app.get("/wallboard/teamlead", response_class=HTMLResponse)
    async def teamlead_view(
        who: Annotated[Principal, Depends(TEAMLEAD_ACCESS)],
        topic: Annotated[str | None, Query()] = None,
        agent: Annotated[str | None, Query()] = None,
    ) -> HTMLResponse:
        _check_selection(site, topic, agent)
        return teamlead.response(who)

    @app.get("/api/wallboard")
    async def snapshot(_: Annotated[Principal, Depends(WALLBOARD_ACCESS)]) -> Response:
        text = await run_in_threadpool(render)
        return Response(text, media_type="application/json", headers=_NO_STORE)

    @app.get("/api/wallboard/stream")
    async def stream(_: Annotated[Principal, Depends(WALLBOARD_ACCESS)]) -> StreamingResponse:
        # X-Accel-Buffering: a buffering proxy would hold events back until it fills up.
        headers = {**_NO_STORE, "X-Accel-Buffering": "no"}
        events = snapshot_events(feed, render, timing)
        return StreamingResponse(events, media_type="text/event-stream", headers=headers)
