"""Every path of the 14023 IVR, through real Asterisk, the controller's FastAGI and SIPp.

Callers press RFC 2833 keys at moments computed from the rendered prompts' lengths;
where each call went is read back from the controller's events. Calls run
side by side, so the whole sample flow is covered in a few minutes.
"""

from __future__ import annotations

import socket
from contextlib import ExitStack
from pathlib import Path

import pytest

from kcc.sipp.runner import PortAllocator
from kcc.sipp.scenarios import Digit, Pause, Step
from site_config import SiteConfig
from tests.integration.acd_harness import (
    CLOSED_TIME,
    ControlApi,
    ControllerRunner,
    Event,
    EventLog,
    call_id_of,
    of_type,
    place,
)
from tests.integration.ivr_timing import IvrTiming

pytestmark = pytest.mark.integration

TOPIC_OF_OPTION = {
    "1": "burgerzaken",
    "2": "parkeren-vergunningen",
    "3": "afval-openbare-ruimte",
    "4": "belastingen",
    "5": "bouwen-wonen",
}
MUNICIPALITY_OF_KEY = {"1": "haarlem", "2": "zandvoort"}


def _steps(events: EventLog, call_id: str) -> list[tuple[str, str, str]]:
    return [
        (e.fields["node"], e.fields["digit"], e.fields["outcome"])
        for e in events.of_call(call_id)
        if e.type == "call.ivr_step"
    ]


def _queued(events: EventLog, call_id: str, timeout_s: float = 90) -> Event:
    return events.wait(of_type("call.queued", call_id=call_id), timeout_s=timeout_s)[0]


def test_each_municipality_and_option_lands_in_its_topic_queue(
    sip_target: str, ports: PortAllocator, tmp_path: Path, events: EventLog, timing: IvrTiming
) -> None:
    routes = [(m, o) for m in MUNICIPALITY_OF_KEY for o in TOPIC_OF_OPTION]
    with ExitStack() as stack:
        placed = []
        for municipality, option in routes:
            steps = timing.to_topic(municipality, option)
            caller, number = place(
                sip_target, ports, tmp_path, steps, hangup_after_s=_after(steps, 4)
            )
            stack.enter_context(caller)
            placed.append((municipality, option, caller, number))
        for municipality, option, caller, number in placed:
            call_id = call_id_of(events, number)
            queued = _queued(events, call_id)
            assert queued.fields["topic"] == TOPIC_OF_OPTION[option], (municipality, option)
            assert queued.fields["municipality"] == MUNICIPALITY_OF_KEY[municipality]
            assert _steps(events, call_id) == [
                ("welcome", "", "played"),
                ("recording-notice", "", "played"),
                ("municipality", municipality, "chosen"),
                (f"topics-{MUNICIPALITY_OF_KEY[municipality]}", option, "chosen"),
            ]
            # The caller hangs up while waiting: the record ends in the queue.
            ended = events.wait(of_type("call.ended", call_id=call_id))[0]
            assert ended.fields == {"phase": "queue", "by": "caller"}
            assert caller.wait(30).ok


def _after(steps: list[Step], extra_s: float) -> float:
    """Seconds from answer to the end of ``steps`` (0.25 s per key), plus ``extra_s``."""
    return sum(s.seconds if isinstance(s, Pause) else 0.25 for s in steps) + extra_s


def test_invalid_keys_no_input_and_barge_in(
    sip_target: str, ports: PortAllocator, tmp_path: Path, events: EventLog, timing: IvrTiming
) -> None:
    menu_at = timing.before_menu_s() + 1.5
    invalid_s = timing.seconds["invalid-choice"]
    cases: dict[str, list[Step]] = {
        # 9 twice in the topic menu: "niet geldig", the menu again, then the general queue.
        "invalid twice": [
            Pause(menu_at), Digit("1"), Pause(1.5), Digit("9"), Pause(invalid_s + 1.5), Digit("9")
        ],
        # One invalid key (#), then a valid choice.
        "invalid then valid": [
            Pause(menu_at), Digit("1"), Pause(1.5), Digit("#"), Pause(invalid_s + 1.5), Digit("4")
        ],
        # Nothing at all: the menu is repeated once, then the general queue - never hung up.
        "no input": [],
    }  # fmt: skip
    expected = {
        "invalid twice": ("algemeen", ["chosen", "invalid", "invalid"]),
        "invalid then valid": ("belastingen", ["chosen", "invalid", "chosen"]),
        "no input": ("algemeen", ["no_input", "no_input"]),
    }
    with ExitStack() as stack:
        numbers = {}
        for name, steps in cases.items():
            caller, number = place(sip_target, ports, tmp_path, steps, hangup_after_s=75)
            stack.enter_context(caller)
            numbers[name] = number
        for name, number in numbers.items():
            call_id = call_id_of(events, number)
            queued = _queued(events, call_id)
            topic, outcomes = expected[name]
            assert queued.fields["topic"] == topic, name
            menu_steps = [
                o
                for node, _, o in _steps(events, call_id)
                if node.startswith(("municipality", "topics"))
            ]
            assert menu_steps == outcomes, (name, _steps(events, call_id))
        # Barge-in: the municipality key was taken 1.5 s into a 6 s prompt.
        call_id = call_id_of(events, numbers["invalid then valid"])
        started = next(e for e in events.of_call(call_id) if e.type == "call.started")
        chosen = next(
            e for e in events.of_call(call_id)
            if e.type == "call.ivr_step" and e.fields["node"] == "municipality"
        )  # fmt: skip
        into_prompt = (chosen.at - started.at).total_seconds() - timing.before_menu_s()
        assert into_prompt < timing.seconds["municipality"] - 1.0, into_prompt


