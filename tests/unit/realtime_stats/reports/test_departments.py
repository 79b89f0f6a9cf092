"""The back-office table of the day report, worked out by hand for a small scenario.

Monday 2026-06-15 (Amsterdam). The figures below are counted by hand from the records,
not with the code under test; the norm is 3 rings x 5 s = 15 s, "within" inclusive.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from contract.vocabulary import RingFailure, RingKind
from realtime_stats.figures.backoffice_records import BackOfficeRing
from realtime_stats.figures.norms import metric_rules
from realtime_stats.figures.records import CallRecord
from realtime_stats.reports.build import PeriodKind, Report, ReportRequest, build_report
from realtime_stats.reports.render import render_csv, render_html
from realtime_stats.reports.service import ReportFormat, render_report
from realtime_stats.store import open_store
from site_config import SiteConfig
from tests.unit.realtime_stats.reports.test_scenario import AMS, DAY, NOW, at, parse_csv

BEL = "belastingen"


def direct(call_id: str, clock: str, day: date = DAY, **outcome: Any) -> BackOfficeRing:
    return BackOfficeRing(
        call_id=call_id,
        ring="1",
        kind=outcome.pop("kind", RingKind.DIRECT),
        department_id=outcome.pop("department", BEL),
        extension=outcome.pop("extension", "311"),
        rang_at=at(clock, day),
        **outcome,
    )


def consult(call_id: str, clock: str, **outcome: Any) -> BackOfficeRing:
    return BackOfficeRing(
        call_id=call_id,
        ring="1",
        kind=RingKind.CONSULT,
        department_id=BEL,
        extension="311",
        rang_at=at(clock),
        **outcome,
    )


def after(clock: str, seconds: float, day: date = DAY) -> datetime:
    return at(clock, day) + timedelta(seconds=seconds)


NEXT_DAY = DAY + timedelta(days=1)


RINGS = (
    direct("d1", "10:00", answered_at=after("10:00", 8)),  # within 15 s
    direct("d2", "10:05", answered_at=after("10:05", 18)),  # answered, not within
    direct(
        "d3",
        "10:10",
        not_answered_at=after("10:10", 15),
        not_answered_reason=RingFailure.NO_ANSWER,
    ),  # fell back to the TIC
    direct(
        "d4",
        "10:20",
        not_answered_at=after("10:20", 6),
        not_answered_reason=RingFailure.CALLER_LEFT,
    ),
    direct("d5", "10:30"),  # still ringing: no outcome, in no count
    consult("c1", "11:00", answered_at=after("11:00", 4)),
    consult(
        "c2",
        "11:10",
        not_answered_at=after("11:10", 10),
        not_answered_reason=RingFailure.CANCELLED,
    ),
    # Camp-ons: rung once the colleague's line was free; one connected, one not answered.
    # In neither the direct calls nor the consults.
    direct("k1", "11:20", kind=RingKind.CAMP_ON, answered_at=after("11:20", 3)),
    direct(
        "k2",
        "11:30",
        kind=RingKind.CAMP_ON,
        not_answered_at=after("11:30", 15),
        not_answered_reason=RingFailure.NO_ANSWER,
    ),
    # A department the config no longer has, answered at exactly 15 s (within).
    direct("p1", "12:00", department="parkeren", extension="399", answered_at=after("12:00", 15)),
    # The next day: in the week, not in the day.
    direct("n1", "10:00", NEXT_DAY, answered_at=after("10:00", 2, NEXT_DAY)),
)


def _tic_call(call_id: str, clock: str, **extra: Any) -> CallRecord:
    entered = at(clock)
    return CallRecord(
        call_id=call_id,
        entered_at=entered,
        answered_at=entered + timedelta(seconds=20),
        ended_at=entered + timedelta(seconds=200),
        agent_id="1001",
        talk_seconds=180,
        **extra,
    )


CALLS = (
    _tic_call("c1", "10:59", transferred=True, transfer_department=BEL),  # after consult c1
    _tic_call("c2", "11:09"),  # its consult was cancelled: the agent took the caller back
    _tic_call("d3", "10:10:15", fell_back_from_department=BEL),  # d3's fallback
)


def day_report(site: SiteConfig) -> Report:
    request = ReportRequest(kind=PeriodKind.DAY, day=DAY, zone=AMS, now=NOW)
    return build_report(site, metric_rules(site.norms), request, CALLS, (), RINGS)


def departments(report: Report) -> dict[str, dict[str, Any]]:
    table = report.table("departments")
    keys = [c.key for c in table.columns]
    return {str(row[0]): dict(zip(keys, row, strict=True)) for row in table.rows}


def test_the_department_figures_by_hand(site: SiteConfig) -> None:
    rows = departments(day_report(site))
    # Direct to Belastingen, with an outcome: d1, d2, d3, d4 = 4 (d5 still rings).
    # Answered: d1 (8 s), d2 (18 s) = 2; within 15 s: d1 = 1; 1/4 = 0.25, red (< 0.75).
    # Caller left: d4 = 1. Fell back: d3 = 1, 1/4 = 0.25.
    # Consults: c1 (answered at 4 s), c2 (cancelled) = 2; answered 1, within 1; mean 4 s.
    # Camp-on rings: k1 (connected), k2 (not answered) = 2; connected 1.
    # TIC calls: c1, c2, d3 offered and completed = 3; c1 transferred to it: 1/3;
    # d3 fell back from it: 1/3 of the TIC's offered.
    assert rows[BEL] == {
        "department_id": BEL,
        "name": "Belastingen",
        "direct_offered": 4,
        "direct_answered": 2,
        "direct_answered_within_rings": 1,
        "reachability": 0.25,
        "reachability_status": "red",
        "direct_caller_left": 1,
        "direct_fell_back": 1,
        "direct_fallback_share": 0.25,
        "consults": 2,
        "consults_answered": 1,
        "consults_answered_within_rings": 1,
        "average_consult_answer_s": 4.0,
        "camp_on_rings": 2,
        "camp_on_connected": 1,
        "transfers_in": 1,
        "transfer_share": pytest.approx(1 / 3),
        "fell_back": 1,
        "fallback_share": pytest.approx(1 / 3),
    }


def test_quiet_and_unknown_departments(site: SiteConfig) -> None:
    rows = departments(day_report(site))
    # config order, then the department only the records know
    assert list(rows) == ["burgerzaken", BEL, "vergunningen", "parkeren"]
    quiet = rows["vergunningen"]
    assert quiet["direct_offered"] == 0 and quiet["consults"] == 0 and quiet["transfers_in"] == 0
    assert quiet["reachability"] is None and quiet["reachability_status"] is None
    assert quiet["direct_fallback_share"] is None and quiet["average_consult_answer_s"] is None
    assert quiet["transfer_share"] == 0.0  # 0 of the TIC's 3 completed calls
    # parkeren: one direct call answered at exactly 15 s, within: 1/1 = 1.0, green
    assert rows["parkeren"]["name"] == "onbekend"
    assert rows["parkeren"]["direct_answered_within_rings"] == 1
    assert rows["parkeren"]["reachability"] == 1.0
    assert rows["parkeren"]["reachability_status"] == "green"


def test_the_norm_follows_the_site(site: SiteConfig) -> None:
    norms = site.norms.model_copy(update={"back_office_answer_within_rings": 4})
    four_rings = site.model_copy(update={"norms": norms})
    report = day_report(four_rings)
    # 4 rings x 5 s = 20 s: d2 (18 s) is now within too: 2 of 4.
    assert departments(report)[BEL]["direct_answered_within_rings"] == 2
    assert departments(report)[BEL]["reachability"] == 0.5
    labels = [c.label for c in report.table("departments").columns]
    assert "Rechtstreeks binnen 4 keer overgaan" in labels


def test_csv_and_html_carry_the_new_columns(site: SiteConfig) -> None:
    report = day_report(site)
    belastingen = next(
        r for r in parse_csv(render_csv(report))["departments"] if r["name"] == "Belastingen"
    )
    assert belastingen["reachability"] == "0.2500" and belastingen["reachability_status"] == "red"
    assert belastingen["average_consult_answer_s"] == "4.0"
    assert belastingen["transfer_share"] == "0.3333" and belastingen["direct_offered"] == "4"
    page = render_html(report)
    assert "Bereikbaarheid (binnen 3 keer overgaan) %" in page
    assert "25,0 %" in page and "0:04" in page


def test_the_report_reads_the_rings_from_the_store(site: SiteConfig, tmp_path: Path) -> None:
    with open_store(tmp_path / "kcc.db") as store:
        store.save_calls(CALLS)
        store.save_rings(RINGS)
        day, week = (
            parse_csv(
                render_report(store, site, kind=kind, day=DAY, fmt=ReportFormat.CSV, now=NOW).text
            )["departments"]
            for kind in (PeriodKind.DAY, PeriodKind.WEEK)
        )
    by_id = {r["department_id"]: r for r in day}
    assert by_id[BEL]["direct_offered"] == "4" and by_id[BEL]["consults"] == "2"
    # The week also holds n1, the next day's direct call answered at 2 s:
    # offered 4 + 1 = 5, within 1 + 1 = 2, 2/5 = 0.4.
    in_week = {r["department_id"]: r for r in week}[BEL]
    assert (in_week["direct_offered"], in_week["reachability"]) == ("5", "0.4000")
