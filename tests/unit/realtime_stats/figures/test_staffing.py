"""Erlang C checked against a second, textbook implementation and against published values."""

from __future__ import annotations

import json
import math
from fractions import Fraction

import pytest

from kcc.commands.staffing import main
from realtime_stats.figures.staffing import (
    StaffingInputError,
    asa,
    erlang_c,
    occupancy,
    predicted_service_level,
    required_agents,
)


def direct_erlang_c(traffic: float, agents: int) -> float:
    """The textbook sum with math.factorial; only usable for small N (it overflows)."""
    waiting_term = traffic**agents / math.factorial(agents) * agents / (agents - traffic)
    no_wait = sum(traffic**k / math.factorial(k) for k in range(agents))
    return waiting_term / (no_wait + waiting_term)


def exact_erlang_c(traffic: Fraction, agents: int) -> Fraction:
    """The same sum in exact rational arithmetic, for N in the hundreds."""
    term = Fraction(1)
    no_wait = Fraction(0)
    for k in range(agents):
        no_wait += term
        term = term * traffic / (k + 1)
    waiting_term = term * agents / (agents - traffic)
    return waiting_term / (no_wait + waiting_term)


@pytest.mark.parametrize("traffic", [0.3, 2.0, 7.5, 10.0, 23.4, 48.0])
def test_matches_the_direct_formula(traffic: float) -> None:
    for agents in range(math.floor(traffic) + 1, math.floor(traffic) + 15):
        assert erlang_c(traffic, agents) == pytest.approx(
            direct_erlang_c(traffic, agents), rel=1e-12
        )


@pytest.mark.parametrize(("traffic", "agents"), [(900, 950), (900, 1000), (1200, 1250)])
def test_stays_exact_for_large_teams(traffic: int, agents: int) -> None:
    expected = float(exact_erlang_c(Fraction(traffic), agents))

    assert erlang_c(traffic, agents) == pytest.approx(expected, rel=1e-9)


@pytest.mark.parametrize(
    ("agents", "published"),
    # Erlang C tables for A = 10 Erlang (200 calls/h of 180 s), to four decimals.
    [(11, 0.6821), (12, 0.4494), (13, 0.2853), (14, 0.1741), (15, 0.1020)],
)
def test_published_table_for_ten_erlang(agents: int, published: float) -> None:
    assert direct_erlang_c(10, agents) == pytest.approx(published, abs=5e-5)
    assert erlang_c(10, agents) == pytest.approx(published, abs=5e-5)


def test_textbook_example_of_100_calls_per_half_hour() -> None:
    # 200 calls/h x 180 s = 10 Erlang; 14 agents; 20 s target.
    # Pw = 0.1741; SL = 1 - 0.1741 x exp(-(14 - 10) x 20 / 180) = 0.8884 (not 0.8893);
    # ASA = 0.1741 x 180 / 4 = 7.84 s; occupancy = 10 / 14 = 0.7143.
    pw = direct_erlang_c(10, 14)

    assert predicted_service_level(200, 180, 14, 20) == pytest.approx(1 - pw * math.exp(-80 / 180))
    assert predicted_service_level(200, 180, 14, 20) == pytest.approx(0.8884, abs=5e-5)
    assert asa(200, 180, 14) == pytest.approx(7.84, abs=5e-3)
    assert occupancy(200, 180, 14) == pytest.approx(10 / 14)


def test_worked_example_of_360_calls_per_half_hour() -> None:
    # 720 calls/h x 240 s = 48 Erlang, 55 agents, 15 s target. The four-decimal values
    # are re-derived here with the direct formula: Pw 0.2387, SL 0.8459, ASA 8.18 s.
    pw = direct_erlang_c(48, 55)

    assert erlang_c(48, 55) == pytest.approx(pw, rel=1e-12)
    assert pw == pytest.approx(0.2387, abs=5e-5)
    assert predicted_service_level(720, 240, 55, 15) == pytest.approx(0.8459, abs=5e-5)
    assert asa(720, 240, 55) == pytest.approx(pw * 240 / 7)


def test_overloaded_team_always_queues() -> None:
    assert erlang_c(10, 10) == 1.0
    assert erlang_c(10, 3) == 1.0
    assert predicted_service_level(200, 180, 10, 20) == 0.0
    assert asa(200, 180, 9) == math.inf
    assert occupancy(200, 180, 5) == 1.0


