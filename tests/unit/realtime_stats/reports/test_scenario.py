"""A hand-built TIC morning in a real SQLite store, and its day report worked out by hand.

The scenario (Monday 2026-06-15, Amsterdam summer time) is shared by the queue_log,
CLI and route tests, which import `CALLS`, `INTERVALS` and `stored`.
"""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from contract.vocabulary import AgentState
from realtime_stats.figures.norms import metric_rules
from realtime_stats.figures.records import AgentInterval, CallRecord
from realtime_stats.figures.tracked_records import TrackedInterval
from realtime_stats.reports.build import PeriodKind, Report, ReportRequest, build_report
from realtime_stats.reports.render import render_csv, render_html
from realtime_stats.reports.service import ReportFormat, render_report
from realtime_stats.reports.tables import ReportError
from realtime_stats.store import Store, open_store
from site_config import SiteConfig
from tests.unit.realtime_stats.records_by_hand import AMS, DAY, abandoned, answered, at

SAMPLE = Path(__file__).resolve().parents[4] / "config" / "site.yaml"
NOW = datetime(2026, 6, 20, 12, 0, tzinfo=UTC)  # well after the day: every interval closed


def _next_day(call: CallRecord) -> CallRecord:
    assert call.answered_at is not None and call.ended_at is not None
    day = timedelta(days=1)
    return replace(
        call,
        entered_at=call.entered_at + day,
        answered_at=call.answered_at + day,
        ended_at=call.ended_at + day,
    )


BZ, BEL, HLM, ZVT = "burgerzaken", "belastingen", "haarlem", "zandvoort"
CALLS = (
    # id     entered  wait talk acw agent
    answered("c1", "09:00", 10, 240, 60, "1001", topic_id=BZ, municipality_id=HLM, recorded=True),
    answered(
        "c2",
        "09:05",
        30,
        180,
        30,
        "1002",
        topic_id=BEL,
        municipality_id=ZVT,
        transferred=True,
        transfer_department=BEL,
    ),
    abandoned("c3", "09:10", 3, topic_id=BZ, municipality_id=HLM),  # short abandon
    abandoned("c4", "09:20", 40, topic_id=BZ, municipality_id=HLM),
    answered(
        "c5",
        "09:30",
        15,
        120,
        60,
        "1001",
        topic_id=BZ,
        municipality_id=HLM,
        fell_back_from_department=BZ,
    ),
    # The next day: in the week and month, not in the day.
    _next_day(answered("n1", "09:00", 5, 100, 20, "1001", topic_id=BZ, municipality_id=HLM)),
)
NEXT_DAY_CALL = CALLS[-1].call_id


def _interval(agent: str, state: AgentState, start: str, end: str, **extra: Any) -> AgentInterval:
    return AgentInterval(agent_id=agent, state=state, start=at(start), end=at(end), **extra)


A, R, T, W, P = (
    AgentState.AVAILABLE,
    AgentState.RINGING,
    AgentState.TALKING,
    AgentState.AFTER_CALL_WORK,
    AgentState.PAUSED,
)
INTERVALS = (
    TrackedInterval(interval=_interval("1001", A, "08:00", "09:00:10")),
    TrackedInterval(interval=_interval("1001", T, "09:00:10", "09:04:10"), call_id="c1"),
    TrackedInterval(interval=_interval("1001", W, "09:04:10", "09:05:10"), call_id="c1"),
    TrackedInterval(interval=_interval("1001", A, "09:05:10", "09:30:15")),
    TrackedInterval(interval=_interval("1001", T, "09:30:15", "09:32:15"), call_id="c5"),
    TrackedInterval(interval=_interval("1001", W, "09:32:15", "09:33:15"), call_id="c5"),
    TrackedInterval(interval=_interval("1001", P, "09:33:15", "09:45", pause_reason="lunch")),
    TrackedInterval(interval=_interval("1001", A, "09:45", "10:00")),
    TrackedInterval(interval=_interval("1002", A, "09:00", "09:05:25")),
    TrackedInterval(interval=_interval("1002", R, "09:05:25", "09:05:30"), call_id="c2"),
    TrackedInterval(interval=_interval("1002", T, "09:05:30", "09:08:30"), call_id="c2"),
    TrackedInterval(interval=_interval("1002", W, "09:08:30", "09:09"), call_id="c2"),
    TrackedInterval(interval=_interval("1003", A, "09:00", "09:05:15")),
    # 1003 let c2 ring for 10 s without answering: a RINGNOANSWER in the queue_log.
    TrackedInterval(interval=_interval("1003", R, "09:05:15", "09:05:25"), call_id="c2"),
    TrackedInterval(interval=_interval("1003", A, "09:05:25", "09:10")),
)


def stored(path: Path) -> Store:
    store = open_store(path)
    store.save_calls(CALLS)
    store.save_intervals(INTERVALS)
    return store


