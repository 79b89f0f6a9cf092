"""The recorder on fakes: the API's key pressed over AMI, the phone's key, the automatic policy."""

from __future__ import annotations

import asyncio
from pathlib import Path

from acd.ami.actions import PlayDtmf
from acd.ami.fake import channel, event, failure
from acd.clock import settle
from acd.recording.remote_key import BEEP_S, BRIDGED_WITHIN_S, KEY_ANSWER_S
from contract.dialplan import Var, capture_name
from contract.events import CallRecording
from contract.vocabulary import RecordingState
from tests.unit.acd.recording.recorder_rig import (
    audited,
    build,
    recording_states,
    rig,
)


async def test_the_api_presses_the_phones_key_and_follows_its_event(tmp_path: Path) -> None:
    r = rig(tmp_path)
    assert await r.recorder.start("1001") is None
    assert [(p.channel, p.digit, p.receive) for p in r.ami.sent_of(PlayDtmf)] == [
        ("kcc-c1-1", "#", True),
        ("kcc-c1-1", "3", True),
    ]
    tape = r.recorder.tape("kcc-c1-1")
    assert tape is not None and tape.running is not None
    assert tape.running.file == capture_name("c1", "201", "kcc-c1-1", 1)
    assert await r.recorder.start("1001") == "agent 1001's call is being recorded already"
    assert len(r.ami.sent_of(PlayDtmf)) == 2  # on when on: the key is not pressed
    await r.clock.advance(BEEP_S)  # the start's beep has played
    assert await r.recorder.stop("1001") is None
    assert len(r.ami.sent_of(PlayDtmf)) == 4
    assert await r.recorder.stop("1001") == "agent 1001's call is not being recorded"
    assert len(r.ami.sent_of(PlayDtmf)) == 4  # off when off: nor here
    await r.clock.advance(BEEP_S)
    assert await r.recorder.start("1001") is None
    tape = r.recorder.tape("kcc-c1-1")
    assert tape is not None and tape.running is not None and tape.running.file.endswith("_2.raw")
    assert recording_states(r.sink) == ["started", "stopped", "started"]
    assert await r.recorder.start("1003") == "agent 1003 is in no call"
    # The API's presses are audited by the route, not as the phone's key.
    assert audited(r.audit) == []


async def test_a_stop_right_after_a_start_waits_until_the_start_beep_has_played(
    tmp_path: Path,
) -> None:
    # The subroutine beeps after its UserEvent; keys pressed during that Playback are
    # lost (a stop sent at once after a start was lost so on a real call).
    r = rig(tmp_path)
    assert await r.recorder.start("1001") is None
    await r.clock.advance(BEEP_S / 2)
    stopping = asyncio.ensure_future(r.recorder.stop("1001"))
    await settle()
    assert len(r.ami.sent_of(PlayDtmf)) == 2 and not stopping.done()  # still beeping
    await r.clock.advance(BEEP_S / 2)
    assert await stopping is None
    assert len(r.ami.sent_of(PlayDtmf)) == 4
    assert recording_states(r.sink) == ["started", "stopped"]


async def test_a_press_asterisk_refuses_is_answered_and_published(tmp_path: Path) -> None:
    recorder, ami, sink = build(tmp_path)
    ami.answer(PlayDtmf, lambda a: failure("Channel not found"))
    refused = await recorder.start("1001")
    assert refused is not None and "Channel not found" in refused
    (failed,) = sink.of_type(CallRecording)
    assert failed.state is RecordingState.FAILED and failed.reason == refused


async def test_a_key_without_its_event_is_refused_after_a_short_wait(tmp_path: Path) -> None:
    r = rig(tmp_path)
    r.dialplan.answers = False
    r.clock.call_later(KEY_ANSWER_S + 0.1, lambda: None)  # so advance has a step to take
    pending = asyncio.ensure_future(r.recorder.start("1001"))
    await settle()
    assert len(r.ami.sent_of(PlayDtmf)) == 2 and not pending.done()
    await r.clock.advance(KEY_ANSWER_S + 0.1)
    refused = await pending
    assert refused is not None and "did not answer the recording key (#3) within 3 s" in refused
    assert recording_states(r.sink) == ["failed"]
    assert not r.recorder.awaits_key("kcc-c1-1")


async def test_a_late_event_is_answered_when_it_comes(tmp_path: Path) -> None:
    r = rig(tmp_path)
    r.dialplan.answers = False
    r.clock.call_later(0.5, r.dialplan.toggle)  # the subroutine answers after 0.5 s
    pending = asyncio.ensure_future(r.recorder.start("1001"))
    await settle()
    await r.clock.advance(0.5)
    assert await pending is None
    assert recording_states(r.sink) == ["started"]


