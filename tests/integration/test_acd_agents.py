"""Agents through the real path: feature codes from the softphone, an agent refused
every action on another agent (all audited), and the peak position opened live."""

from __future__ import annotations

from pathlib import Path

import pytest

from kcc.sipp.runner import PortAllocator, dial_from_phone
from kcc.sipp.scenarios import Digit, Pause
from site_config import SiteConfig
from tests.integration.acd_harness import (
    ControlApi,
    EventLog,
    of_type,
)

pytestmark = pytest.mark.integration


def test_feature_codes_log_in_pause_and_log_out_from_the_softphone(
    site: SiteConfig,
    sip_target: str,
    ports: PortAllocator,
    tmp_path: Path,
    events: EventLog,
    api: ControlApi,
) -> None:
    def dial(code: str, pin: str = "") -> None:
        # The PIN's keys once the prompt asking for it plays, then "#".
        keys = [step for key in pin + "#" for step in (Pause(0.5), Digit(key))] if pin else []
        result = dial_from_phone(
            target=sip_target, ports=ports, extension="203", password="demo203",
            dial=code, steps=keys, workdir=tmp_path,
        )  # fmt: skip
        assert result.ok, result.log

    def state() -> dict[str, object]:
        return next(a for a in api.state()["agents"] if a["agent_id"] == "1004")

    dial("*511004", pin="9004")  # the sample site asks every agent's PIN
    login = events.wait(of_type("agent.state", agent_id="1004", state="available"))[0]
    assert login.fields["position_id"] == "tic3"
    dial("*532")
    events.wait(of_type("agent.state", agent_id="1004", state="paused"))
    assert state()["pause_reason"] == "training"
    dial("*54")
    events.wait(
        lambda e: of_type("agent.state", agent_id="1004", state="available")(e) and e.at > login.at
    )
    dial("*52")
    events.wait(of_type("agent.state", agent_id="1004", state="logged_out"))
    # A code nobody knows, or one at a position where nobody is logged in, is refused
    # by voice and changes nothing.
    dial("*59")
    dial("*53")
    assert state()["state"] == "logged_out"
    lead = ControlApi(site, login=("teamlead", "demo-teamlead"))
    try:
        entries = lead.request("GET", "/api/audit").json()["entries"]
    finally:
        lead.close()
    by_phone = [(e["user"], e["action"], e["outcome"]) for e in entries if e["via"] == "phone"]
    assert by_phone[-4:] == [
        ("agent 1004", "login", "done"),
        ("agent 1004", "pause", "done"),
        ("agent 1004", "available", "done"),
        ("agent 1004", "logout", "done"),
    ]


AGENT_ACTIONS = [
    ("POST", "login", {"position": "tic1"}),
    ("POST", "logout", None),
    ("POST", "pause", {"reason": "break"}),
    ("POST", "available", None),
    ("POST", "after-call-work/end", None),
    ("POST", "after-call-work/extend", {"seconds": 30}),
    ("POST", "transfer", {"extension": "301"}),
]


def test_agent_1001s_login_is_refused_every_action_on_agent_1002_and_all_is_audited(
    site: SiteConfig, api: ControlApi
) -> None:
    anouk = ControlApi(site, login=("anouk", "demo-anouk"))  # agent 1001's own login
    lead = ControlApi(site, login=("teamlead", "demo-teamlead"))
    try:
        api.ok("POST", "/api/agents/1002/login", {"position": "tic2"})
        for method, action, body in AGENT_ACTIONS:
            reply = anouk.request(method, f"/api/agents/1002/{action}", body)
            assert reply.status_code == 403, (action, reply.text)
            assert reply.json()["detail"] == (
                "'anouk' is agent 1001 and may act only on agent 1001, not on agent 1002"
            )
        bram = next(a for a in api.state()["agents"] if a["agent_id"] == "1002")
        assert (bram["state"], bram["position_id"]) == ("available", "tic2")
        anouk.ok("POST", "/api/agents/1001/login", {"position": "tic1"})
        anouk.ok("POST", "/api/agents/1001/logout")
        assert anouk.request("GET", "/api/audit").status_code == 403
        audit = lead.request("GET", "/api/audit")
        assert audit.status_code == 200, audit.text
        mine = [
            (e["user"], e["via"], e["action"], e["outcome"], e["agent_id"])
            for e in audit.json()["entries"][-(len(AGENT_ACTIONS) + 3) :]
        ]
        assert mine == [
            ("floor", "web", "login", "done", "1002"),
            *(("anouk", "web", a, "forbidden", "1002") for _, a, _ in AGENT_ACTIONS),
            ("anouk", "web", "login", "done", "1001"),
            ("anouk", "web", "logout", "done", "1001"),
        ]
    finally:
        api.log_out("1002")
        anouk.close()
        lead.close()


def test_the_peak_position_opens_and_closes_live(
    site: SiteConfig, events: EventLog, api: ControlApi
) -> None:
    refused = api.post("/api/agents/1005/login", {"position": "tic4"})
    assert refused.status_code == 409 and "tic4" in refused.json()["detail"]
    api.ok("POST", "/api/positions/tic4/open")
    try:
        api.ok("POST", "/api/agents/1005/login", {"position": "tic4"})
        events.wait(of_type("agent.state", agent_id="1005", state="available"))
    finally:
        api.log_out("1005")
        api.ok("POST", "/api/positions/tic4/close")
    refused = api.post("/api/agents/1005/login", {"position": "tic4"})
    assert refused.status_code == 409
