"""The SIPp harness's parts for the load benchmark: statistics rows, waiting messages and
the phone bank's goodbye."""

from __future__ import annotations

from pathlib import Path

import pytest

from kcc.sipp import runner
from kcc.sipp.rtp_listen import Segment, Sound, messages_after_ringback, ringback_start
from kcc.sipp.runner import PhoneBank, PortAllocator, latest_counts

HEADER = "StartTime;CurrentTime;CurrentCall;SuccessfulCall(C);FailedCall(C);"


def test_the_newest_full_row_of_sipps_statistics_by_column(tmp_path: Path) -> None:
    stat = tmp_path / "stat.csv"
    assert latest_counts(stat) == {}  # not written yet
    stat.write_text(HEADER + "\n")
    assert latest_counts(stat) == {}
    stat.write_text(HEADER + "\n" + "2026-12-03 19:00:00;x;12;40;1;\n" + "2026-12-03;x;9;45;")
    # The last row is being written (a column short): the one before it counts.
    assert latest_counts(stat) == {"CurrentCall": 12, "SuccessfulCall(C)": 40, "FailedCall(C)": 1}
    stat.write_text(HEADER + "\n" + "a;b;3;50;2;\n")
    assert latest_counts(stat)["SuccessfulCall(C)"] == 50


def _seg(sound: Sound, start: float, end: float) -> Segment:
    return Segment(sound, start, end)


def test_waiting_messages_are_the_speech_between_stretches_of_ringback() -> None:
    heard = [
        _seg(Sound.OTHER, 0.0, 9.0),  # the IVR's prompts, before the queue
        _seg(Sound.RINGBACK, 9.5, 29.5),
        _seg(Sound.OTHER, 29.5, 33.0),  # the first waiting message
        _seg(Sound.SILENCE, 33.0, 33.2),
        _seg(Sound.RINGBACK, 33.2, 53.2),
        _seg(Sound.OTHER, 53.2, 56.0),  # the second, still playing
    ]
    assert ringback_start(heard) == 9.5
    assert messages_after_ringback(heard) == [(29.5, 33.2), (53.2, 56.0)]
    assert ringback_start(heard[:1]) is None
    assert messages_after_ringback(heard[:2]) == []


def test_a_phone_bank_unregisters_every_extension_on_exit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[tuple[str, str, int]] = []

    def register(bank: PhoneBank, user: str, password: str, expires_s: int) -> None:
        seen.append((user, password, expires_s))
        if user == "202":  # Asterisk already gone for this one: the rest still go
            raise runner.SippError("no answer")

    monkeypatch.setattr(PhoneBank, "_register", register)
    bank = PhoneBank(
        target="127.0.0.1:5160",
        ports=PortAllocator(),
        extensions=[("201", "a"), ("202", "b"), ("203", "c")],
        workdir=tmp_path,
    )
    bank.__exit__(None, None, None)
    assert seen == [("201", "a", 0), ("202", "b", 0), ("203", "c", 0)]
