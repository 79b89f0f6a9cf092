"""The recorder keeping tapes: at the hang-up, by the sweep; a segment left empty fails."""

from __future__ import annotations

from pathlib import Path

from acd.ami.actions import Getvar
from acd.ami.fake import failure, success
from acd.clock import FakeClock, settle
from contract.dialplan import capture_name
from contract.events import CallRecording
from contract.vocabulary import RecordingState
from tests.unit.acd.recording.recorder_rig import (
    Shelf,
    build,
    hang_up,
    recording_states,
    rig,
)


async def test_the_hang_up_keeps_the_tape_with_the_calls_facts(tmp_path: Path) -> None:
    shelf = Shelf()
    r = rig(tmp_path, shelf)
    await r.recorder.start("1001")
    name = capture_name("c1", "201", "kcc-c1-1", 1)
    (tmp_path / name).write_bytes(b"\0" * 3200)
    (tmp_path / f"{name}.closed").touch()
    r.consumer.on_event(hang_up("kcc-c1-1"))
    await r.clock.advance(0.1)  # the started segment's check looks again: the tape is gone
    await r.recorder.idle()
    (take,) = shelf.takes
    assert (take.call_id, take.source, take.extension, take.agent_id) == (
        "c1",
        "kcc-c1-1",
        "201",
        "1001",
    )
    assert (take.topic, take.municipality, take.position_id) == ("burgerzaken", "haarlem", "tic1")
    assert [m.label for m in take.timeline] == [
        "In de wachtrij: Burgerzaken",
        "Aangenomen",
    ]
    assert [p.path.name for p in take.pieces] == [name]
    assert recording_states(r.sink) == ["started", "stopped", "stored"]
    assert r.sink.of_type(CallRecording)[-1].recording_id == "c1"


async def test_a_tape_that_cannot_be_kept_is_failed_and_left_for_the_sweep(
    tmp_path: Path,
) -> None:
    r = rig(tmp_path, Shelf(fail=True))
    await r.recorder.start("1001")
    (tmp_path / (capture_name("c1", "201", "kcc-c1-1", 1) + ".closed")).touch()
    r.consumer.on_event(hang_up("kcc-c1-1"))
    await r.clock.advance(0.1)
    await r.recorder.idle()
    failed = r.sink.of_type(CallRecording)[-1]
    assert failed.state is RecordingState.FAILED and "disk full" in failed.reason


async def test_the_sweep_keeps_what_a_gone_channel_left(tmp_path: Path) -> None:
    shelf = Shelf()
    recorder, ami, _ = build(tmp_path, shelf)
    ami.answer(Getvar, lambda a: failure("No such channel"))
    for n in (1, 2):
        name = capture_name("q7", "202", "PJSIP-9", n)
        (tmp_path / name).write_bytes(b"\0" * 32000)
        (tmp_path / f"{name}.closed").touch()
    (tmp_path / "notes.txt").write_text("not ours")
    await recorder.sweep()
    await recorder.idle()
    (take,) = shelf.takes
    assert (take.call_id, take.extension, take.agent_id) == ("q7", "202", "1002")
    assert [p.path.name[-5:] for p in take.pieces] == ["1.raw", "2.raw"]
    assert abs((take.pieces[0].stopped_at - take.pieces[0].started_at).total_seconds() - 1) < 0.01


async def test_the_sweep_leaves_a_channel_still_in_its_call(tmp_path: Path) -> None:
    shelf = Shelf()
    recorder, ami, _ = build(tmp_path, shelf)
    ami.answer(Getvar, lambda a: success(Value="Up"))
    (tmp_path / capture_name("q8", "202", "PJSIP-8", 1)).write_bytes(b"\0" * 320)
    await recorder.sweep()
    await settle()
    assert shelf.takes == []


async def test_a_segment_asterisk_does_not_write_is_failed_while_the_call_goes_on(
    tmp_path: Path,
) -> None:
    recorder, _, sink = build(tmp_path)
    clock = recorder._clock  # the recorder's FakeClock
    assert isinstance(clock, FakeClock)
    await recorder.start("1001")
    await clock.advance(1.0)
    assert recording_states(sink) == ["started"]
    await clock.advance(1.5)
    await recorder.idle()
    assert recording_states(sink) == ["started", "failed"]
    assert "schijf vol" in sink.of_type(CallRecording)[-1].reason


async def test_a_segment_with_audio_is_not_failed(tmp_path: Path) -> None:
    recorder, _, sink = build(tmp_path)
    clock = recorder._clock
    assert isinstance(clock, FakeClock)
    await recorder.start("1001")
    (tmp_path / capture_name("c1", "201", "kcc-c1-1", 1)).write_bytes(b"\\0" * 640)
    await clock.advance(3.0)
    await recorder.idle()
    assert recording_states(sink) == ["started"]
