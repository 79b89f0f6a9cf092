"""A hand-built TIC morning, with every figure worked out by hand in the comments."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from contract.vocabulary import AgentState
from realtime_stats.figures.metrics import (
    CallTally,
    compute_figures,
    day_trend,
    figures_per_agent,
    figures_per_municipality,
    figures_per_topic,
)
from realtime_stats.figures.norms import MetricRules, MetricsError, Norm, NormStatus, OccupancyNorm
from realtime_stats.figures.periods import local_day
from realtime_stats.figures.records import AgentInterval, CallRecord
from tests.unit.realtime_stats.records_by_hand import AMS, DAY, abandoned, answered, at

PERIOD = local_day(DAY)
NOW = datetime(2026, 6, 15, 11, 0, tzinfo=AMS)


HAARLEM, ZANDVOORT = "0392", "0473"
CALLS = (
    # id   entered   wait  talk  acw  agent
    answered("c1", "09:00", 10, 240, 60, "a1", topic_id="burgerzaken", municipality_id=HAARLEM,
             recorded=True),
    answered("c2", "09:05", 20, 180, 60, "a2", topic_id="belastingen", municipality_id=ZANDVOORT),
    answered("c3", "09:10", 45, 300, 90, "a1", topic_id="belastingen", municipality_id=HAARLEM,
             transferred=True, transfer_department="Belastingen"),
    abandoned("c4", "09:20", 3, topic_id="burgerzaken", municipality_id=HAARLEM),
    abandoned("c5", "09:25", 5, municipality_id=HAARLEM),
    abandoned("c6", "09:30", 60, municipality_id=ZANDVOORT),
    answered("c7", "10:00", 30, 120, 30, "a2", municipality_id=HAARLEM,
             fell_back_from_department="Vergunningen"),
    answered("c8", "10:10", 15, 200, 40, "a3", municipality_id=HAARLEM,
             transferred=True, transfer_department="Sociaal Domein"),
    # c9: answered after 5 s at 10:40:05 and still talking at 11:00.
    CallRecord(call_id="c9", entered_at=at("10:40:00"), answered_at=at("10:40:05"),
               agent_id="a1", municipality_id=HAARLEM),
    # c10 and c11 are still in the queue at 11:00.
    CallRecord(call_id="c10", entered_at=at("10:50:00"), municipality_id=HAARLEM),
    CallRecord(call_id="c11", entered_at=at("10:58:30"), municipality_id=ZANDVOORT),
    # c12 came in yesterday evening: not part of today's period.
    CallRecord(call_id="c12", entered_at=at("23:59", DAY - timedelta(days=1)),
               answered_at=at("23:59:10", DAY - timedelta(days=1)), ended_at=at("00:01"),
               agent_id="a1", talk_seconds=110, municipality_id=HAARLEM),
)  # fmt: skip


def interval(agent: str, state: AgentState, start: datetime, end: datetime | None) -> AgentInterval:
    reason = "lunch" if state is AgentState.PAUSED else None
    return AgentInterval(agent_id=agent, state=state, start=start, end=end, pause_reason=reason)


S = AgentState
INTERVALS = (
    # a1: busy 30+10+20 (open talk clipped at 11:00) = 60 min; staffed 60+30+10+40+20 = 160 min
    interval("a1", S.LOGGED_OUT, at("00:00"), at("08:00")),
    interval("a1", S.AVAILABLE, at("08:00"), at("09:00")),
    interval("a1", S.TALKING, at("09:00"), at("09:30")),
    interval("a1", S.AFTER_CALL_WORK, at("09:30"), at("09:40")),
    interval("a1", S.PAUSED, at("09:40"), at("10:00")),
    interval("a1", S.AVAILABLE, at("10:00"), at("10:40")),
    interval("a1", S.TALKING, at("10:40"), None),
    # a2: busy 45+15 (wrap-up clipped at 11:00) = 60 min; staffed 60+45+15 = 120 min
    interval("a2", S.AVAILABLE, at("09:00"), at("10:00")),
    interval("a2", S.TALKING, at("10:00"), at("10:45")),
    interval("a2", S.AFTER_CALL_WORK, at("10:45"), at("11:15")),
    # a3: busy 40+10 = 50 min; staffed 9.5+0.5 (ringing counts as staffed)+40+10 = 60 min
    interval("a3", S.AVAILABLE, at("10:00"), at("10:09:30")),
    interval("a3", S.RINGING, at("10:09:30"), at("10:10")),
    interval("a3", S.TALKING, at("10:10"), at("10:50")),
    interval("a3", S.AFTER_CALL_WORK, at("10:50"), at("11:00")),
    # a4: logged in across midnight, only 00:00-00:30 falls in the day: staffed 30 min, busy 0
    interval("a4", S.AVAILABLE, at("23:00", DAY - timedelta(days=1)), at("00:30")),
)


def test_whole_tic_figures_match_the_hand_count() -> None:
    figures = compute_figures(CALLS, INTERVALS, PERIOD, now=NOW)

    # offered: c1..c9 (c10, c11 still waiting, c12 yesterday) = 9
    # answered: c1 c2 c3 c7 c8 c9 = 6; abandoned: c4 c5 c6 = 3; short (<= 5 s): c4 c5 = 2
    assert (figures.offered, figures.answered, figures.abandoned) == (9, 6, 3)
    assert figures.short_abandoned == 2
    # answer rate = 6 / (9 - 2) = 0.857 -> green (>= 0.80)
    assert figures.answer_rate.value == pytest.approx(6 / 7)
    assert figures.answer_rate.status is NormStatus.GREEN
    # within 20 s: c1 (10) c2 (20, inclusive) c8 (15) c9 (5) = 4; 4 / 7 = 0.571 -> red
    assert figures.calls.answered_within_threshold == 4
    assert figures.service_level.value == pytest.approx(4 / 7)
    assert figures.service_level.status is NormStatus.RED
    # completed (answered and ended): c1 c2 c3 c7 c8 = 5; transferred c3 c8 = 2; 3/5 -> red
    assert (figures.calls.completed, figures.calls.transferred) == (5, 2)
    assert figures.direct_handling.value == pytest.approx(3 / 5)
    assert figures.direct_handling.status is NormStatus.RED
    # speed of answer: (10 + 20 + 45 + 30 + 15 + 5) / 6 = 125 / 6 s
    assert figures.average_speed_of_answer_seconds == pytest.approx(125 / 6)
    # talk: (240 + 180 + 300 + 120 + 200) / 5 = 208 s; wrap-up (60+60+90+30+40) / 5 = 56 s
    assert figures.average_talk_seconds == pytest.approx(208)
    assert figures.average_after_call_seconds == pytest.approx(56)
    assert (figures.calls.fell_back, figures.calls.recorded) == (1, 1)


def test_live_queue_and_team_occupancy() -> None:
    figures = compute_figures(CALLS, INTERVALS, PERIOD, now=NOW)

    # waiting at 11:00: c10 (since 10:50, 600 s) and c11 (since 10:58:30, 90 s)
    assert figures.waiting_now == 2
    assert figures.longest_wait_seconds == pytest.approx(600)
    # team: busy 60+60+50 = 170 min over staffed 160+120+60+30 = 370 min = 0.459 -> green
    assert figures.occupancy.value == pytest.approx(170 / 370)
    assert figures.occupancy.status is NormStatus.GREEN


def test_live_queue_can_be_read_at_an_earlier_moment() -> None:
    # At 09:00:05 only c1 (entered 09:00:00, answered 09:00:10) is in the queue.
    figures = compute_figures(CALLS, (), PERIOD, now=at("09:00:05"))

    assert (figures.waiting_now, figures.longest_wait_seconds) == (1, 5)


def test_transfer_counts_only_once_the_call_has_ended() -> None:
    # The live call may still be transferred or not: it is left out of direct handling.
    done = answered("d1", "09:00", 5, 60, 10, "a1")
    live = CallRecord(
        call_id="d2", entered_at=at("10:55"), answered_at=at("10:55:10"), transferred=True
    )

    figures = compute_figures((done, live), (), PERIOD, now=NOW)

    assert (figures.answered, figures.calls.completed, figures.calls.transferred) == (2, 1, 0)
    assert figures.direct_handling.value == 1.0


def test_per_agent_figures() -> None:
    per_agent = figures_per_agent(CALLS, INTERVALS, PERIOD, now=NOW)

    assert sorted(per_agent) == ["a1", "a2", "a3", "a4"]
    a1, a2, a3, a4 = (per_agent[k] for k in ("a1", "a2", "a3", "a4"))
    # a1 answered c1, c3, c9 (c12 is yesterday); completed c1, c3; c3 transferred -> 1/2
    assert (a1.calls.answered, a1.calls.completed) == (3, 2)
    assert a1.direct_handling.value == pytest.approx(0.5)
    assert a1.average_talk_seconds == pytest.approx((240 + 300) / 2)
    assert a1.occupancy.value == pytest.approx(60 / 160)
    assert a1.time.paused_seconds == pytest.approx(20 * 60)
    # a2: c2, c7 both direct -> 1.0 green; busy 60 of 120 min
    assert a2.direct_handling.status is NormStatus.GREEN
    assert a2.occupancy.value == pytest.approx(0.5)
    # a3: busy 50 of 60 min = 0.833 -> red (above 75 %)
    assert a3.occupancy.value == pytest.approx(50 / 60)
    assert a3.occupancy.status is NormStatus.RED
    # a4 answered nothing: direct handling unknown, not 0 % or 100 %
    assert a4.direct_handling.value is None
    assert a4.direct_handling.status is None
    assert a4.occupancy.value == pytest.approx(0.0)


def test_per_topic_and_per_municipality() -> None:
    topics = figures_per_topic(CALLS, PERIOD, now=NOW)
    # belastingen: c2 (20 s) and c3 (45 s, transferred): SL 1/2, direct handling 1/2
    belastingen = topics["belastingen"]
    assert (belastingen.offered, belastingen.answered) == (2, 2)
    assert belastingen.service_level.value == pytest.approx(0.5)
    assert belastingen.direct_handling.value == pytest.approx(0.5)
    assert belastingen.occupancy.value is None  # agents are not split by topic
    # burgerzaken: c1 answered, c4 short-abandoned: answer rate 1 / (2 - 1)
    assert topics["burgerzaken"].answer_rate.value == pytest.approx(1.0)

    places = figures_per_municipality(CALLS, PERIOD, now=NOW)
    # Zandvoort: c2 answered in 20 s, c6 abandoned after 60 s, c11 waiting
    zandvoort = places[ZANDVOORT]
    assert (zandvoort.offered, zandvoort.answered, zandvoort.waiting_now) == (2, 1, 1)
    assert zandvoort.answer_rate.value == pytest.approx(0.5)
    # Haarlem plus Zandvoort add up to the whole TIC
    assert places[HAARLEM].offered + zandvoort.offered == 9


def test_no_calls_gives_unknown_figures_not_zero() -> None:
    figures = compute_figures((), (), PERIOD, now=NOW)

    assert figures.calls == CallTally()
    for rated in (figures.answer_rate, figures.service_level, figures.direct_handling):
        assert (rated.value, rated.status) == (None, None)
    assert figures.occupancy.value is None
    assert figures.average_speed_of_answer_seconds is None
    assert figures.average_talk_seconds is None
    assert (figures.waiting_now, figures.longest_wait_seconds) == (0, None)


def test_only_short_abandoned_calls_leave_rates_unknown() -> None:
    calls = (abandoned("s1", "09:00", 2), abandoned("s2", "09:01", 4))

    figures = compute_figures(calls, (), PERIOD, now=NOW)

    assert (figures.offered, figures.short_abandoned) == (2, 2)
    assert figures.answer_rate.value is None
    assert figures.service_level.value is None


def test_short_abandon_threshold_is_a_parameter() -> None:
    rules = MetricRules(short_abandon_seconds=2.0)

    figures = compute_figures(CALLS, (), PERIOD, now=NOW, rules=rules)

    # nobody hung up within 2 s: c4 (3 s) and c5 (5 s) now count against the norm: 6 / 9
    assert figures.short_abandoned == 0
    assert figures.answer_rate.value == pytest.approx(6 / 9)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0.80, NormStatus.GREEN),
        (8 / 10, NormStatus.GREEN),
        (0.7999, NormStatus.AMBER),
        (0.75, NormStatus.AMBER),
        (0.7499, NormStatus.RED),
        (None, None),
    ],
)
def test_norm_colours(value: float | None, expected: NormStatus | None) -> None:
    assert Norm().status(value) is expected


def test_norm_thresholds_are_parameters() -> None:
    assert Norm(target=0.9, amber_band=0.1).status(0.8) is NormStatus.AMBER
    # 0.67 - 0.1 is 0.5700000000000001 in floating point; 57/100 must still be amber
    assert Norm(target=0.67, amber_band=0.1).status(57 / 100) is NormStatus.AMBER
    assert OccupancyNorm().status(0.70) is NormStatus.GREEN
    assert OccupancyNorm().status(0.72) is NormStatus.AMBER
    assert OccupancyNorm().status(0.76) is NormStatus.RED
    with pytest.raises(MetricsError, match="target"):
        Norm(target=1.5)
    with pytest.raises(MetricsError, match="short_abandon_seconds"):
        MetricRules(short_abandon_seconds=-1)


def test_day_trend_has_half_hour_buckets_adding_up_to_the_day() -> None:
    trend = day_trend(CALLS, INTERVALS, DAY, now=NOW)

    assert len(trend) == 48
    assert sum(f.offered for f in trend) == 9
    nine = trend[18]  # 09:00-09:30 local: c1 c2 c3 c4 c5
    assert nine.period.start == at("09:00")
    assert (nine.offered, nine.answered, nine.short_abandoned) == (5, 3, 2)


def test_day_trend_buckets_equal_figures_computed_per_bucket() -> None:
    trend = day_trend(CALLS, INTERVALS, DAY, now=NOW)

    for figures in trend:
        alone = compute_figures(CALLS, INTERVALS, figures.period, now=NOW)
        assert figures.calls == alone.calls
        assert figures.occupancy == alone.occupancy
    # 10:00-10:30: a1 available 30 min; a2 talking 30; a3 available 9.5, ringing 0.5, talking 20
    ten = trend[20]
    assert ten.occupancy.value == pytest.approx((30 + 20) / (30 + 30 + 30))