def test_required_agents_without_cap_is_the_pure_service_level_answer() -> None:
    # 13 agents give SL 0.7956 < 0.80; 14 give 0.8884.
    result = required_agents(200, 180, max_occupancy=1.0)

    assert result.agents == 14
    assert result.traffic_erlangs == pytest.approx(10)
    assert result.service_level == pytest.approx(predicted_service_level(200, 180, 14, 20))
    assert predicted_service_level(200, 180, 13, 20) < 0.8


def test_occupancy_cap_can_ask_for_more_agents_than_the_service_level() -> None:
    # 60 % cap: 10 Erlang needs at least 10 / 0.6 = 16.7 -> 17 agents, not 14.
    result = required_agents(200, 180)

    assert result.agents == 17
    assert result.occupancy == pytest.approx(10 / 17)
    assert result.occupancy <= 0.6 < occupancy(200, 180, 16)
    assert result.asa_seconds == pytest.approx(asa(200, 180, 17))


def test_cap_is_met_exactly_at_the_boundary() -> None:
    # 120 calls/h x 180 s = 6 Erlang; 6 / 10 = 0.6 is within a 0.6 cap.
    assert required_agents(120, 180).agents == 10
    # 108 calls/h x 180 s = 5.4 Erlang; 5.4 / 9 is 0.6000000000000001 in floating point,
    # but mathematically exactly the cap (and 9 agents give SL 0.92).
    assert required_agents(108, 180).agents == 9


def test_after_call_work_adds_to_handle_time() -> None:
    with_wrap_up = required_agents(200, 120, after_call_seconds=60, max_occupancy=1.0)

    assert with_wrap_up == required_agents(200, 180, max_occupancy=1.0)
    assert with_wrap_up.handle_seconds == 180


def test_no_calls_still_needs_one_agent() -> None:
    result = required_agents(0, 180)

    assert (result.agents, result.service_level, result.occupancy) == (1, 1.0, 0.0)


@pytest.mark.parametrize(
    ("kwargs", "argument"),
    [
        ({"arrivals_per_hour": -1}, "arrivals_per_hour"),
        ({"handle_seconds": 0}, "handle_seconds"),
        ({"after_call_seconds": -5}, "after_call_seconds"),
        ({"service_level": 0}, "service_level"),
        ({"service_level": 1.2}, "service_level"),
        ({"within": -1}, "within"),
        ({"max_occupancy": 0}, "max_occupancy"),
        ({"arrivals_per_hour": math.nan}, "arrivals_per_hour"),
    ],
)
def test_bad_input_names_the_argument(kwargs: dict[str, float], argument: str) -> None:
    values: dict[str, float] = {"arrivals_per_hour": 200, "handle_seconds": 180, **kwargs}

    with pytest.raises(StaffingInputError, match=argument) as caught:
        required_agents(**values)

    assert caught.value.argument == argument


def test_erlang_c_refuses_no_agents_and_negative_traffic() -> None:
    with pytest.raises(StaffingInputError, match="agents must be a whole number >= 1"):
        erlang_c(10, 0)
    with pytest.raises(StaffingInputError, match="traffic_erlangs must be >= 0"):
        erlang_c(-1, 5)


def test_cli_prints_json(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--arrivals-per-hour", "200", "--handle-seconds", "120",
                 "--after-call-seconds", "60"])  # fmt: skip

    out = json.loads(capsys.readouterr().out)
    expected = required_agents(200, 120, after_call_seconds=60)
    assert code == 0
    assert out["agents"] == expected.agents == 17
    assert out["service_level"] == pytest.approx(expected.service_level, abs=1e-4)
    assert out["occupancy"] == pytest.approx(expected.occupancy, abs=1e-4)
    assert out["asa_seconds"] == pytest.approx(expected.asa_seconds, abs=1e-2)


def test_cli_options_reach_the_calculation(capsys: pytest.CaptureFixture[str]) -> None:
    main(["--arrivals-per-hour", "200", "--handle-seconds", "180", "--max-occupancy", "1",
          "--service-level", "0.9", "--within", "10"])  # fmt: skip

    out = json.loads(capsys.readouterr().out)
    assert out["agents"] == required_agents(200, 180, 0, 0.9, 10, 1.0).agents


def test_cli_bad_value_names_the_flag(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--arrivals-per-hour", "200", "--handle-seconds", "0"])

    captured = capsys.readouterr()
    assert code == 2
    assert captured.out == ""
    assert "--handle-seconds must be > 0" in captured.err


def test_cli_missing_or_unreadable_flag_returns_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--handle-seconds", "180"]) == 2
    assert "--arrivals-per-hour" in capsys.readouterr().err
    assert main(["--arrivals-per-hour", "lots", "--handle-seconds", "180"]) == 2
    assert "invalid float value: 'lots'" in capsys.readouterr().err
