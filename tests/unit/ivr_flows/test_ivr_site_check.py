"""`kcc check-config` validates the site's IVR flow against the site's topics; the site's
opening hours are handed to the IVR engine per municipality."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from ivr_flows.hours import AMSTERDAM
from ivr_flows.site_check import site_opening_hours
from kcc.cli import main
from site_config import load_site_config

REPO = Path(__file__).resolve().parents[3]


def _site_with_flow(tmp_path: Path, flow_text: str) -> Path:
    flow = tmp_path / "flow.yaml"
    flow.write_text(flow_text, encoding="utf-8")
    site = (REPO / "config" / "site.yaml").read_text(encoding="utf-8")
    path = tmp_path / "site.yaml"
    path.write_text(site.replace("../ivr_flows/flows/14023.yaml", str(flow)), encoding="utf-8")
    return path


def test_sample_site_and_flow_pass(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check-config", str(REPO / "config" / "site.yaml")]) == 0
    assert capsys.readouterr().out.startswith("ok: ")


def test_menu_with_six_options_is_rejected_naming_file_node_and_limit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sample = (REPO / "ivr_flows" / "flows" / "14023.yaml").read_text(encoding="utf-8")
    fifth = '      "5": { text: "bouwen, verbouwen en wonen", goto: queue-bouwen-en-wonen }\n'
    assert fifth in sample
    six = sample.replace(
        fifth, fifth + '      "6": { text: "iets anders", goto: queue-algemeen }\n', 1
    )
    site = _site_with_flow(tmp_path, six)
    assert main(["check-config", str(site)]) == 1
    err = capsys.readouterr().err.strip()
    assert err == (
        f"{tmp_path / 'flow.yaml'}: nodes.topics-haarlem: menu 'topics-haarlem' has 6 options; "
        "allowed: at most 5"
    )


def test_flow_topic_unknown_to_the_site_is_rejected(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sample = (REPO / "ivr_flows" / "flows" / "14023.yaml").read_text(encoding="utf-8")
    broken = sample.replace("topic: belastingen", "topic: hondenbelasting", 1)
    assert main(["check-config", str(_site_with_flow(tmp_path, broken))]) == 1
    assert "unknown topic 'hondenbelasting'" in capsys.readouterr().err


def test_site_opening_hours_carry_each_municipalitys_hours_and_closed_days() -> None:
    site = load_site_config(REPO / "config" / "site.yaml")
    hours = site_opening_hours(site)
    assert sorted(hours) == ["haarlem", "zandvoort"]
    thursday_evening = datetime(2026, 5, 7, 18, 30, tzinfo=AMSTERDAM)  # Haarlem: 8-20
    assert hours["haarlem"].is_open(thursday_evening)
    assert not hours["zandvoort"].is_open(thursday_evening)
    assert hours["haarlem"].weekly is site.municipalities[0].opening_hours
    assert date(2027, 4, 27) in hours["zandvoort"].extra_closed_days
