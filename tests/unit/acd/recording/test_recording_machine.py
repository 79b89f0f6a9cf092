"""The tape machine: segments start and stop, a hang-up hands the tape over."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from acd.recording.machine import (
    Announce,
    ChannelGone,
    Ignored,
    Keep,
    SegmentStarted,
    SegmentStopped,
    Tapes,
)
from contract.vocabulary import RecordingState

T0 = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


def at(s: float) -> datetime:
    return T0 + timedelta(seconds=s)


def started(n: int, s: float, channel: str = "leg1") -> SegmentStarted:
    return SegmentStarted(channel, "call1", "201", "1001", n, f"call1_201_{channel}_{n}.raw", at(s))


def states(effects: object) -> list[str]:
    return [e.event.state.value for e in effects if isinstance(e, Announce)]  # type: ignore[attr-defined]


def test_two_segments_then_the_hang_up_keep_one_tape() -> None:
    tapes = Tapes()
    assert states(tapes.feed(started(1, 5))) == ["started"]
    assert states(tapes.feed(SegmentStopped("leg1", 1, at(15)))) == ["stopped"]
    assert states(tapes.feed(started(2, 20))) == ["started"]
    effects = tapes.feed(ChannelGone("leg1", at(30)))
    assert states(effects) == ["stopped"]
    (keep,) = [e for e in effects if isinstance(e, Keep)]
    assert [(s.number, s.started_at, s.stopped_at) for s in keep.tape.segments] == [
        (1, at(5), at(15)),
        (2, at(20), at(30)),
    ]
    assert tapes.get("leg1") is None


def test_announcements_name_the_call_phone_agent_and_segment() -> None:
    (effect,) = Tapes().feed(started(1, 5))
    assert isinstance(effect, Announce)
    event = effect.event
    assert (event.call_id, event.extension, event.agent_id, event.segment) == (
        "call1",
        "201",
        "1001",
        1,
    )
    assert event.state is RecordingState.STARTED


def test_a_start_while_recording_and_a_stray_stop_change_nothing() -> None:
    tapes = Tapes()
    tapes.feed(started(1, 5))
    (twice,) = tapes.feed(started(2, 6))
    assert isinstance(twice, Ignored) and "already" in twice.why
    (stray,) = tapes.feed(SegmentStopped("other", 0, at(7)))
    assert isinstance(stray, Ignored)
    (wrong,) = tapes.feed(SegmentStopped("leg1", 3, at(7)))
    assert isinstance(wrong, Ignored) and "not 3" in wrong.why
    (again,) = tapes.feed(SegmentStopped("leg1", 0, at(8)))
    assert isinstance(again, Announce)
    (repeat,) = tapes.feed(started(1, 9))
    assert isinstance(repeat, Ignored) and "had segment 1" in repeat.why


def test_a_channel_that_never_recorded_hands_nothing_over() -> None:
    assert Tapes().feed(ChannelGone("leg9", at(1))) == ()


def test_a_stopped_tape_is_kept_without_a_second_stop() -> None:
    tapes = Tapes()
    tapes.feed(started(1, 5))
    tapes.feed(SegmentStopped("leg1", 1, at(9)))
    effects = tapes.feed(ChannelGone("leg1", at(12)))
    assert states(effects) == []
    assert [type(e) for e in effects] == [Keep]
