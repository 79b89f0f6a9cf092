"""The wallboard snapshot of a hand-built TIC morning; every figure worked out in comments."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from contract.vocabulary import AgentState
from realtime_stats.figures.norms import NormStatus, metric_rules
from realtime_stats.figures.periods import PeriodError
from realtime_stats.figures.records import AgentInterval, CallRecord
from realtime_stats.wallboard.feed import BoardInputs
from realtime_stats.wallboard.snapshot import board_snapshot
from site_config import SiteConfig, load_site_config
from tests.unit.realtime_stats.records_by_hand import AMS, abandoned, answered, at

SAMPLE = Path(__file__).resolve().parents[4] / "config" / "site.yaml"
NOW = datetime(2026, 6, 15, 11, 0, tzinfo=AMS)


HAARLEM, ZANDVOORT = "haarlem", "zandvoort"
BZ, BEL = "burgerzaken", "belastingen"
CALLS = (
    # id     entered  wait talk acw agent
    answered("c1", "09:00", 10, 240, 60, "1001", topic_id=BZ, municipality_id=HAARLEM),
    answered("c2", "09:05", 20, 180, 60, "1002", topic_id=BEL, municipality_id=ZANDVOORT),
    answered(
        "c3",
        "09:10",
        45,
        300,
        90,
        "1001",
        topic_id=BEL,
        municipality_id=HAARLEM,
        transferred=True,
        transfer_department="belastingen",
    ),
    abandoned("c4", "09:20", 3, topic_id=BZ, municipality_id=HAARLEM),  # short abandon
    abandoned("c5", "09:40", 60, municipality_id=ZANDVOORT),  # no topic chosen
    # c6: answered after 5 s and still talking at 11:00, so not completed.
    CallRecord(
        call_id="c6",
        entered_at=at("10:40:00"),
        answered_at=at("10:40:05"),
        agent_id="1003",
        topic_id=BZ,
        municipality_id=HAARLEM,
    ),
    # Still waiting at 11:00: 90 s and 20 s.
    CallRecord(call_id="w1", entered_at=at("10:58:30"), topic_id=BZ, municipality_id=HAARLEM),
    CallRecord(call_id="w2", entered_at=at("10:59:40"), topic_id=BEL, municipality_id=ZANDVOORT),
    # Yesterday's call: not in today's counts.
    CallRecord(
        call_id="y1",
        entered_at=at("16:00", date(2026, 6, 14)),
        answered_at=at("16:00:05", date(2026, 6, 14)),
        ended_at=at("16:02", date(2026, 6, 14)),
        agent_id="1001",
        talk_seconds=115,
        topic_id=BZ,
    ),
)


def interval(
    agent: str, state: AgentState, start: str, end: str | None = None, **extra: Any
) -> AgentInterval:
    return AgentInterval(
        agent_id=agent, state=state, start=at(start), end=at(end) if end else None, **extra
    )


A = AgentState
INTERVALS = (
    # 1001: staffed 08:00-10:30 (9000 s), busy 09:00-10:30 (5400 s), paused since 10:30.
    interval("1001", A.AVAILABLE, "08:00", "09:00"),
    interval("1001", A.TALKING, "09:00", "10:00"),
    interval("1001", A.AFTER_CALL_WORK, "10:00", "10:30"),
    interval("1001", A.PAUSED, "10:30", pause_reason="break"),
    # 1002: staffed 09:00-11:00 (7200 s), talking since 09:30 (5400 s): occupancy 0.75.
    interval("1002", A.AVAILABLE, "09:00", "09:30"),
    interval("1002", A.TALKING, "09:30"),
    # 1003: staffed 10:00-11:00 (3600 s), talking since 10:40:05 (1195 s).
    interval("1003", A.AVAILABLE, "10:00", "10:40:05"),
    interval("1003", A.TALKING, "10:40:05"),
    # 1004 worked 08:00-08:30 and logged out: listed, last.
    interval("1004", A.AVAILABLE, "08:00", "08:30"),
    interval("1004", A.LOGGED_OUT, "08:30"),
    # 1005 logged out yesterday and has done nothing today: not listed.
    AgentInterval(agent_id="1005", state=A.LOGGED_OUT, start=at("17:00", date(2026, 6, 14))),
)


@pytest.fixture(scope="module")
def site() -> SiteConfig:
    return load_site_config(SAMPLE)


@pytest.fixture(scope="module")
def snap(site: SiteConfig) -> dict[str, Any]:
    inputs = BoardInputs(
        calls=CALLS, intervals=INTERVALS, now=NOW, agent_positions={"1001": "tic1"}
    )
    return board_snapshot(site, inputs)


def rated(value: float | None, status: NormStatus | None) -> dict[str, Any]:
    return {
        "value": pytest.approx(value) if value is not None else None,
        "status": status.value if status else None,
    }


def test_header(snap: dict[str, Any], site: SiteConfig) -> None:
    assert (snap["site"], snap["timezone"], snap["day"]) == (
        site.name,
        "Europe/Amsterdam",
        "2026-06-15",
    )
    assert snap["now"] == "2026-06-15T09:00:00+00:00"  # 11:00 CEST in UTC
    assert snap["rules"] == {
        "norm_target": 0.8,
        "answer_within_s": 20.0,
        "short_abandon_s": 5.0,
        "occupancy_planning": 0.6,
    }


def test_totals(snap: dict[str, Any]) -> None:
    totals = snap["totals"]
    # Offered c1-c6 (w1, w2 still wait, y1 was yesterday); c4 is a short abandon.
    counts = {k: totals[k] for k in ("offered", "answered", "abandoned", "short_abandoned")}
    assert counts == {"offered": 6, "answered": 4, "abandoned": 2, "short_abandoned": 1}
    assert (totals["transferred"], totals["fell_back"]) == (1, 0)
    # Answered 4 of 6 - 1 = 5: exactly on the norm is green.
    assert totals["answer_rate"] == rated(0.8, NormStatus.GREEN)
    # Within 20 s: c1 (10), c2 (20, on the boundary), c6 (5): 3 of 5.
    assert totals["service_level"] == rated(0.6, NormStatus.RED)
    # Completed c1, c2, c3, one transferred: 2 of 3.
    assert totals["direct_handling"] == rated(2 / 3, NormStatus.RED)
    # Busy 5400 + 5400 + 1195 over staffed 9000 + 7200 + 3600 + 1800 (1004 before 08:30).
    assert totals["occupancy"] == rated(11995 / 21600, NormStatus.GREEN)
    assert totals["asa_s"] == pytest.approx((10 + 20 + 45 + 5) / 4)
    assert totals["talk_s"] == pytest.approx((240 + 180 + 300) / 3)
    assert totals["acw_s"] == pytest.approx((60 + 60 + 90) / 3)
    assert (totals["waiting"], totals["longest_wait_s"]) == (2, pytest.approx(90.0))


def test_topics_in_config_order_then_others(snap: dict[str, Any], site: SiteConfig) -> None:
    ids = [row["id"] for row in snap["topics"]]
    assert ids == [*(t.id for t in site.topics), None]
    rows = {row["id"]: row for row in snap["topics"]}
    # Burgerzaken: c1, c4 (short), c6 offered; both answers within 20 s; w1 waits 90 s.
    bz = rows[BZ]
    assert (bz["name"], bz["offered"], bz["answered"], bz["short_abandoned"]) == (
        "Burgerzaken",
        3,
        2,
        1,
    )
    assert bz["answer_rate"] == rated(1.0, NormStatus.GREEN)
    assert bz["service_level"] == rated(1.0, NormStatus.GREEN)
    assert (bz["waiting"], bz["longest_wait_s"]) == (1, pytest.approx(90.0))
    # Belastingen: c2 within, c3 at 45 s and transferred.
    assert rows[BEL]["service_level"] == rated(0.5, NormStatus.RED)
    assert rows[BEL]["direct_handling"] == rated(0.5, NormStatus.RED)
    # No topic chosen: c5 abandoned after 60 s.
    assert (rows[None]["name"], rows[None]["answer_rate"]) == (None, rated(0.0, NormStatus.RED))
    assert all(row["occupancy"] == rated(None, None) for row in snap["topics"])


def test_a_topic_not_in_the_config_gets_a_row_before_no_topic(site: SiteConfig) -> None:
    old = abandoned("o1", "10:00", 30, topic_id="oud-onderwerp")
    snap = board_snapshot(site, BoardInputs(calls=(*CALLS, old), now=NOW))
    assert [(row["id"], row["name"]) for row in snap["topics"][-2:]] == [
        ("oud-onderwerp", "oud-onderwerp"),
        (None, None),
    ]


def test_a_quiet_topic_shows_dashes_not_zero(snap: dict[str, Any]) -> None:
    quiet = next(row for row in snap["topics"] if row["id"] == "bouwen-wonen")
    assert quiet["offered"] == 0 and quiet["waiting"] == 0
    for name in ("answer_rate", "service_level", "direct_handling", "occupancy"):
        assert quiet[name] == {"value": None, "status": None}
    assert (quiet["asa_s"], quiet["talk_s"], quiet["longest_wait_s"]) == (None, None, None)


def test_municipalities(snap: dict[str, Any]) -> None:
    rows = {row["id"]: row for row in snap["municipalities"]}
    # No row for "no municipality": only yesterday's y1 lacks one, and it is not counted.
    assert list(rows) == [HAARLEM, ZANDVOORT]
    # Haarlem: c1, c3, c4 (short), c6: 3 answered of 4 - 1; within 20 s: c1, c6.
    assert rows[HAARLEM]["answer_rate"] == rated(1.0, NormStatus.GREEN)
    assert rows[HAARLEM]["service_level"] == rated(2 / 3, NormStatus.RED)
    # Zandvoort: c2 answered, c5 abandoned after 60 s; w2 waits 20 s.
    assert rows[ZANDVOORT]["answer_rate"] == rated(0.5, NormStatus.RED)
    assert (rows[ZANDVOORT]["name"], rows[ZANDVOORT]["waiting"]) == ("Zandvoort", 1)


def test_agents(snap: dict[str, Any]) -> None:
    agents = {row["id"]: row for row in snap["agents"]}
    # Logged-in agents by name (Anouk, Bram, Fatima), then the logged-out one; 1005 left out.
    assert list(agents) == ["1001", "1002", "1003", "1004"]
    anouk = agents["1001"]
    assert (anouk["name"], anouk["position"], anouk["topics"]) == (
        "Anouk de Vries",
        "tic1",
        [BZ, "algemeen"],
    )
    assert (anouk["state"], anouk["pause_reason"], anouk["since"]) == (
        "paused",
        "break",
        "2026-06-15T08:30:00+00:00",
    )
    # c1 and c3: talk (240 + 300) / 2, after-call (60 + 90) / 2, one of two transferred.
    assert (anouk["calls"], anouk["talk_s"], anouk["acw_s"]) == (2, 270.0, 75.0)
    assert anouk["direct_handling"] == rated(0.5, NormStatus.RED)
    assert anouk["occupancy"] == rated(5400 / 9000, NormStatus.GREEN)
    assert agents["1002"]["occupancy"] == rated(0.75, NormStatus.AMBER)  # 5400 / 7200
    assert (agents["1002"]["state"], agents["1002"]["position"]) == ("talking", None)
    # 1003 is still on c6: answered, not completed, so no talk time yet.
    fatima = agents["1003"]
    assert (fatima["calls"], fatima["talk_s"], fatima["direct_handling"]) == (
        1,
        None,
        {"value": None, "status": None},
    )
    assert (agents["1004"]["state"], agents["1004"]["since"]) == (
        "logged_out",
        "2026-06-15T06:30:00+00:00",
    )


def test_names_from_the_feed_win(site: SiteConfig) -> None:
    inputs = BoardInputs(intervals=INTERVALS[:4], now=NOW, agent_names={"1001": "A. de V."})
    assert board_snapshot(site, inputs)["agents"][0]["name"] == "A. de V."


def test_trend_runs_from_the_first_active_half_hour_to_now(snap: dict[str, Any]) -> None:
    trend = snap["trend"]
    # Agents staffed from 08:00; now is 11:00, the start of the 11:00 bucket.
    assert [b["label"] for b in trend] == [
        "08:00",
        "08:30",
        "09:00",
        "09:30",
        "10:00",
        "10:30",
        "11:00",
    ]
    assert [b["current"] for b in trend] == [False] * 6 + [True]
    by_label = {b["label"]: b for b in trend}
    # 09:00-09:30: c1, c2, c3, c4 offered; within 20 s c1, c2 of 4 - 1.
    assert (by_label["09:00"]["offered"], by_label["09:00"]["service_level"]) == (
        4,
        rated(2 / 3, NormStatus.RED),
    )
    assert by_label["08:00"]["offered"] == 0
    assert by_label["08:00"]["service_level"] == rated(None, None)
    # 08:00-08:30: 1001 and 1004 available, nobody busy.
    assert by_label["08:00"]["occupancy"] == rated(0.0, NormStatus.GREEN)


def test_trend_labels_the_repeated_autumn_hour(site: SiteConfig) -> None:
    first = datetime(2026, 10, 25, 0, 30, tzinfo=ZoneInfo("UTC"))  # 02:30 CEST
    second = first + timedelta(hours=1)  # 02:30 CET
    calls = tuple(abandoned_at(f"d{i}", moment) for i, moment in enumerate((first, second)))
    snap = board_snapshot(site, BoardInputs(calls=calls, now=second + timedelta(minutes=10)))
    labels = [b["label"] for b in snap["trend"]]
    # 01:00 UTC is where 03:00 CEST becomes 02:00 CET.
    assert labels == ["02:30 CEST", "02:00 CET", "02:30 CET"]


def abandoned_at(call_id: str, moment: datetime) -> CallRecord:
    return CallRecord(call_id=call_id, entered_at=moment, ended_at=moment + timedelta(seconds=30))


def test_an_empty_day_is_dashes_not_zero_percent(site: SiteConfig) -> None:
    snap = board_snapshot(site, BoardInputs(now=NOW))
    totals = snap["totals"]
    for name in ("answer_rate", "service_level", "direct_handling", "occupancy"):
        assert totals[name] == {"value": None, "status": None}, name
    assert (totals["offered"], totals["waiting"]) == (0, 0)
    assert (totals["asa_s"], totals["talk_s"], totals["acw_s"], totals["longest_wait_s"]) == (
        None,
        None,
        None,
        None,
    )
    assert snap["agents"] == []
    assert [(b["label"], b["current"], b["offered"]) for b in snap["trend"]] == [("11:00", True, 0)]


def test_the_sites_norms_are_used(site: SiteConfig) -> None:
    strict = site.model_copy(
        update={"norms": site.norms.model_copy(update={"answer_within_s": 10})}
    )
    snap = board_snapshot(strict, BoardInputs(calls=CALLS, now=NOW))
    # Within 10 s now only c1 (10) and c6 (5): 2 of 5.
    assert snap["totals"]["service_level"] == rated(0.4, NormStatus.RED)
    assert metric_rules(strict.norms).answer_threshold_seconds == 10.0


def test_snapshot_is_plain_json(snap: dict[str, Any]) -> None:
    assert json.loads(json.dumps(snap, allow_nan=False)) == snap


def test_naive_now_is_refused() -> None:
    with pytest.raises(PeriodError, match=r"BoardInputs\.now must be timezone-aware"):
        BoardInputs(now=datetime(2026, 6, 15, 11, 0))


def test_inputs_cannot_be_changed_afterwards() -> None:
    names = {"1001": "Anouk"}
    inputs = BoardInputs(now=NOW, agent_names=names)
    names["1001"] = "changed"
    assert inputs.agent_names["1001"] == "Anouk"
    with pytest.raises(TypeError):
        inputs.agent_names["1001"] = "x"  # type: ignore[index]
