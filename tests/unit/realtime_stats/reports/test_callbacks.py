"""The report's callback-note table, worked out by hand for the scenario of
tests/unit/realtime_stats/figures/test_callback_metrics.py, reported on Saturday
2026-06-20 at noon: Monday (a day) and June (a month)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from realtime_stats.figures.norms import metric_rules
from realtime_stats.reports.build import PeriodKind, Report, ReportRequest, build_report
from realtime_stats.reports.render import render_csv, render_html
from realtime_stats.reports.service import ReportFormat, render_report
from realtime_stats.store import open_store
from site_config import SiteConfig
from tests.unit.realtime_stats.figures.test_callback_metrics import MONDAY, NOTES, at, note
from tests.unit.realtime_stats.reports.test_scenario import AMS, NOW, parse_csv

BZ, BEL = "burgerzaken", "belastingen"


def report(site: SiteConfig, kind: PeriodKind, *notes: Any) -> Report:
    request = ReportRequest(kind=kind, day=MONDAY, zone=AMS, now=NOW)
    return build_report(site, metric_rules(site.norms), request, (), (), (), notes or NOTES)


def table(built: Report) -> dict[str, dict[str, Any]]:
    found = built.table("callback_notes")
    keys = [c.key for c in found.columns]
    return {str(row[0]): dict(zip(keys, row, strict=True)) for row in found.rows}


def counts(row: dict[str, Any]) -> tuple[Any, ...]:
    names = ("made", "done", "called_back", "not_reached", "otherwise", "due", "done_in_time")
    return tuple(row[n] for n in (*names, "late", "open", "overdue"))


def test_monday_by_hand(site: SiteConfig) -> None:
    rows = table(report(site, PeriodKind.DAY))
    assert list(rows) == [BZ, BEL, "vergunningen", "total"]  # config order, then the total
    # Belastingen: made n4, n5; done n1 (called back), n2 (not reached), n5 (otherwise);
    # due n1 (in time), n3 and n6 (late: by Saturday both are past due and open); open at
    # Monday's end n3, n4, n6, n7, of which n3, n6, n7 past their due.
    assert counts(rows[BEL]) == (2, 3, 1, 1, 1, 3, 1, 2, 4, 3)
    assert rows[BEL]["done_in_time_share"] == pytest.approx(1 / 3)
    assert rows[BEL]["done_in_time_status"] == "red"
    # Burgerzaken: n8 made, n9 done in time at its due moment; n8 late, open and overdue.
    assert counts(rows[BZ]) == (1, 1, 1, 0, 0, 2, 1, 1, 1, 1)
    assert (rows[BZ]["done_in_time_share"], rows[BZ]["done_in_time_status"]) == (0.5, "red")
    quiet = rows["vergunningen"]
    assert counts(quiet) == (0,) * 10 and quiet["done_in_time_share"] is None
    assert quiet["done_in_time_status"] is None and quiet["name"] == "Vergunningen en handhaving"
    whole = rows["total"]
    assert whole["name"] == "Totaal" and counts(whole) == (3, 4, 2, 1, 1, 5, 2, 3, 5, 4)
    assert whole["done_in_time_share"] == pytest.approx(2 / 5)


def test_june_by_hand(site: SiteConfig) -> None:
    rows = table(report(site, PeriodKind.MONTH))
    # Every note was made and is due in June. In time: n1, n5 (done Monday, due Tuesday)
    # and n9; late: n2, n3, n4, n6, n7 and n8. The month is not over on the 20th, so the
    # stock is counted then: n3, n4, n6, n7 and n8 open, all past their due.
    assert counts(rows[BEL]) == (7, 3, 1, 1, 1, 7, 2, 5, 4, 4)
    assert rows[BEL]["done_in_time_share"] == pytest.approx(2 / 7)
    assert counts(rows[BZ]) == (2, 1, 1, 0, 0, 2, 1, 1, 1, 1)
    assert counts(rows["total"]) == (9, 4, 2, 1, 1, 9, 3, 6, 5, 5)
    assert rows["total"]["done_in_time_share"] == pytest.approx(1 / 3)


def test_a_department_the_config_does_not_know_gets_a_row_before_the_total(
    site: SiteConfig,
) -> None:
    parking = note("p1", at(15, "09:00"), at(15, "12:00"), department="parkeren")
    rows = table(report(site, PeriodKind.DAY, *NOTES, parking))
    assert list(rows) == [BZ, BEL, "vergunningen", "parkeren", "total"]
    assert rows["parkeren"]["name"] == "onbekend"
    assert counts(rows["parkeren"]) == (1, 0, 0, 0, 0, 1, 0, 1, 1, 1)
    assert rows["total"]["made"] == 4 and rows["total"]["overdue"] == 5


def test_csv_and_html_carry_the_table(site: SiteConfig) -> None:
    built = report(site, PeriodKind.DAY)
    section = parse_csv(render_csv(built))["callback_notes"]
    by_id = {r["department_id"]: r for r in section}
    assert list(by_id) == [BZ, BEL, "vergunningen", "total"]
    assert by_id[BEL]["done_in_time_share"] == "0.3333" and by_id[BEL]["late"] == "2"
    assert by_id[BEL]["done_in_time_status"] == "red" and by_id[BEL]["overdue"] == "3"
    assert by_id["vergunningen"]["done_in_time_share"] == ""  # nothing to judge
    assert by_id["total"]["done_in_time_share"] == "0.4000"
    page = render_html(built)
    assert "Terugbelnotities per afdeling" in page and "Op tijd %" in page
    assert "33,3 %" in page and "Totaal" in page


def test_the_report_reads_the_notes_from_the_store(site: SiteConfig, tmp_path: Path) -> None:
    far_back = note("old", at(1, "09:00"), at(2, "17:00"))  # open since June 2: overdue
    with open_store(tmp_path / "kcc.db") as store:
        store.save_notes([*NOTES, far_back])
        day, month = (
            parse_csv(
                render_report(
                    store, site, kind=kind, day=date(2026, 6, 15), fmt=ReportFormat.CSV, now=NOW
                ).text
            )["callback_notes"]
            for kind in (PeriodKind.DAY, PeriodKind.MONTH)
        )
    # Monday as above, plus the old note open and overdue at Monday's end.
    bel_day = {r["department_id"]: r for r in day}[BEL]
    assert (bel_day["made"], bel_day["open"], bel_day["overdue"]) == ("2", "5", "4")
    # June: the old one is made, due and late in June too.
    bel_month = {r["department_id"]: r for r in month}[BEL]
    assert (bel_month["made"], bel_month["due"], bel_month["late"]) == ("8", "8", "6")