async def test_a_segment_asterisk_runs_unheard_of_is_not_toggled_off(tmp_path: Path) -> None:
    r = rig(tmp_path)
    r.dialplan.variables[Var.REC_MONITOR] = "mm9"  # recording, but the tape does not know
    assert await r.recorder.start("1001") == "agent 1001's call is being recorded already"
    assert r.ami.sent_of(PlayDtmf) == []


async def test_a_segment_asterisk_ended_unheard_of_is_stopped_without_the_key(
    tmp_path: Path,
) -> None:
    r = rig(tmp_path)
    await r.recorder.start("1001")
    r.dialplan.variables[Var.REC_MONITOR] = ""  # MixMonitor ended without the key
    assert await r.recorder.stop("1001") is None
    assert len(r.ami.sent_of(PlayDtmf)) == 2  # the key would have started a segment
    assert recording_states(r.sink) == ["started", "stopped"]


async def test_the_key_waits_for_the_bridge_then_gives_up(tmp_path: Path) -> None:
    r = rig(tmp_path)
    r.dialplan.bridged = False
    r.clock.call_later(BRIDGED_WITHIN_S + 1, lambda: None)
    pending = asyncio.ensure_future(r.recorder.start("1001"))
    for _ in range(int(BRIDGED_WITHIN_S / 0.1) + 2):
        await settle()
        await r.clock.advance(0.1)
    refused = await pending
    assert refused is not None and "not connected yet" in refused
    assert r.ami.sent_of(PlayDtmf) == []


async def test_the_key_is_pressed_once_the_leg_is_bridged(tmp_path: Path) -> None:
    r = rig(tmp_path)
    r.dialplan.bridged = False
    r.clock.call_later(0.3, lambda: setattr(r.dialplan, "bridged", True))
    pending = asyncio.ensure_future(r.recorder.start("1001"))
    for _ in range(5):
        await settle()
        await r.clock.advance(0.1)
    assert await pending is None
    assert len(r.ami.sent_of(PlayDtmf)) == 2


async def test_a_second_ask_while_the_key_is_pressed_changes_nothing(tmp_path: Path) -> None:
    r = rig(tmp_path)
    r.dialplan.answers = False
    r.clock.call_later(0.5, r.dialplan.toggle)
    first = asyncio.ensure_future(r.recorder.start("1001"))
    await settle()
    assert await r.recorder.start("1001") == (
        "agent 1001's recording key is being pressed already; try again in a moment"
    )
    await r.clock.advance(0.5)
    assert await first is None
    assert len(r.ami.sent_of(PlayDtmf)) == 2
    assert recording_states(r.sink) == ["started"]  # the second ask published no failure


async def test_the_automatic_policy_presses_the_same_key(tmp_path: Path) -> None:
    r = rig(tmp_path)
    r.recorder.start_soon("1001", "c9")  # the agent is on c1 by now: nothing to record
    r.recorder.start_soon("1001", "c1")
    await settle()
    assert [p.digit for p in r.ami.sent_of(PlayDtmf)] == ["#", "3"]
    assert recording_states(r.sink) == ["started"]
    assert audited(r.audit) == []
    await r.recorder.close()


async def test_the_phones_key_is_followed_and_the_seated_agent_named(tmp_path: Path) -> None:
    r = rig(tmp_path)
    consumer, sink = r.consumer, r.sink
    name = capture_name("q1", "202", "PJSIP-x", 1)
    key = [
        *channel(name="PJSIP/202-00000001", uniqueid="u202"),
        ("UserEvent", "KccRecording"),
        ("Call", "q1"),
        ("Segment", "1"),
        ("Agent", ""),
        ("State", "started"),
        ("File", name),
    ]
    consumer.on_event(event("UserEvent", key))
    (started,) = sink.of_type(CallRecording)
    assert (started.call_id, started.extension, started.agent_id) == ("q1", "202", "1002")
    stop = [(k, "stopped" if k == "State" else v) for k, v in key if k != "File"]
    consumer.on_event(event("UserEvent", stop))
    assert recording_states(sink) == ["started", "stopped"]
    logged = audited(r.audit)
    assert [(e["user"], e["via"], e["action"], e["detail"]["on"]) for e in logged] == [
        ("agent 1002", "phone", "recording", "true"),
        ("agent 1002", "phone", "recording", "false"),
    ]


async def test_a_malformed_key_event_is_invalid_not_a_crash(tmp_path: Path) -> None:
    r = rig(tmp_path)
    consumer, sink = r.consumer, r.sink
    bad = [
        *channel(name="PJSIP/202-1", uniqueid="u1"),
        ("UserEvent", "KccRecording"),
        ("Call", "q1"),
        ("Segment", "one"),
        ("State", "started"),
    ]
    consumer.on_event(event("UserEvent", bad))
    assert sink.of_type(CallRecording) == []
