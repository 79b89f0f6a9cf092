"""Replay in headless Chromium, of a call recorded through the real path.

A real caller (SIPp, through the IVR) is answered by agent 1001, whose phone presses
``#3`` twice during the call (as in ``test_recording.py``): Asterisk records a segment,
the controller keeps it. The team lead opens the list, finds the call, opens the
player: both waveforms are drawn, play runs the audio (``currentTime`` advances), and a
click on the timeline's "Aangenomen" moves it to that mark's place in the recording.
Another agent is refused that recording as if it did not exist, and the audit log has
the team lead's listen. Every wait is on what the page shows or on an event.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from kcc.sipp.runner import PortAllocator
from kcc.sipp.scenarios import Pause
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
from tests.integration.test_recording import KEY

pytestmark = pytest.mark.integration

LEAD = ("teamlead", "demo-teamlead")


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
    # A script error or a CSP refusal shows up here; a 404 (the favicon, a refused
    # recording) is the browser's "Failed to load resource".
    assert [e for e in errors if "Failed to load resource" not in e] == []


@pytest.fixture
def lead(browser: Browser, site: SiteConfig) -> Iterator[Page]:  # noqa: F811
    yield from _page(browser, site, "teamlead")


@pytest.fixture
def bram(browser: Browser, site: SiteConfig) -> Iterator[Page]:  # noqa: F811
    yield from _page(browser, site, "bram")


@pytest.fixture
def anouk_replay(browser: Browser, site: SiteConfig) -> Iterator[Page]:  # noqa: F811
    yield from _page(browser, site, "anouk")


def current_time(page: Page) -> float:
    # page.evaluate runs outside the page's CSP; wait_for_function would need eval.
    return float(page.evaluate("document.getElementById('audio').currentTime"))


def wait_until_played(page: Page, seconds: float, timeout_s: float = 20.0) -> float:
    deadline = time.monotonic() + timeout_s
    while (now := current_time(page)) < seconds:
        message = page.locator("#message").text_content()
        assert time.monotonic() < deadline, f"audio at {now} s after {timeout_s} s: {message!r}"
        time.sleep(0.05)
    return now


def drawn_pixels(page: Page, canvas: str) -> int:
    script = (
        "(id) => { const c = document.getElementById(id);"
        " const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
        " let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++; return n; }"
    )
    return int(page.evaluate(script, canvas))


def recorded_call(
    site: SiteConfig,
    sip_target: str,
    ports: PortAllocator,
    tmp_path: Path,
    events: EventLog,
    api: ControlApi,
    timing: IvrTiming,
) -> str:
    """A call answered by agent 1001, who records part of it with #3 twice; its
    recording id once the controller has kept it."""
    caller, number = place(sip_target, ports, tmp_path, timing.to_topic("1", "1"))
    with caller:
        call_id = call_id_of(events, number)
        with seated_agent(
            api, site, sip_target, ports, agent_id="1001", position_id="tic1",
            answer_after_s=0.5, talk_s=2.0, steps=(Pause(5), *KEY, Pause(6), *KEY),
        ):  # fmt: skip
            events.wait(of_type("call.answered", call_id=call_id), timeout_s=60)
            assert caller.wait(90).ok
    stored = events.wait(of_type("call.recording", call_id=call_id, state="stored"))[0]
    return str(stored.fields["recording_id"])


def test_a_team_lead_replays_a_recorded_call_and_another_agent_may_not(
    lead: Page,
    bram: Page,
    anouk_replay: Page,
    site: SiteConfig,
    sip_target: str,
    ports: PortAllocator,
    tmp_path: Path,
    events: EventLog,
    api: ControlApi,
    timing: IvrTiming,
) -> None:
    recording_id = recorded_call(site, sip_target, ports, tmp_path, events, api, timing)
    lead_api = ControlApi(site, LEAD)
    try:
        detail = lead_api.request("GET", f"/api/recordings/{recording_id}").json()
        marks = [m for m in detail["timeline"] if m["kind"] == "call.answered"]
        assert marks, f"no call.answered among the marks kept with it: {detail['timeline']}"
        answered = marks[0]

        # The list: the call is there, with the agent's name; its link opens the player.
        lead.goto("/recordings")
        row = lead.locator(f'#rows tr[data-recording="{recording_id}"]')
        expect(row).to_contain_text("Anouk de Vries")
        expect(row).to_contain_text("Burgerzaken")
        row.locator("a.play").click()
        expect(lead).to_have_url(f"/recordings/{recording_id}")

        # The player: the facts, both waveforms drawn, the timeline's marks.
        expect(lead.locator("#fact-agent")).to_have_text("Anouk de Vries")
        for canvas in ("wave-agent", "wave-caller"):
            expect(lead.locator(f"#{canvas}")).to_have_attribute("data-drawn", "true")
            assert drawn_pixels(lead, canvas) > 1000, f"{canvas} is (nearly) blank"
        marker = lead.locator('#marker-strip .marker[data-kind="call.answered"]')
        expect(marker).to_have_text("Aangenomen")

        # Play, then a click on "Aangenomen" goes to its place in the recording.
        lead.click("#play")
        expect(lead.locator("#play")).to_contain_text("Pauze")
        before = wait_until_played(lead, 1.5)
        marker.click()
        jumped = current_time(lead)
        assert abs(jumped - answered["near_s"]) < 1.0, (before, jumped, answered)
        assert jumped < before, (before, jumped, answered)
        lead.click('.speeds button[data-speed="1.5"]')
        assert lead.evaluate("document.getElementById('audio').playbackRate") == 1.5
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        lead.screenshot(path=str(SCREENSHOTS / "replay-player.png"), full_page=True)

        # A note pinned at this moment by the team lead appears on the agent's own player.
        lead.click("#play")  # pause, so the moment stays put
        lead.fill("textarea.note-new-text", "Mooi samengevat; vraag door naar de datum.")
        lead.click("button.note-here")
        expect(lead.locator(".coaching-message")).to_have_text("Notitie opgeslagen.")
        anouk_replay.goto(f"/recordings/{recording_id}")
        note = anouk_replay.locator("section#coaching li.note").first
        expect(note).to_contain_text("Mooi samengevat; vraag door naar de datum.")
        expect(note).to_contain_text("teamlead")
        expect(anouk_replay.locator("textarea.note-new-text")).to_have_count(0)  # replies only
        anouk_replay.screenshot(path=str(SCREENSHOTS / "replay-agent-note.png"), full_page=True)
        lead.goto("/recordings")
        expect(lead.locator(f'#rows tr[data-recording="{recording_id}"]')).to_contain_text(
            "notities"
        )
        lead.screenshot(path=str(SCREENSHOTS / "replay-list.png"), full_page=True)

        # Another agent: as if the recording did not exist, on the page and the API.
        refused = bram.goto(f"/recordings/{recording_id}")
        assert refused is not None and refused.status == 404
        expect(bram.locator("h1")).to_have_text("Opname niet gevonden")
        other = ControlApi(site, ("bram", "demo-bram"))
        try:
            assert other.request("GET", f"/api/recordings/{recording_id}/audio").status_code == 404
            listed = other.request("GET", "/api/recordings").json()["recordings"]
            assert recording_id not in {r["id"] for r in listed}
        finally:
            other.close()

        # The audit log: the team lead's listen, with the address it came from.
        entries = lead_api.request("GET", "/api/audit").json()["entries"]
        listens = [
            e for e in entries
            if e["action"] == "recording/listen" and e["detail"].get("recording") == recording_id
        ]  # fmt: skip
        assert listens and listens[0]["user"] == "teamlead" and listens[0]["outcome"] == "done"
        assert listens[0]["address"], listens[0]
        assert any(
            e["user"] == "bram" and e["outcome"] == "forbidden"
            and e["detail"].get("recording") == recording_id
            for e in entries
        ), "the other agent's attempt is not on record"  # fmt: skip
    finally:
        lead_api.close()