def day_report(site: SiteConfig, store: Store, **request: Any) -> Report:
    period_start, period_end = at("00:00"), at("00:00", date(2026, 6, 16))
    calls = store.calls_between(period_start, period_end)
    intervals = store.intervals_between(period_start, period_end)
    wanted = ReportRequest(kind=PeriodKind.DAY, day=DAY, zone=AMS, now=NOW, **request)
    return build_report(site, metric_rules(site.norms), wanted, calls, intervals)


def rows(report: Report, table: str) -> list[dict[str, Any]]:
    found = report.table(table)
    return [dict(zip((c.key for c in found.columns), row, strict=True)) for row in found.rows]


def parse_csv(text: str) -> dict[str, list[dict[str, str]]]:
    """The CSV's sections back as {name: [row dicts]}; a test of the format, not of figures."""
    sections: dict[str, list[dict[str, str]]] = {}
    for block in text.strip("\n").split("\n\n"):
        name_line, _, body = block.partition("\n")
        assert name_line.startswith("# ")
        sections[name_line[2:]] = list(csv.DictReader(io.StringIO(body)))
    return sections


def test_team_figures_by_hand(site: SiteConfig, store: Store) -> None:
    (team,) = rows(day_report(site, store), "team")
    # c1..c5 have outcomes; c3 hung up within 5 s, so 4 count for the norms.
    assert team["offered"] == 5 and team["answered"] == 3 and team["abandoned"] == 2
    assert team["short_abandoned"] == 1
    assert team["answered_within_threshold"] == 2  # c1 (10 s), c5 (15 s); c2 waited 30 s
    assert team["answer_rate"] == pytest.approx(3 / 4) and team["answer_rate_status"] == "amber"
    assert team["service_level"] == pytest.approx(2 / 4) and team["service_level_status"] == "red"
    assert team["completed"] == 3 and team["transferred"] == 1
    assert team["direct_handling"] == pytest.approx(2 / 3)
    assert team["direct_handling_status"] == "red"
    assert team["fell_back"] == 1
    assert team["average_speed_of_answer_s"] == pytest.approx((10 + 30 + 15) / 3)
    assert team["talk_s"] == 540 and team["average_talk_s"] == pytest.approx(180)
    assert team["after_call_s"] == 150 and team["average_after_call_s"] == pytest.approx(50)
    # busy: 1001 240+60+120+60, 1002 180+30; staffed: 1001 2 h less 11:45 pause,
    # 1002 9 min, 1003 10 min.
    assert team["busy_s"] == pytest.approx(690)
    assert team["staffed_s"] == pytest.approx(6495 + 540 + 600)
    assert team["paused_s"] == pytest.approx(705)
    assert team["occupancy"] == pytest.approx(690 / 7635)
    assert team["occupancy_status"] == "green"


def test_topics_municipalities_agents_departments(site: SiteConfig, store: Store) -> None:
    report = day_report(site, store)
    topics = {r["topic_id"]: r for r in rows(report, "topics")}
    assert list(topics) == [BZ, BEL]  # config order
    assert topics[BZ]["name"] == "Burgerzaken" and topics[BZ]["offered"] == 4
    assert topics[BZ]["answer_rate"] == pytest.approx(2 / 3)
    assert topics[BEL]["service_level"] == 0.0 and topics[BEL]["service_level_status"] == "red"
    towns = {r["municipality_id"]: r["offered"] for r in rows(report, "municipalities")}
    assert towns == {HLM: 4, ZVT: 1}
    agents = {r["agent_id"]: r for r in rows(report, "agents")}
    assert list(agents) == ["1001", "1002", "1003"]
    assert agents["1001"]["answered"] == 2 and agents["1001"]["recorded"] == 1
    assert agents["1001"]["occupancy"] == pytest.approx(480 / 6495)
    assert agents["1002"]["direct_handling"] == 0.0  # its one call went to Belastingen
    assert agents["1003"]["answered"] == 0 and agents["1003"]["occupancy"] == 0.0
    assert agents["1003"]["average_talk_s"] is None  # nothing to divide by
    departments = {r["department_id"]: r for r in rows(report, "departments")}
    assert departments[BEL]["transfers_in"] == 1
    assert departments[BEL]["transfer_share"] == pytest.approx(1 / 3)
    assert departments[BZ]["fell_back"] == 1
    assert departments[BZ]["fallback_share"] == pytest.approx(1 / 5)
    assert departments["vergunningen"]["transfers_in"] == 0


def test_agent_report_for_a_progress_talk(site: SiteConfig, store: Store) -> None:
    report = day_report(site, store, agent_id="1005")  # rostered, but not at work that day
    (row,) = rows(report, "agents")
    assert row["agent_id"] == "1005" and row["answered"] == 0 and row["occupancy"] is None
    with pytest.raises(ReportError, match="unknown agent '9999'; known: 1001"):
        day_report(site, store, agent_id="9999")


