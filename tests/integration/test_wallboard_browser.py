"""The wallboard in real headless Chromium, served by the real app under uvicorn.

The app runs in a thread on a socket bound (and listening) before the thread starts, so
the browser never races the server, and a restart can take the very same port. The
feed is an InMemoryBoardFeed changed from this thread while the page is open; every
wait is a Playwright ``expect`` on what the page shows, never a sleep.
"""

from __future__ import annotations

import os
import re
import socket
import threading
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import uvicorn
from playwright.sync_api import Browser, Locator, Page, expect, sync_playwright

from contract.vocabulary import AgentState, CallbackOutcome
from realtime_stats.app import create_app
from realtime_stats.figures.callback_records import CallbackNote
from realtime_stats.figures.records import AgentInterval, CallRecord
from realtime_stats.wallboard.feed import InMemoryBoardFeed
from site_config import SiteConfig

pytestmark = pytest.mark.integration

CHROMIUM = "/usr/bin/chromium"
TOKEN = "demo-wall-display"  # the sample site's display token (docs/site-config.md)
NOW = datetime(2026, 6, 15, 11, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))
DASH = "\N{EN DASH}"  # what the page shows for "nothing to count"


class ServedApp:
    """The stats app under uvicorn in a thread, listening on ``port``."""

    def __init__(self, site: SiteConfig, feed: InMemoryBoardFeed, port: int = 0) -> None:
        self._sock = socket.socket()
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", port))
        self._sock.listen(16)  # connections queue up until uvicorn's loop accepts them
        self.port: int = self._sock.getsockname()[1]
        # An open event stream would hold up a graceful shutdown for ever; give it 1 s.
        config = uvicorn.Config(
            create_app(site, feed=feed),
            lifespan="on",
            log_config=None,  # uvicorn's loggers go to pytest's log capture as they are
            timeout_graceful_shutdown=1,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._sock]}, name=f"uvicorn-{self.port}"
        )
        self._thread.start()

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._sock.close()
        assert not self._thread.is_alive(), "uvicorn did not stop within 10 s"


def answered(call_id: str, minutes_ago: int, wait: int, **extra: Any) -> CallRecord:
    extra.setdefault("topic_id", "burgerzaken")
    extra.setdefault("municipality_id", "haarlem")
    entered = NOW - timedelta(minutes=minutes_ago)
    answered_at = entered + timedelta(seconds=wait)
    return CallRecord(
        call_id=call_id,
        entered_at=entered,
        answered_at=answered_at,
        ended_at=answered_at + timedelta(seconds=120),
        agent_id="1002",
        talk_seconds=120,
        after_call_seconds=30,
        **extra,
    )


def callback_note(note_id: str, department: str, **times: timedelta) -> CallbackNote:
    """A note `noted`, `due` and perhaps `done` the given time after NOW (negative: before)."""
    done = times.get("done")
    return CallbackNote(
        note_id=note_id,
        department_id=department,
        noted_at=NOW + times["noted"],
        due_at=NOW + times["due"],
        done_at=None if done is None else NOW + done,
        outcome=None if done is None else CallbackOutcome.CALLED_BACK,
    )


HOUR, DAY = timedelta(hours=1), timedelta(days=1)
# Belastingen: cb1 due at 10:00 and still open (late), cb2 due at 09:00 and done at 08:00
# (in time): open 1, late 1, in time 1 of 2. Burgerzaken: cb3 made at 10:30, due tomorrow.
NOTES = (
    callback_note("cb1", "belastingen", noted=-2 * DAY, due=-HOUR),
    callback_note("cb2", "belastingen", noted=-DAY, due=-2 * HOUR, done=-3 * HOUR),
    callback_note("cb3", "burgerzaken", noted=-HOUR / 2, due=DAY),
)


def morning() -> InMemoryBoardFeed:
    """5 answered (4 within 20 s, one transferred) and 1 abandoned after 30 s; nobody waits.
    Three callback notes (`NOTES`)."""
    feed = InMemoryBoardFeed(clock=lambda: NOW)
    abandoned = CallRecord(
        call_id="c6", entered_at=NOW - timedelta(minutes=20), ended_at=NOW - timedelta(minutes=19)
    )
    feed.set_records(
        calls=[
            answered("c1", 90, 5),
            answered("c2", 80, 12),
            answered("c3", 70, 20),
            answered("c4", 60, 8, topic_id="belastingen", municipality_id="zandvoort"),
            answered("c5", 50, 45, transferred=True, transfer_department="belastingen"),
            abandoned,
        ],
        intervals=[
            AgentInterval(
                agent_id="1001", state=AgentState.AVAILABLE, start=NOW - timedelta(minutes=10)
            ),
            AgentInterval(
                agent_id="1002", state=AgentState.TALKING, start=NOW - timedelta(minutes=2)
            ),
        ],
        callback_notes=NOTES,
        agent_positions={"1001": "tic1", "1002": "tic2"},
    )
    return feed


