"""bench/bench_load.py's pure parts: the load's site, when a step held, the capacity."""

from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

from site_config import load_site_config
from site_config.passwords import sip_md5, verify_password, verify_token

ROOT = Path(__file__).resolve().parents[3]
BENCH_DIR = ROOT / "bench"


@pytest.fixture
def figures(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    monkeypatch.syspath_prepend(str(BENCH_DIR))
    return importlib.import_module("load_figures")


@pytest.fixture
def load_site(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    monkeypatch.syspath_prepend(str(BENCH_DIR))
    return importlib.import_module("load_site")


def step(figures: ModuleType, rate: float, **changes: Any) -> Any:
    values: dict[str, Any] = {
        "variant": figures.OURS, "rate_per_s": rate, "placed": 100, "answered": 100,
        "failed": 0, "peak_concurrent": int(rate * 15), "first_message_s": 20.1,
        "wallboard_p95_ms": 90.0, "asterisk_cpu_ms_per_call": 40.0,
        "controller_cpu_ms_per_call": 12.0, "controller_rss_mb": 120.0, **changes,
    }  # fmt: skip
    return figures.StepRun(**values)


def test_a_step_holds_only_when_every_condition_does(figures: ModuleType) -> None:
    checks = {"probe": True, "wallboard": True}
    assert step(figures, 10).shortfalls(**checks) == []
    assert step(figures, 10, failed=2).shortfalls(**checks) == ["2 failed calls"]
    assert step(figures, 10, answered=97).shortfalls(**checks) == ["3 of 100 calls not answered"]
    late = step(figures, 10, first_message_s=20.6)
    assert late.shortfalls(**checks) == ["the first waiting message came at 20.60 s"]
    assert step(figures, 10, first_message_s=19.5).held(**checks)  # 0.5 s early is in
    assert not step(figures, 10, first_message_s=None).held(**checks)
    assert step(figures, 10, wallboard_p95_ms=250.0).shortfalls(**checks) == [
        "wallboard p95 250 ms"
    ]
    # The baseline has no probe and no events: those conditions are not asked of it.
    bare = step(figures, 10, first_message_s=None, wallboard_p95_ms=None)
    assert bare.held(probe=False, wallboard=False)


def test_the_capacity_is_the_last_step_held_before_the_first_that_was_not(
    figures: ModuleType,
) -> None:
    checks = {"probe": False, "wallboard": False}
    runs = [step(figures, 5), step(figures, 15, failed=1), step(figures, 10), step(figures, 20)]
    best = figures.capacity(runs, **checks)
    assert best.rate_per_s == 10  # 20 held too, but only after 15 gave way
    assert figures.capacity([step(figures, 5, answered=0)], **checks) is None


def test_the_results_compare_the_controller_with_app_queue(figures: ModuleType) -> None:
    ours = step(figures, 20)
    base = step(figures, 25, variant=figures.BASELINE, controller_cpu_ms_per_call=None)
    rows = figures.result_rows(ours, base)
    assert rows["load_cps"] == {
        "value": 20.0, "unit": "new calls a second held",
        "baseline": figures.BASELINE, "baseline_value": 25.0,
    }  # fmt: skip
    assert rows["load_concurrent_calls"]["value"] == 300.0
    assert rows["load_concurrent_calls"]["baseline_value"] == 375.0
    assert figures.result_rows(None, base)["load_cps"]["value"] is None


def test_the_load_site_has_fresh_secrets_and_a_probe_topic_no_load_agent_serves(
    load_site: ModuleType, tmp_path: Path
) -> None:
    services = {"sip_port": 5190, "ami_port": 5168, "agi_port": 4703, "http_port": 8153,
                "control_port": 8154, "redis_url": "redis://127.0.0.1:6493/0"}  # fmt: skip
    written = load_site.write_load_site(ROOT / "config" / "site.yaml", tmp_path, services, agents=3)
    site = load_site_config(written.path)  # the site config's own checks pass
    assert [p.extension for p in site.positions] == ["4001", "4002", "4003", "4004"]
    probe = written.probe_seat
    assert site.agents[-1].topics == (load_site.PROBE_TOPIC,) == probe.topics
    assert all(load_site.PROBE_TOPIC not in a.topics for a in site.agents[:-1])
    for seat, position in zip(written.seats, site.positions, strict=True):
        assert position.sip_md5 == sip_md5(seat.extension, site.sip_realm, seat.password)
    assert len({s.password for s in written.seats}) == 4  # one each, made for the run
    floor, metrics = site.access.users
    assert verify_password(written.floor_login[1], floor.password_hash)
    assert (metrics.name, metrics.role.value) == (written.metrics_login[0], "metrics")
    assert verify_password(written.metrics_login[1], metrics.password_hash)
    assert verify_token(written.display_token, site.access.display_tokens[0].token_sha256)
    assert site.norms.after_call_work_s == 0
    data = yaml.safe_load(written.path.read_text())
    assert "demo" not in yaml.safe_dump(data["access"])


def test_a_load_needs_an_agent(load_site: ModuleType) -> None:
    with pytest.raises(ValueError, match="at least one agent"):
        load_site.make_seats(0)
