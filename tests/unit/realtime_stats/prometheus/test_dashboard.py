"""The Grafana dashboard asks only for series the exporter really exports, and shows the
norms against their target, the queue and the agents."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from realtime_stats.prometheus.exporter import StatsExporter
from site_config import load_site_config
from tests.unit.http.demo_access import REPO, SAMPLE
from tests.unit.realtime_stats.prometheus.test_export import scenario_feed

DASHBOARD = REPO / "deploy" / "grafana" / "dashboards" / "kcc-overview.json"
SERIES = re.compile(r"\bkcc_[a-z_]+")


@pytest.fixture(scope="module")
def dashboard() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(Path(DASHBOARD).read_text(encoding="utf-8"))
    return data


def exprs(dashboard: dict[str, Any]) -> list[str]:
    return [t["expr"] for panel in dashboard["panels"] for t in panel.get("targets", [])]


def test_every_queried_series_is_exported(dashboard: dict[str, Any]) -> None:
    exporter = StatsExporter(
        load_site_config(SAMPLE), version="t", redis_configured=True, feed=scenario_feed()
    )
    body, _ = exporter.render(None)
    exported = set(SERIES.findall(body.decode()))
    queried = {name for expr in exprs(dashboard) for name in SERIES.findall(expr)}
    assert queried, "the dashboard queries nothing"
    assert queried - exported == set()


def test_the_dashboard_shows_norms_queue_and_agents(dashboard: dict[str, Any]) -> None:
    queried = " ".join(exprs(dashboard))
    for series in (
        "kcc_answer_rate",
        "kcc_service_level",
        "kcc_direct_handling",
        "kcc_norm_target",
        "kcc_callers_waiting",
        "kcc_agents",
    ):
        assert series in queried, f"no panel shows {series}"
    [norms] = [p for p in dashboard["panels"] if p["title"] == "Norms against the target"]
    assert "kcc_norm_target" in {t["expr"] for t in norms["targets"]}
    ids = [panel["id"] for panel in dashboard["panels"]]
    assert len(ids) == len(set(ids)), "panel ids must be unique"
