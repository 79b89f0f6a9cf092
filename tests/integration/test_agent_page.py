"""The agent page in real headless Chromium, on the real controller, Asterisk and SIPp.

Agent 1001 (anouk) opens the page with her own login, logs in at tic1 from it, and a
real caller chooses Haarlem and Burgerzaken. The screen pop must be on her screen
within 1 s of her SIPp phone ringing (Asterisk's ``Newstate: Ringing`` of the phone's
channel), with the municipality, topic and IVR path. Then she finds Vergunningen in the
phonebook, clicks it, and hands the caller over from the page: the consult and the
transfer go through Asterisk. Every wait is on what the page shows or on an event.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from kcc.sipp.runner import AgentPhone, PortAllocator
from site_config import SiteConfig
from tests.integration.acd_harness import (
    ControlApi,
    EventLog,
    call_id_of,
    colleague_phone,
    of_type,
    place,
)
from tests.integration.ami_watch import AmiWatch
from tests.integration.ivr_timing import IvrTiming

pytestmark = pytest.mark.integration

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(os.environ.get("KCC_SCREENSHOTS", "/tmp/kcc-screenshots"))


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        args = ["--no-sandbox"] if os.geteuid() == 0 else []  # Chromium refuses root otherwise
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=args)
        yield browser
        browser.close()


@pytest.fixture
def anouk(browser: Browser, site: SiteConfig) -> Iterator[Page]:
    """Agent 1001's page, opened with her own login."""
    svc = site.services
    context = browser.new_context(
        viewport={"width": 1400, "height": 1000},
        http_credentials={"username": "anouk", "password": "demo-anouk"},
        base_url=f"http://{svc.control_bind_host}:{svc.control_port}",
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    yield page
    context.close()
    # A script error or a CSP refusal shows up here; a refused action is the page's own
    # message, and a stream cut by the closing page is expected.
    assert [e for e in errors if "Failed to load resource" not in e] == []


def test_the_screen_pop_comes_with_the_ring_and_a_click_transfers_the_call(
    anouk: Page,
    site: SiteConfig,
    sip_target: str,
    ports: PortAllocator,
    tmp_path: Path,
    events: EventLog,
    api: ControlApi,
    timing: IvrTiming,
    ami: AmiWatch,
) -> None:
    phone = AgentPhone(target=sip_target, ports=ports, extension="201", password="demo201",
                       answer_after_s=3.0, talk_s=None)  # fmt: skip
    colleague = colleague_phone(sip_target, ports, "321", answer_after_s=1.0)
    try:
        with phone, colleague:
            anouk.goto("/agent")
            expect(anouk.locator("#state")).to_have_text("Afgemeld")
            anouk.select_option("#login-position", "tic1")
            anouk.click("#login-go")
            expect(anouk.locator("#state")).to_have_text("Beschikbaar")
            expect(anouk.locator("#position")).to_have_text("werkplek tic1")

            mark = ami.mark()
            caller, number = place(sip_target, ports, tmp_path, timing.to_topic("1", "1"),
                                   hangup_after_s=40.0)  # fmt: skip
            with caller:
                call_id = call_id_of(events, number)
                ringing = ami.wait_for(
                    "Newstate", 30, since=mark,
                    where=lambda f: f.get("Channel", "").startswith("PJSIP/201-")
                    and f.get("ChannelStateDesc") == "Ringing",
                )  # fmt: skip
                rang_at = float(ringing["_received"]) + (time.time() - time.monotonic())
                card = anouk.locator("#call")
                expect(card).to_be_visible()
                expect(card).to_have_attribute("data-call", call_id)
                popped_at = float(card.get_attribute("data-popped-at") or "nan") / 1000
                assert popped_at - rang_at <= 1.0, (popped_at, rang_at)
                expect(anouk.locator("#pop-municipality")).to_have_text("Haarlem")
                expect(anouk.locator("#pop-topic")).to_have_text("Burgerzaken")
                expect(anouk.locator("#pop-path")).to_have_text(
                    "1 Haarlem → 1 paspoort, rijbewijs, verhuizen of een uittreksel"
                )
                expect(anouk.locator("#state")).to_have_text("In gesprek", timeout=15_000)
                SCREENSHOTS.mkdir(parents=True, exist_ok=True)
                anouk.screenshot(path=str(SCREENSHOTS / "agent-page-call.png"), full_page=True)

                # The phonebook: search as you type, then click the colleague.
                anouk.fill("#book-search", "vergun")
                entry = anouk.locator("#book li")
                expect(entry).to_have_count(1)
                expect(entry).to_contain_text("Team Vergunningen")
                expect(entry.locator(".presence")).to_have_text("vrij")
                entry.click()
                expect(anouk.locator("#consult")).to_be_visible()
                consult = events.wait(
                    of_type("backoffice.answered", call_id=call_id), timeout_s=30
                )[0]
                assert consult.fields["kind"] == "consult" and consult.fields["extension"] == "321"
                expect(entry.locator(".presence")).to_have_text("in gesprek")
                anouk.screenshot(path=str(SCREENSHOTS / "agent-page-consult.png"), full_page=True)
                anouk.click("#consult-complete")
                moved = events.wait(of_type("call.transferred", call_id=call_id), timeout_s=30)[0]
                assert moved.fields["department"] == "vergunningen"
                expect(anouk.locator("#consult")).to_be_hidden()
                expect(anouk.locator("#state")).to_have_text("Nawerk", timeout=15_000)
                expect(anouk.locator("#t-transferred")).to_have_text("1")
                assert caller.wait(60).ok
    finally:
        api.log_out("1001")


def test_the_record_button_records_the_call_and_shows_it(
    anouk: Page,
    sip_target: str,
    ports: PortAllocator,
    tmp_path: Path,
    events: EventLog,
    api: ControlApi,
    timing: IvrTiming,
) -> None:
    phone = AgentPhone(target=sip_target, ports=ports, extension="201", password="demo201",
                       answer_after_s=1.0, talk_s=None)  # fmt: skip
    try:
        with phone:
            anouk.goto("/agent")
            anouk.select_option("#login-position", "tic1")
            anouk.click("#login-go")
            expect(anouk.locator("#state")).to_have_text("Beschikbaar")
            caller, number = place(sip_target, ports, tmp_path, timing.to_topic("1", "1"),
                                   hangup_after_s=25.0)  # fmt: skip
            with caller:
                call_id = call_id_of(events, number)
                expect(anouk.locator("#state")).to_have_text("In gesprek", timeout=30_000)
                button = anouk.locator("#record")
                expect(button).to_have_text("Opnemen")
                button.click()
                events.wait(of_type("call.recording", call_id=call_id, state="started"))
                expect(button).to_have_text("Opname stoppen")
                expect(button).to_have_attribute("aria-pressed", "true")
                expect(anouk.locator("#record-state")).to_have_text("● Dit gesprek wordt opgenomen")
                SCREENSHOTS.mkdir(parents=True, exist_ok=True)
                anouk.screenshot(path=str(SCREENSHOTS / "agent-page-recording.png"), full_page=True)
                button.click()
                events.wait(of_type("call.recording", call_id=call_id, state="stopped"))
                expect(button).to_have_text("Opnemen")
                expect(anouk.locator("#record-state")).to_have_text("Opname gepauzeerd")
                assert caller.wait(60).ok
            events.wait(of_type("call.recording", call_id=call_id, state="stored"), timeout_s=30)
    finally:
        api.log_out("1001")
