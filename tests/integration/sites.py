"""The test site: the sample site with the integration tests' own ports."""

from __future__ import annotations

from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "config" / "site.yaml"

# Test ports differ from the demo's, so tests can run while `make up` is running.
TEST_SERVICES = {
    "sip_port": 5160,
    "ami_port": 5138,
    "agi_port": 4673,
    "http_port": 8123,
    "control_port": 8124,
    "rtp_port_start": 21000,
    "rtp_port_end": 21999,
    "redis_url": "redis://127.0.0.1:6490/0",
}


def write_site(
    tmp: Path, *, services_override: dict[str, object] | None = None, **overrides: object
) -> Path:
    """The sample site with test ports (and any overrides), pointing at the sample flow."""
    data = yaml.safe_load(SAMPLE.read_text())
    data["services"] = {**data.get("services", {}), **(services_override or TEST_SERVICES)}
    flow = (SAMPLE.parent / data["ivr"]["flow_file"]).resolve()
    data["ivr"]["flow_file"] = str(flow)
    data.update(overrides)
    path = tmp / "site.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    return path
