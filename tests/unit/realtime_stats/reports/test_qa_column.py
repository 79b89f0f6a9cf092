"""The agents' QA score in the report (the progress talk): the mean of the current
evaluations of each agent's recorded calls in the period and their count, read from the
recordings folder; "-" without coaching data or with a file that cannot be read, and
the report whole either way. The stats service and ``kcc report`` find the folder in
the site's ``recording.directory`` unless told otherwise."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from kcc.cli import CommandRegistry, main
from kcc.commands import report, stats
from realtime_stats.app import create_app
from realtime_stats.reports.build import PeriodKind
from realtime_stats.reports.service import ReportFormat, ReportService, render_report
from realtime_stats.store import Store
from recordings.catalog import Catalog
from recordings.catalog_rows import RecordingRow, SignalsRow
from recordings.coaching import COACHING_FILE, CoachingStore
from recordings.coaching_rows import Evaluation
from site_config import SiteConfig
from tests.unit.http.demo_access import basic, cheaply_hashed
from tests.unit.realtime_stats.reports.test_scenario import SAMPLE, parse_csv, stored

JUNE = date(2026, 6, 1)
T0 = datetime(2026, 6, 15, 9, 0, tzinfo=UTC)


def recording(id_: str, agent_id: str | None) -> RecordingRow:
    return RecordingRow(
        id=id_, call_id=f"c-{id_}", agent_id=agent_id, extension="201", position_id="tic1",
        topic=None, municipality=None, started_at=T0, duration_s=60.0, size=10,
        sha256="b" * 64, key_id="k1", file=f"{id_}.kccrec", category="standard",
    )  # fmt: skip


def evaluation(id_: str, recording_id: str, score: float, **changes: Any) -> Evaluation:
    values: dict[str, Any] = {
        "id": id_, "recording_id": recording_id, "form_id": "gesprek", "evaluator": "teamlead",
        "submitted_at": T0, "answers": {"vraag": 80}, "score": score, **changes,
    }  # fmt: skip
    return Evaluation(**values)


@pytest.fixture
def coached(tmp_path: Path) -> Path:
    """A recordings folder: 1001 graded twice in June (one corrected), 1002 in July."""
    folder = tmp_path / "recordings"
    with Catalog.open(folder, lambda: T0) as catalog:
        for row in (recording("r1", "1001"), recording("r2", "1001"), recording("r3", "1002")):
            catalog.add(row, [])
    with CoachingStore.open(folder) as store:
        store.add_evaluation(evaluation("e1", "r1", 40.0))
        store.add_evaluation(evaluation("e2", "r1", 90.0, corrects="e1"))
        store.add_evaluation(evaluation("e3", "r2", 75.5, evaluator="admin"))
        store.add_evaluation(evaluation("e4", "r3", 50.0, submitted_at=T0 + timedelta(days=30)))
    return folder


def month(store: Store, site: SiteConfig, fmt: ReportFormat, folder: Path | None, **kw: Any) -> str:
    rendered = render_report(store, site, kind=PeriodKind.MONTH, day=JUNE, fmt=fmt,
                             recordings_dir=folder, **kw)  # fmt: skip
    return rendered.text


def qa(text: str) -> dict[str, tuple[str, str]]:
    return {a["agent_id"]: (a["qa_score"], a["qa_evaluations"])
            for a in parse_csv(text)["agents"]}  # fmt: skip


def test_each_agent_has_the_mean_and_count_of_their_current_evaluations(
    store: Store, site: SiteConfig, coached: Path
) -> None:
    text = month(store, site, ReportFormat.CSV, coached)
    scores = qa(text)
    assert scores["1001"] == ("82.8", "2")  # (90 + 75.5) / 2; e1 was corrected by e2
    assert scores["1002"] == ("", "0")  # graded in July
    assert scores["1003"] == ("", "0")
    header = text.split("# agents\n", 1)[1].splitlines()[0].split(",")
    assert header[-6:] == [
        "qa_score", "qa_evaluations", "talk_share", "longest_silence_s", "overtalk_s", "hold_s",
    ]  # fmt: skip


def test_the_html_page_shows_the_score_with_a_decimal_comma(
    store: Store, site: SiteConfig, coached: Path
) -> None:
    page = month(store, site, ReportFormat.HTML, coached, agent_id="1001")
    assert "<th>QA-score</th><th>QA-beoordelingen</th>" in page
    assert '<td class="n">82,8</td><td class="n">2</td>' in page


def test_a_progress_talk_for_an_agent_who_did_not_work_still_shows_their_score(
    store: Store, site: SiteConfig, coached: Path
) -> None:
    # The store's records end in June, so the agent has no figures in July; their
    # evaluation submitted in July counts there, and June's of 1001 does not.
    rendered = render_report(store, site, kind=PeriodKind.MONTH, day=date(2026, 7, 1),
                             fmt=ReportFormat.CSV, agent_id="1002",
                             recordings_dir=coached)  # fmt: skip
    [row] = parse_csv(rendered.text)["agents"]
    assert (row["answered"], row["qa_score"], row["qa_evaluations"]) == ("0", "50.0", "1")


@pytest.mark.parametrize("folder", ["none", "empty", "catalogue only"])
def test_without_coaching_data_the_column_is_a_dash_and_nothing_is_made(
    store: Store, site: SiteConfig, tmp_path: Path, folder: str
) -> None:
    where: Path | None = None
    if folder != "none":
        where = tmp_path / "recordings"
        where.mkdir()
        if folder == "catalogue only":
            Catalog.open(where, lambda: T0).close()
    assert set(qa(month(store, site, ReportFormat.CSV, where)).values()) == {("", "")}
    page = month(store, site, ReportFormat.HTML, where, agent_id="1001")
    assert "<td>&ndash;</td><td>&ndash;</td></tr>" in page
    if where is not None:
        assert not (where / COACHING_FILE).exists()


def test_an_unreadable_coaching_file_is_logged_and_the_report_stays_whole(
    store: Store, site: SiteConfig, coached: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (coached / COACHING_FILE).write_bytes(b"garbage" * 500)
    for name in (f"{COACHING_FILE}-wal", f"{COACHING_FILE}-shm"):
        (coached / name).unlink(missing_ok=True)
    with caplog.at_level(logging.WARNING):
        text = month(store, site, ReportFormat.CSV, coached)
    assert set(qa(text).values()) == {("", "")}
    assert parse_csv(text)["team"][0]["offered"] == "6"
    assert "report without QA scores: QA scores in" in caplog.text


# ------------------------------------------------------------ where the folder is


async def test_the_stats_service_reads_the_folder_it_is_given(
    tmp_path: Path, coached: Path, site: SiteConfig
) -> None:
    stored(tmp_path / "routes.db").close()
    app = create_app(cheaply_hashed(site), redis_url="redis://127.0.0.1:9/0",
                     database=f"sqlite:///{tmp_path / 'routes.db'}",
                     recordings_dir=coached)  # fmt: skip
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://stats") as client:
        sheet = await client.get("/api/reports/month?date=2026-06-01&format=csv",
                                 headers=basic("teamlead"))  # fmt: skip
    assert sheet.status_code == 200, sheet.text
    assert qa(sheet.text)["1001"] == ("82.8", "2")
    reports: ReportService = app.state.reports
    reports._store.close()  # type: ignore[union-attr]


def test_the_stats_service_defaults_to_the_sites_recording_directory(site: SiteConfig) -> None:
    app = create_app(site)
    reports: ReportService = app.state.reports
    assert reports._recordings_dir == site.recording.directory == Path("/var/lib/kcc/recordings")


def test_stats_serve_passes_recordings_dir_on(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    seen: dict[str, Any] = {}

    class Server:
        def run(self) -> None:
            pass

    def build(*args: Any, **kwargs: Any) -> Server:
        seen.update(args=args, kwargs=kwargs)
        return Server()

    monkeypatch.setattr(stats, "build_server", build)
    registry = CommandRegistry([stats.command()])
    argv = ["stats-serve", "--site", str(SAMPLE), "--recordings-dir", str(tmp_path)]
    assert main(argv, registry=registry) == 0
    assert seen["kwargs"] == {"recordings_dir": tmp_path}
    assert main(["stats-serve", "--site", str(SAMPLE)], registry=registry) == 0
    assert seen["kwargs"] == {"recordings_dir": None}


def test_kcc_report_reads_the_folder_it_is_given(
    tmp_path: Path, coached: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stored(tmp_path / "cli.db").close()
    registry = CommandRegistry([report.command()])
    argv = ["report", "--site", str(SAMPLE), "--database", str(tmp_path / "cli.db"), "month",
            "--date", "2026-06-01", "--recordings-dir", str(coached)]  # fmt: skip
    assert main(argv, registry=registry) == 0
    assert qa(capsys.readouterr().out)["1001"] == ("82.8", "2")


def test_each_agent_has_their_recordings_coaching_signals_averaged(
    store: Store, site: SiteConfig, tmp_path: Path
) -> None:
    folder = tmp_path / "signals"
    late = recording("r9", "1001")
    with Catalog.open(folder, lambda: T0) as catalog:
        for row, share, silence, overtalk in (
            (recording("r1", "1001"), 0.6, 4.0, 1.0),
            (recording("r2", "1001"), 0.4, 2.0, 0.0),
            (recording("r3", None), 0.9, 9.0, 9.0),  # a colleague's phone: nobody's
            (replace(late, started_at=T0 + timedelta(days=30)), 0.1, 30.0, 30.0),  # July
        ):
            signals = SignalsRow(
                agent_talk_s=10.0, caller_talk_s=10.0, agent_talk_share=share,
                longest_silence_s=silence, overtalk_count=1, overtalk_s=overtalk,
                hold_s=2 * overtalk,
            )  # fmt: skip
            catalog.add(row, [], signals=signals)
    rows = {
        a["agent_id"]: a for a in parse_csv(month(store, site, ReportFormat.CSV, folder))["agents"]
    }
    first = rows["1001"]
    assert (first["talk_share"], first["longest_silence_s"], first["overtalk_s"],
            first["hold_s"]) == ("0.5000", "3.0", "0.5", "1.0")  # fmt: skip
    assert rows["1002"]["talk_share"] == ""  # no recordings: "-"
    without = parse_csv(month(store, site, ReportFormat.CSV, tmp_path / "none"))["agents"]
    assert all(a["talk_share"] == "" for a in without)