def callback_cells(page: Page, department: str) -> Locator:
    """The cells of a department's row in the Terugbelnotities block: name, made, open,
    late, in time; `total` for the total row."""
    row = "tr.total" if department == "total" else f'tr[data-department="{department}"]'
    return page.locator(f"#callback-notes {row} td")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        # Chromium's sandbox refuses to run as root; the tests may run as root in a container.
        args = ["--no-sandbox"] if os.geteuid() == 0 else []
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=args)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    yield page
    context.close()
    # A CSP refusal or a script error shows up here; a stream cut off by a stopping
    # server ("Failed to load resource: net::ERR_...") is expected.
    assert [e for e in errors if not e.startswith("Failed to load resource: net::ERR_")] == []


@pytest.fixture
def servers() -> Iterator[list[ServedApp]]:
    """Every server a test starts; all stopped at the end, whatever happened."""
    started: list[ServedApp] = []
    yield started
    for server in started:
        server.stop()


def test_figures_appear_and_follow_the_feed_without_reload(
    site: SiteConfig,
    servers: list[ServedApp],
    page: Page,  # after servers: the page closes first, so the server stops at once
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    feed = morning()
    servers.append(ServedApp(site, feed))
    page.goto(f"http://127.0.0.1:{servers[0].port}/wallboard?token={TOKEN}")

    # Answered 5 of 6: 83 %; within 20 s 4 of 6: 67 %; 4 of 5 handled without transfer.
    expect(page.locator("#tile-answer_rate .big")).to_have_text("83%")
    expect(page.locator("#tile-answer_rate .status")).to_have_text("✓ Norm gehaald")
    expect(page.locator("#tile-service_level .big")).to_have_text("67%")
    expect(page.locator("#tile-service_level .status")).to_have_text("✗ Onder norm")
    expect(page.locator("#tile-direct_handling .big")).to_have_text("80%")
    expect(page.locator("#tile-waiting .big")).to_have_text("0")
    expect(page.locator("#tile-longest .big")).to_have_text(DASH)
    expect(page.locator("#offered")).to_have_text("6")
    expect(page.locator("#abandoned")).to_have_text("1")
    # No call lost to a controller restart: the count says 0 and draws no attention.
    expect(page.locator("#unknown_end")).to_have_text("0")
    expect(page.locator("#count-unknown_end")).not_to_have_class(re.compile(r"\bwarn\b"))
    expect(page.locator("#count-unknown_end .warn-note")).to_be_hidden()
    expect(page.locator('#agents tr[data-agent="1001"]')).to_contain_text("Beschikbaar")
    expect(page.locator("body")).to_have_attribute("data-connection", "open")
    # Terugbelnotities: Belastingen made 0 today, open 1, late 1, in time 1 of 2 = 50 %.
    expect(page.locator(".callbacks h2")).to_have_text("Terugbelnotities")
    belastingen = callback_cells(page, "belastingen")
    expect(belastingen.nth(0)).to_have_text("Belastingen")
    for column, text in ((1, "0"), (2, "1"), (3, "1")):
        expect(belastingen.nth(column)).to_have_text(text)
    expect(belastingen.nth(3)).to_have_class(re.compile(r"\blate\b"))
    expect(belastingen.nth(4)).to_have_text(re.compile(r"^50%"))
    expect(belastingen.nth(4).locator(".mark")).to_have_attribute("aria-label", "Onder norm")
    burgerzaken = callback_cells(page, "burgerzaken")
    for column, text in ((1, "1"), (2, "1"), (3, "0"), (4, DASH)):
        expect(burgerzaken.nth(column)).to_have_text(text)
    expect(callback_cells(page, "vergunningen").nth(2)).to_have_text("0")  # quiet, listed
    total = callback_cells(page, "total")
    expect(total.nth(0)).to_have_text("Totaal")
    for column, text in ((1, "1"), (2, "2"), (3, "1")):
        expect(total.nth(column)).to_have_text(text)
    first_figures_ms = page.locator("body").get_attribute("data-first-snapshot-ms")

    changed_at = time.time()
    feed.put_call(CallRecord(call_id="w1", entered_at=NOW - timedelta(seconds=30)))
    # A call whose end never came (a controller restart ended it): counted apart, marked.
    feed.put_call(
        CallRecord(
            call_id="u1",
            entered_at=NOW - timedelta(minutes=5),
            ended_at=NOW - timedelta(minutes=4),
            end_unknown=True,
        )
    )
    feed.put_agent_state(AgentInterval(agent_id="1001", state=AgentState.TALKING, start=NOW))
    # cb1 done a minute ago: no longer open nor overdue, and still late (due at 10:00).
    feed.put_callback_note(
        callback_note("cb1", "belastingen", noted=-2 * DAY, due=-HOUR, done=-timedelta(minutes=1))
    )
    expect(page.locator("#tile-waiting .big")).to_have_text("1")
    expect(page.locator("#unknown_end")).to_have_text("1")
    expect(page.locator("#count-unknown_end")).to_have_class(re.compile(r"\bwarn\b"))
    expect(page.locator("#count-unknown_end .warn-note")).to_have_text(
        "⚠ storing: einde niet gehoord"
    )
    expect(page.locator("#offered")).to_have_text("6")  # not offered: its outcome is unknown
    expect(callback_cells(page, "belastingen").nth(3)).to_have_text("0")
    expect(callback_cells(page, "belastingen").nth(3)).not_to_have_class(re.compile(r"\blate\b"))
    expect(callback_cells(page, "belastingen").nth(4)).to_have_text(re.compile(r"^50%"))
    expect(callback_cells(page, "total").nth(2)).to_have_text("1")
    expect(page.locator("#tile-longest .big")).to_have_text(re.compile(r"^0:3\d$"))
    expect(page.locator('#agents tr[data-agent="1001"]')).to_contain_text("In gesprek")
    applied_at = int(page.locator("body").get_attribute("data-applied-at") or 0) / 1000

    # The wait and the time in state tick on the page without pushes: two ticks of the
    # longest wait while at most one more snapshot came (the second of the two feed
    # changes above may be pushed separately, up to 100 ms after the first).
    pushes = int(page.locator("body").get_attribute("data-snapshots") or 0)
    for _ in range(2):
        shown = page.locator("#tile-longest .big").inner_text()
        expect(page.locator("#tile-longest .big")).not_to_have_text(shown, timeout=3000)
    expect(page.locator('#agents tr[data-agent="1001"] .in-state')).not_to_have_text("0:00")
    assert int(page.locator("body").get_attribute("data-snapshots") or 0) <= pushes + 1
    expect(page.locator("#tile-longest .wait-note")).to_have_text("boven 20 s")

    screenshot = tmp_path / "wallboard.png"
    page.screenshot(path=str(screenshot), full_page=True)
    with capsys.disabled():
        print(
            f"\nwallboard screenshot: {screenshot}\n"
            f"first figures {first_figures_ms} ms after navigation start, "
            f"a change on screen {1000 * (applied_at - changed_at):.0f} ms after the feed changed"
        )


def test_lost_connection_shows_a_banner_and_recovers(
    site: SiteConfig, servers: list[ServedApp], page: Page, capsys: pytest.CaptureFixture[str]
) -> None:
    feed = morning()
    servers.append(ServedApp(site, feed))
    port = servers[0].port
    page.goto(f"http://127.0.0.1:{port}/wallboard?token={TOKEN}")
    expect(page.locator("#tile-waiting .big")).to_have_text("0")
    expect(page.locator("#banner")).to_be_hidden()

    began = time.perf_counter()
    servers.pop().stop()
    expect(page.locator("#banner")).to_be_visible()
    expect(page.locator("#banner")).to_contain_text("Verbinding verbroken")
    expect(page.locator("body")).to_have_attribute("data-connection", "lost")
    banner_after = time.perf_counter() - began

    # What changed while the screen was cut off arrives with the first snapshot.
    feed.put_call(CallRecord(call_id="w1", entered_at=NOW - timedelta(seconds=50)))
    feed.put_call(CallRecord(call_id="w2", entered_at=NOW - timedelta(seconds=10)))
    began = time.perf_counter()
    servers.append(ServedApp(site, feed, port=port))
    expect(page.locator("#tile-waiting .big")).to_have_text("2", timeout=10_000)
    expect(page.locator("#banner")).to_be_hidden()
    expect(page.locator("#tile-answer_rate .big")).to_have_text("83%")
    back_after = time.perf_counter() - began
    with capsys.disabled():
        print(f"\nbanner after {banner_after:.2f} s, figures back after {back_after:.2f} s")