def test_csv_parses_back(site: SiteConfig, store: Store) -> None:
    text = render_csv(day_report(site, store))
    sections = parse_csv(text)
    assert list(sections) == [
        "team", "topics", "municipalities", "agents", "departments", "callback_notes"
    ]  # fmt: skip
    (team,) = sections["team"]
    assert team["period"] == "2026-06-15" and team["answer_rate"] == "0.7500"
    assert team["service_level_status"] == "red" and team["talk_s"] == "540.0"
    agent_1003 = next(r for r in sections["agents"] if r["agent_id"] == "1003")
    assert agent_1003["average_talk_s"] == "" and agent_1003["direct_handling_status"] == ""
    assert sections["departments"][0]["department_id"] == BZ


def test_html_is_self_contained_and_says_the_status_in_words(
    site: SiteConfig, store: Store
) -> None:
    page = render_html(day_report(site, store))
    assert page.startswith("<!DOCTYPE html>") and '<html lang="nl">' in page
    for absent in ("<script", "<link", "src=", "http://", "https://", "url("):
        assert absent not in page
    assert "75,0 %" in page and "net onder norm" in page  # answer rate, amber
    assert "50,0 %" in page and "onder norm" in page  # service level, red
    assert "Anouk de Vries" in page and "Belastingen" in page and "Zandvoort" in page
    assert "9:00" in page  # 540 s talk time


def _store_with(tmp_path: Path, calls: list[CallRecord], intervals: list[AgentInterval]) -> Store:
    store = open_store(tmp_path / "kcc.db")
    store.save_calls(calls)
    store.save_intervals(intervals)
    return store


def _gone(call_id: str, entered: datetime) -> CallRecord:
    """A caller who hung up after a minute in the queue."""
    return CallRecord(call_id=call_id, entered_at=entered, ended_at=entered + timedelta(minutes=1))


def test_day_of_the_spring_dst_change(site: SiteConfig, tmp_path: Path) -> None:
    spring = date(2026, 3, 29)  # 23 hours: 02:00 CET jumps to 03:00 CEST
    calls = [
        _gone("before", at("23:59", date(2026, 3, 28))),
        _gone("cet", at("01:30", spring)),
        _gone("cest", at("03:30", spring)),
        _gone("after", at("00:00", date(2026, 3, 30))),
    ]
    whole_day = AgentInterval(
        agent_id="1001", state=AgentState.AVAILABLE,
        start=at("22:00", date(2026, 3, 28)), end=at("02:00", date(2026, 3, 30)),
    )  # fmt: skip
    with _store_with(tmp_path, calls, [whole_day]) as store:
        text = render_report(
            store, site, kind=PeriodKind.DAY, day=spring, fmt=ReportFormat.CSV, now=NOW
        ).text
    (team,) = parse_csv(text)["team"]
    assert team["offered"] == "2" and team["abandoned"] == "2"
    assert team["staffed_s"] == f"{23 * 3600:.1f}"


def test_month_and_week_boundaries(site: SiteConfig, tmp_path: Path) -> None:
    october = [
        _gone("first", at("00:00", date(2026, 10, 1))),  # 2026-09-30 22:00 UTC
        _gone("fallback-day", at("02:30", date(2026, 10, 25))),
        _gone("last", at("23:59", date(2026, 10, 31))),  # CET again: 22:59 UTC
        _gone("september", at("23:59", date(2026, 9, 30))),
        _gone("november", at("00:00", date(2026, 11, 1))),
    ]
    with _store_with(tmp_path, october, []) as store:
        month = render_report(
            store,
            site,
            kind=PeriodKind.MONTH,
            day=date(2026, 10, 17),
            fmt=ReportFormat.CSV,
            now=NOW,
        ).text
        week = render_report(
            store, site, kind=PeriodKind.WEEK, day=date(2026, 10, 25), fmt=ReportFormat.CSV, now=NOW
        ).text
    (team,) = parse_csv(month)["team"]
    assert team["period"] == "2026-10" and team["offered"] == "3"
    (team,) = parse_csv(week)["team"]  # ISO week 43: Monday 19 to Sunday 25 October
    assert team["period"] == "2026-W43" and team["offered"] == "1"


def test_scenario_week_and_month_include_the_next_day(site: SiteConfig, store: Store) -> None:
    for kind in (PeriodKind.WEEK, PeriodKind.MONTH):
        text = render_report(store, site, kind=kind, day=DAY, fmt=ReportFormat.CSV, now=NOW).text
        (team,) = parse_csv(text)["team"]
        assert team["offered"] == "6", kind  # c1..c5 and the next day's call
    assert NEXT_DAY_CALL == "n1"
