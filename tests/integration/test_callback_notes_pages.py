"""Callback notes and a colleague's own status, through the pages in headless Chromium.

Agent 1001 answers a real caller (SIPp, through the IVR) and writes a callback note for
Priya at 311 (Belastingen) from her page while the call is on. Priya opens her own page,
sees the note with the caller's name, number and question, and closes it as "not
reached"; the stream carries both, without the personal data. Priya sets herself "in a
meeting", and the agent's phonebook says so at once.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from kcc.sipp.runner import PortAllocator
from site_config import SiteConfig
from tests.integration.acd_harness import (
    ControlApi,
    EventLog,
    call_id_of,
    of_type,
    place,
    seated_agent,
)
from tests.integration.ivr_timing import IvrTiming
from tests.integration.test_agent_page import SCREENSHOTS, browser  # noqa: F401 (fixture)

pytestmark = pytest.mark.integration


def _page(browser: Browser, site: SiteConfig, login: str) -> Iterator[Page]:  # noqa: F811
    svc = site.services
    context = browser.new_context(
        viewport={"width": 1400, "height": 1000},
        http_credentials={"username": login, "password": f"demo-{login}"},
        base_url=f"http://{svc.control_bind_host}:{svc.control_port}",
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    yield page
    context.close()
    assert [e for e in errors if "Failed to load resource" not in e] == []


@pytest.fixture
def anouk(browser: Browser, site: SiteConfig) -> Iterator[Page]:  # noqa: F811
    yield from _page(browser, site, "anouk")


@pytest.fixture
def priya(browser: Browser, site: SiteConfig) -> Iterator[Page]:  # noqa: F811
    yield from _page(browser, site, "priya")


def test_a_note_written_on_the_call_reaches_its_colleague_who_closes_it(
    anouk: Page,
    priya: Page,
    site: SiteConfig,
    sip_target: str,
    ports: PortAllocator,
    tmp_path: Path,
    events: EventLog,
    api: ControlApi,
    timing: IvrTiming,
) -> None:
    with seated_agent(api, site, sip_target, ports, agent_id="1001", position_id="tic1",
                      answer_after_s=1.0, talk_s=30.0):  # fmt: skip
        anouk.goto("/agent")
        expect(anouk.locator("#state")).to_have_text("Beschikbaar")
        caller, number = place(sip_target, ports, tmp_path, timing.to_topic("1", "1"),
                               hangup_after_s=25.0)  # fmt: skip
        with caller:
            call_id = call_id_of(events, number)
            expect(anouk.locator("#state")).to_have_text("In gesprek", timeout=20_000)
            anouk.select_option("#note-department", "belastingen")
            anouk.select_option("#note-extension", "311")
            anouk.fill("#note-name", "Mevrouw J. de Boer")
            anouk.fill("#note-number", "06 1234 5678")
            anouk.fill("#note-question", "Vraagt waarom de WOZ-waarde zo hoog is.")
            anouk.click("#note-save")
            expect(anouk.locator("#note-result")).to_contain_text(
                "Opgeslagen; terugbellen uiterlijk"
            )
            noted = events.wait(of_type("callback.noted", call_id=call_id))[0]
            assert noted.agent_id == "1001"
            assert (noted.fields["department"], noted.fields["extension"]) == ("belastingen", "311")
            assert noted.fields["topic"] == "burgerzaken"
            assert "1234" not in str(noted.fields) and "Boer" not in str(noted.fields)
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            anouk.screenshot(path=str(SCREENSHOTS / "agent-page-note.png"), full_page=True)

            priya.goto("/colleague")
            note = priya.locator(f'#notes li[data-note="{noted.fields["note_id"]}"]')
            expect(note).to_contain_text("Mevrouw J. de Boer")
            expect(note).to_contain_text("0612345678")
            expect(note).to_contain_text("WOZ-waarde")
            expect(note).to_have_attribute("data-overdue", "false")
            priya.screenshot(path=str(SCREENSHOTS / "colleague-page.png"), full_page=True)
            note.locator("select.outcome").select_option("not_reached")
            note.locator("button.close").click()
            expect(note).to_have_count(0)
            done = events.wait(of_type("callback.done", note_id=noted.fields["note_id"]))[0]
            assert (done.fields["outcome"], done.fields["by"]) == ("not_reached", "priya")

            # Her own status, seen at once in the agent's phonebook.
            priya.select_option("#status-choice", "meeting")
            priya.click("#status-save")
            expect(priya.locator("#status-now")).to_have_text("in overleg")
            anouk.fill("#book-search", "heffingen")
            expect(anouk.locator("#book li .presence")).to_contain_text("in overleg")
            assert caller.wait(60).ok
        priya.select_option("#status-choice", "available")
        priya.click("#status-save")
        expect(priya.locator("#status-now")).to_have_text("beschikbaar")
