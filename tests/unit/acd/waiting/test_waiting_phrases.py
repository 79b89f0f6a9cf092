"""Tests for the Dutch wording of the waiting message."""

from __future__ import annotations

import re

import pytest

from acd.waiting.estimate import NobodyServing, WaitEstimate
from acd.waiting.phrases import (
    FRAGMENTS,
    WaitWording,
    dutch_number,
    spoken_wait,
    waiting_message,
)


def _wait(seconds: float) -> WaitEstimate:
    return WaitEstimate(expected_s=seconds, low_s=seconds, high_s=seconds)


@pytest.mark.parametrize(
    ("n", "word"),
    [
        (1, "een"),
        (7, "zeven"),
        (10, "tien"),
        (11, "elf"),
        (13, "dertien"),
        (14, "veertien"),
        (18, "achttien"),
        (20, "twintig"),
        (21, "eenentwintig"),
        (22, "tweeëntwintig"),
        (23, "drieëntwintig"),
        (33, "drieëndertig"),
        (45, "vijfenveertig"),
        (62, "tweeënzestig"),
        (78, "achtenzeventig"),
        (80, "tachtig"),
        (90, "negentig"),
        (99, "negenennegentig"),
    ],
)
def test_dutch_number_words(n: int, word: str) -> None:
    assert dutch_number(n) == word


def test_dutch_numbers_are_distinct_single_words_with_trema_only_after_e() -> None:
    words = [dutch_number(n) for n in range(1, 100)]
    assert len(set(words)) == 99
    assert all(re.fullmatch(r"[a-zë]+", w) for w in words)
    with_trema = {n for n in range(1, 100) if "ë" in dutch_number(n)}
    assert with_trema == {n for n in range(21, 100) if n % 10 in (2, 3)}


@pytest.mark.parametrize("n", [0, 100, -3])
def test_dutch_number_out_of_range(n: int) -> None:
    with pytest.raises(ValueError, match=r"1\.\.99"):
        dutch_number(n)


def test_fragments_cover_all_numbers_and_stress_one() -> None:
    assert all(f"num-{n}" in FRAGMENTS for n in range(1, 100))
    assert FRAGMENTS["num-1"] == "één"
    assert FRAGMENTS["num-22"] == "tweeëntwintig"


def test_position_one_is_the_first() -> None:
    message = waiting_message(1, _wait(30.0), "haarlem")
    assert message.fragments[0] == "u-bent-de-eerste"
    assert message.display_text.startswith("U bent de eerste in de wachtrij.")


def test_the_example_message() -> None:
    message = waiting_message(3, _wait(235.0), "haarlem")
    assert message.fragments == (
        "u-bent-nummer",
        "num-3",
        "in-de-wachtrij",
        "verwachte-wachttijd",
        "ongeveer",
        "num-4",
        "minuten",
        "online-haarlem",
    )
    assert message.display_text == (
        "U bent nummer 3 in de wachtrij. De verwachte wachttijd is ongeveer 4 minuten. "
        "Veel zaken kunt u ook regelen op haarlem.nl."
    )
    assert message.spoken_text == (
        "U bent nummer drie in de wachtrij. De verwachte wachttijd is ongeveer vier minuten. "
        "Veel zaken kunt u ook regelen op haarlem.nl."
    )


def test_spoken_text_is_exactly_the_fragments() -> None:
    message = waiting_message(42, _wait(1000.0), "zandvoort")
    assert message.spoken_text == " ".join(FRAGMENTS[f] for f in message.fragments)
    assert "tweeënveertig" in message.spoken_text


@pytest.mark.parametrize(
    ("seconds", "said"),
    [
        (0.0, "minder dan 1 minuut."),
        (59.9, "minder dan 1 minuut."),
        (60.0, "ongeveer 1 minuut."),
        (89.9, "ongeveer 1 minuut."),
        (90.0, "ongeveer 2 minuten."),
        (569.0, "ongeveer 9 minuten."),
        (570.0, "ongeveer 10 minuten."),
        (749.0, "ongeveer 10 minuten."),
        (750.0, "ongeveer 15 minuten."),
        (1649.0, "ongeveer 25 minuten."),
        (1800.0, "ongeveer 30 minuten."),
        (1801.0, "meer dan 30 minuten."),
        (20_000.0, "meer dan 30 minuten."),
    ],
)
def test_rounding_bands(seconds: float, said: str) -> None:
    text = waiting_message(2, _wait(seconds), None).display_text
    assert text.endswith(f"De verwachte wachttijd is {said}")


def test_never_zero_minutes_and_never_decreasing_with_the_estimate() -> None:
    previous = 0.0
    for half in range(0, 8_000):
        seconds = half / 2.0
        message = waiting_message(2, _wait(seconds), "haarlem")
        assert "num-0" not in message.fragments
        assert not re.search(r"\b0 minuten", message.display_text)
        spoken = spoken_wait(seconds)
        if spoken.wording is WaitWording.ABOUT_MINUTES:
            assert spoken.minutes >= 2
        assert spoken.nominal_s >= previous
        previous = spoken.nominal_s


def test_under_a_minute_is_said_with_stressed_een() -> None:
    message = waiting_message(1, _wait(10.0), None)
    assert message.spoken_text.endswith("minder dan één minuut.")


def test_nobody_serving_has_no_wait() -> None:
    message = waiting_message(2, NobodyServing(), "haarlem")
    assert "geen-medewerker" in message.fragments
    assert "verwachte-wachttijd" not in message.fragments
    assert "geen medewerker beschikbaar" in message.display_text


def test_position_beyond_spoken_numbers() -> None:
    message = waiting_message(140, _wait(4000.0), None)
    assert message.display_text.startswith("Er wachten meer dan 99 bellers voor u.")


def test_bad_position_and_municipality_are_refused() -> None:
    with pytest.raises(ValueError, match="position"):
        waiting_message(0, _wait(30.0), None)
    with pytest.raises(ValueError, match="'bloemendaal'"):
        waiting_message(2, _wait(30.0), "bloemendaal")
    with pytest.raises(ValueError, match="estimate_s"):
        spoken_wait(-1.0)