def test_hanging_up_inside_the_menu_leaves_a_complete_record(
    sip_target: str, ports: PortAllocator, tmp_path: Path, events: EventLog, timing: IvrTiming
) -> None:
    steps: list[Step] = [Pause(timing.before_menu_s() + 1.5), Digit("2")]
    caller, number = place(sip_target, ports, tmp_path, steps, hangup_after_s=_after(steps, 3))
    with caller:
        call_id = call_id_of(events, number)
        ended = events.wait(of_type("call.ended", call_id=call_id))[0]
        assert caller.wait(30).ok
    assert ended.fields == {"phase": "ivr", "by": "caller"}
    assert _steps(events, call_id) == [
        ("welcome", "", "played"),
        ("recording-notice", "", "played"),
        ("municipality", "2", "chosen"),
    ]
    assert not [e for e in events.of_call(call_id) if e.type == "call.queued"]


def test_calamity_message_on_and_off_and_topic_menu_off(
    sip_target: str,
    ports: PortAllocator,
    tmp_path: Path,
    events: EventLog,
    api: ControlApi,
    timing: IvrTiming,
) -> None:
    text = "Door een storing zijn wij slecht bereikbaar. Excuses voor het ongemak."
    reply = api.put("/api/ivr/calamity", {"text": text})
    assert reply.status_code == 200, reply.text
    try:
        prompt = reply.json()["prompt"]
        calamity_s = _manifest_seconds(timing, prompt)
        steps = timing.to_topic("1", "2", calamity_s=calamity_s)
        caller, number = place(sip_target, ports, tmp_path, steps, hangup_after_s=_after(steps, 3))
        with caller:
            call_id = call_id_of(events, number)
            assert _queued(events, call_id).fields["topic"] == "parkeren-vergunningen"
            assert ("calamity", "", "calamity") in _steps(events, call_id)
            assert caller.wait(30).ok
    finally:
        api.ok("DELETE", "/api/ivr/calamity")
    api.ok("PUT", "/api/ivr/topic-menu", {"enabled": False})
    try:
        steps = [Pause(timing.before_menu_s() + 1.5), Digit("1")]
        caller, number = place(sip_target, ports, tmp_path, steps, hangup_after_s=_after(steps, 3))
        with caller:
            call_id = call_id_of(events, number)
            queued = _queued(events, call_id)
            assert caller.wait(30).ok
    finally:
        api.ok("PUT", "/api/ivr/topic-menu", {"enabled": True})
    assert queued.fields["topic"] == "algemeen"
    taken = _steps(events, call_id)
    assert ("calamity", "", "calamity") not in taken
    assert ("topics-haarlem", "", "menu_off") in taken, taken


def _manifest_seconds(timing: IvrTiming, prompt_id: str) -> float:
    live = timing.folder.parent / "live" / prompt_id
    return IvrTiming.load(live).seconds[prompt_id]


def test_closed_hours_play_the_closed_message_and_hang_up(
    sip_target: str,
    ports: PortAllocator,
    tmp_path: Path,
    events: EventLog,
    timing: IvrTiming,
    controller: ControllerRunner,
) -> None:
    controller.restart(ivr_time=CLOSED_TIME)
    try:
        steps: list[Step] = [Pause(timing.before_menu_s() + 1.5), Digit("2")]
        caller, number = place(sip_target, ports, tmp_path, steps, hangup_after_s=None)
        with caller:
            call_id = call_id_of(events, number)
            ended = events.wait(of_type("call.ended", call_id=call_id), timeout_s=60)[0]
            # Asterisk hangs up on the caller after the message: SIPp gets the BYE.
            assert caller.wait(30).ok
    finally:
        controller.restart()
    assert ended.fields == {"phase": "closed", "by": "system"}
    assert _steps(events, call_id)[-2:] == [
        ("hours-zandvoort", "", "closed"),
        ("closed-zandvoort", "", "played"),
    ]


def test_fastagi_survives_garbage_and_early_disconnects(
    site: SiteConfig,
    sip_target: str,
    ports: PortAllocator,
    tmp_path: Path,
    events: EventLog,
    timing: IvrTiming,
) -> None:
    address = (site.services.agi_bind_host, site.services.agi_port)
    for payload in (b"\x00\xffgarbage\r\n\r\n", b"agi_network: yes\nagi_chan", b""):
        with socket.create_connection(address, timeout=5) as sock:
            sock.sendall(payload)
    # A client that sends a whole environment, then vanishes before any reply.
    with socket.create_connection(address, timeout=5) as sock:
        sock.sendall(b"agi_network: yes\nagi_network_script: ivr\nagi_channel: PJSIP/x-1\n\n")
    # Calls are still served as before.
    steps = timing.to_topic("1", "1")
    caller, number = place(sip_target, ports, tmp_path, steps, hangup_after_s=_after(steps, 3))
    with caller:
        call_id = call_id_of(events, number)
        assert _queued(events, call_id).fields["topic"] == "burgerzaken"
        assert caller.wait(30).ok
