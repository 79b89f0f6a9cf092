"""The exporter's board collector on its own: rendered at scrape time, never at start,
absent without a feed, and a failing snapshot costs only the figures, not /metrics."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from realtime_stats.figures.records import CallRecord
from realtime_stats.prometheus.collector import BoardCollector
from realtime_stats.prometheus.exporter import StatsExporter
from realtime_stats.wallboard.feed import BoardInputs, InMemoryBoardFeed
from site_config import SiteConfig, load_site_config
from tests.unit.http.demo_access import REPO, SAMPLE
from tests.unit.realtime_stats.prometheus.test_export import NOW, at, samples, scenario_feed

TOTAL = (("name", "total"), ("scope", "total"))


@pytest.fixture(scope="module")
def site() -> SiteConfig:
    return load_site_config(SAMPLE)


def scrape(exporter: StatsExporter) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    body, content_type = exporter.render(None)
    assert content_type.startswith("text/plain")
    return samples(body.decode())


class CountingFeed:
    """A feed that counts how often its records were asked for."""

    def __init__(self, inner: InMemoryBoardFeed) -> None:
        self.inner, self.reads = inner, 0

    def inputs(self) -> BoardInputs:
        self.reads += 1
        return self.inner.inputs()

    def subscribe(self) -> AsyncIterator[None]:
        return self.inner.subscribe()


class BrokenFeed(CountingFeed):
    def inputs(self) -> BoardInputs:
        raise RuntimeError("fold lost its records")


def test_without_a_feed_there_are_no_contact_centre_series(site: SiteConfig) -> None:
    exported = scrape(StatsExporter(site, version="t", redis_configured=False))
    assert exported[("kcc_stats_up", ())] == 1
    assert not [key for key in exported if key[0] not in {"kcc_stats_up", "kcc_build_info"}]


def test_figures_are_computed_at_each_scrape_not_at_start(site: SiteConfig) -> None:
    feed = CountingFeed(scenario_feed())
    exporter = StatsExporter(site, version="t", redis_configured=False, feed=feed)
    assert feed.reads == 0  # registering describes the series without a snapshot
    assert scrape(exporter)[("kcc_callers_waiting", TOTAL)] == 1
    feed.inner.put_call(CallRecord(call_id="w2", entered_at=at("10:59")))
    after = scrape(exporter)
    assert (after[("kcc_callers_waiting", TOTAL)], after[("kcc_longest_wait_seconds", TOTAL)]) == (
        2,
        90,
    )
    assert feed.reads == 2


def test_an_empty_day_exports_zero_counts_and_no_ratios(site: SiteConfig) -> None:
    feed = InMemoryBoardFeed(clock=lambda: NOW)
    feed.put_call(
        CallRecord(  # yesterday's call only: today is empty
            call_id="y", entered_at=NOW - timedelta(days=1), ended_at=NOW - timedelta(days=1)
        )
    )
    exported = scrape(StatsExporter(site, version="t", redis_configured=False, feed=feed))
    assert exported[("kcc_calls_offered", TOTAL)] == 0
    assert exported[("kcc_callers_waiting", TOTAL)] == 0
    assert exported[("kcc_callback_notes_open", TOTAL)] == 0
    present = {series for series, labels in exported if labels == TOTAL}
    ratios = {"kcc_answer_rate", "kcc_service_level", "kcc_occupancy"}
    assert not present & (ratios | {"kcc_callback_notes_done_in_time_ratio"})
    assert {v for (series, _), v in exported.items() if series == "kcc_agents"} == {0}


def test_a_failing_snapshot_keeps_the_rest_of_metrics(
    site: SiteConfig, caplog: pytest.LogCaptureFixture
) -> None:
    exporter = StatsExporter(
        site, version="t", redis_configured=False, feed=BrokenFeed(scenario_feed())
    )
    with caplog.at_level(logging.ERROR, logger="realtime_stats.prometheus.collector"):
        exported = scrape(exporter)
    assert (exported[("kcc_stats_up", ())], exported[("kcc_board_figures_ok", ())]) == (1, 0)
    assert ("kcc_answer_rate", TOTAL) not in exported
    assert "fold lost its records" in caplog.text


def test_every_series_is_in_the_metrics_page(site: SiteConfig) -> None:
    page = (REPO / "docs" / "metrics.md").read_text(encoding="utf-8")
    names = {family.name for family in BoardCollector(site, scenario_feed()).describe()}
    assert "kcc_callback_notes_done_in_time_ratio" in names
    assert {name for name in names if f"`{name}`" not in page} == set()
