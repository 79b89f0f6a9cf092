"""The reports count calls whose end never came (a controller restart) apart, per team,
topic, municipality and agent, in the built tables, the CSV and the HTML alike.

One morning (Monday 2026-06-15): c1 answered by 1001 and done; u1 waiting at the
restart, never answered (not offered, docs/metrics.md); u2 answered by 1002, talking at
the restart (answered, never completed).
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta

from realtime_stats.figures.norms import metric_rules
from realtime_stats.figures.records import CallRecord
from realtime_stats.reports.build import PeriodKind, Report, ReportRequest, build_report
from realtime_stats.reports.render import render_csv, render_html
from site_config import SiteConfig
from tests.unit.realtime_stats.records_by_hand import AMS, DAY, answered, at
from tests.unit.realtime_stats.reports.test_scenario import BEL, BZ, HLM, NOW, ZVT, parse_csv, rows

RESTART = at("09:40")
CALLS = (
    answered("c1", "09:00", 10, 240, 60, "1001", topic_id=BZ, municipality_id=HLM),
    CallRecord(
        call_id="u1", entered_at=at("09:30"), topic_id=BZ, municipality_id=HLM,
        ended_at=RESTART, end_unknown=True,
    ),
    CallRecord(
        call_id="u2", entered_at=at("09:20"), topic_id=BEL, municipality_id=ZVT,
        answered_at=at("09:20") + timedelta(seconds=12), agent_id="1002",
        ended_at=RESTART, end_unknown=True,
    ),
)  # fmt: skip


def report(site: SiteConfig, calls: tuple[CallRecord, ...] = CALLS) -> Report:
    wanted = ReportRequest(kind=PeriodKind.DAY, day=DAY, zone=AMS, now=NOW)
    return build_report(site, metric_rules(site.norms), wanted, calls, ())


def test_the_team_row_counts_the_unknown_ends_apart(site: SiteConfig) -> None:
    (team,) = rows(report(site), "team")
    assert team["unknown_end"] == 2
    # u1 is in no other count; u2 is answered (its wait counts) but never completed.
    assert (team["offered"], team["answered"], team["abandoned"]) == (2, 2, 0)
    assert team["completed"] == 1


def test_topics_municipalities_and_agents_count_their_own(site: SiteConfig) -> None:
    built = report(site)
    topics = {r["topic_id"]: r["unknown_end"] for r in rows(built, "topics")}
    assert (topics[BZ], topics[BEL]) == (1, 1)
    towns = {r["municipality_id"]: r["unknown_end"] for r in rows(built, "municipalities")}
    assert towns == {HLM: 1, ZVT: 1}
    agents = {r["agent_id"]: r for r in rows(built, "agents")}
    assert (agents["1001"]["unknown_end"], agents["1002"]["unknown_end"]) == (0, 1)
    assert (agents["1002"]["answered"], agents["1002"]["completed"]) == (1, 0)
    assert all(a["unknown_end"] == 0 for k, a in agents.items() if k not in ("1001", "1002"))


def test_a_day_without_a_restart_counts_zero(site: SiteConfig) -> None:
    (team,) = rows(report(site, (CALLS[0], replace(CALLS[1], end_unknown=False))), "team")
    assert team["unknown_end"] == 0 and team["abandoned"] == 1


def test_csv_and_html_carry_the_column(site: SiteConfig) -> None:
    built = report(site)
    sections = parse_csv(render_csv(built))
    assert sections["team"][0]["unknown_end"] == "2"
    assert {r["agent_id"]: r["unknown_end"] for r in sections["agents"]}["1002"] == "1"
    page = render_html(built)
    team_table = page.split("<h2>TIC totaal</h2>")[1].split("</table>")[0]
    heads = re.findall(r"<th>(.*?)</th>", team_table)
    cells = re.findall(r"<td[^>]*>(.*?)</td>", team_table)
    assert cells[heads.index("Einde onbekend")] == "2"
