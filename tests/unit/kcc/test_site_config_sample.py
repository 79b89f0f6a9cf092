"""The sample config/site.yaml loads and says what the Haarlem/Zandvoort KCC needs."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, time
from pathlib import Path
from typing import Any

import pydantic
import pytest

from site_config import Norms, OpeningHours, Role, SiteConfig, load_site_config
from site_config.passwords import sip_md5, token_sha256, verify_password


@pytest.fixture
def site(site_path: Path) -> SiteConfig:
    return load_site_config(site_path)


def test_sample_identity(site: SiteConfig, site_dir: Path, site_path: Path) -> None:
    assert site.public_number == "14023"
    assert site.sip_realm == "kcc14023"
    assert site.timezone == "Europe/Amsterdam"
    assert [(m.id, m.website) for m in site.municipalities] == [
        ("haarlem", "haarlem.nl"),
        ("zandvoort", "zandvoort.nl"),
    ]
    assert site.source_path == site_path.resolve()
    # Relative to the config file's folder, not to the working directory.
    assert site.ivr.flow_file == (site_dir / "ivr_flows" / "flows" / "14023.yaml").resolve()


def test_opening_hours(site: SiteConfig) -> None:
    haarlem, zandvoort = site.municipalities
    assert haarlem.opening_hours.intervals(0) == ((time(8), time(17)),)
    assert haarlem.opening_hours.intervals(3) == ((time(8), time(20)),)
    assert zandvoort.opening_hours.intervals(3) == ((time(8), time(17)),)
    assert haarlem.opening_hours.intervals(5) == ()
    assert zandvoort.opening_hours.intervals(6) == ()  # a day left out is closed
    assert date(2027, 4, 27) in haarlem.extra_closed_days
    with pytest.raises(ValueError, match="0 \\(Monday\\) to 6"):
        haarlem.opening_hours.intervals(7)


def test_intervals_are_sorted() -> None:
    hours = OpeningHours.model_validate({"mon": ["13:00-17:00", "08:00-12:00"]})
    assert hours.intervals(0) == ((time(8), time(12)), (time(13), time(17)))


def test_topics_and_helpers(site: SiteConfig) -> None:
    assert [t.id for t in site.topics] == [
        "burgerzaken",
        "belastingen",
        "afval-openbare-ruimte",
        "parkeren-vergunningen",
        "bouwen-wonen",
        "algemeen",
    ]
    burgerzaken = site.topic("burgerzaken")
    assert burgerzaken.self_handling_target == 0.85
    assert burgerzaken.explanation == "paspoort, rijbewijs, verhuizen of een uittreksel"
    assert site.ivr.general_topic == "algemeen"
    assert [a.id for a in site.agents_for_topic("bouwen-wonen")] == ["1004", "1005"]
    assert {a.id for a in site.agents_for_topic("algemeen")} == {a.id for a in site.agents}
    with pytest.raises(KeyError, match="nope"):
        site.topic("nope")
    with pytest.raises(KeyError, match="nope"):
        site.agents_for_topic("nope")


def test_positions(site: SiteConfig) -> None:
    assert [(p.id, p.extension, p.peak) for p in site.positions] == [
        ("tic1", "201", False),
        ("tic2", "202", False),
        ("tic3", "203", False),
        ("tic4", "204", True),
    ]
    tic4 = site.position_by_extension("204")
    assert tic4 is not None and tic4.id == "tic4"
    assert site.position_by_extension("301") is None


BOUND = {Role.AGENT, Role.BACK_OFFICE}


def test_demo_secrets_match_the_documented_demo_passwords(site: SiteConfig) -> None:
    phones = [(p.extension, p.sip_md5) for p in site.positions] + [
        (e.extension, e.sip_md5) for d in site.departments for e in d.extensions
    ]
    assert len(phones) >= 6
    for extension, stored in phones:
        assert stored == sip_md5(extension, site.sip_realm, f"demo{extension}")
    roles = {user.name: user.role for user in site.access.users}
    assert roles == {
        "floor": Role.FLOOR_MANAGER,
        "teamlead": Role.TEAM_LEAD,
        "admin": Role.ADMIN,
        "prometheus": Role.METRICS,  # Prometheus' scrape login
        **dict.fromkeys(["anouk", "bram", "fatima", "joost", "sanne"], Role.AGENT),
        **dict.fromkeys(["els", "mark", "priya", "tom"], Role.BACK_OFFICE),
    }
    bound = {u.name: u.agent_id or u.extension for u in site.access.users if u.role in BOUND}
    assert bound == {
        "anouk": "1001", "bram": "1002", "fatima": "1003", "joost": "1004", "sanne": "1005",
        "els": "301", "mark": "302", "priya": "311", "tom": "321",
    }  # fmt: skip
    assert site.access.phone_pin_required
    for agent in site.agents:  # demo PIN: 9 and the agent number's last three digits
        assert agent.pin_hash is not None and verify_password(f"9{agent.id[1:]}", agent.pin_hash)
    for user in site.access.users:
        assert verify_password(f"demo-{user.name}", user.password_hash)
    (wall,) = site.access.display_tokens
    assert (wall.name, wall.token_sha256) == ("wall", token_sha256("demo-wall-display"))


def test_departments_norms_recording_services(site: SiteConfig) -> None:
    assert 2 <= len(site.departments) <= 3
    assert all(1 <= len(d.extensions) <= 2 for d in site.departments)
    assert all(d.fallback_after_s == 15 for d in site.departments)
    assert site.norms == Norms()
    assert site.norms.waiting_message_interval_s == 20
    assert site.recording.directory == Path("/var/lib/kcc/recordings")
    assert site.recording.retention_days == 90
    assert site.norms.callback_within_working_days == 1
    assert site.callback_notes.retention_days == 90
    assert site.services.http_port == 8023
    assert site.services.redis_url == "redis://127.0.0.1:6390/0"


def test_a_site_without_callback_notes_keeps_them_90_days(
    sample_data: dict[str, Any], write_site: Callable[[dict[str, Any]], Path]
) -> None:
    """The section is optional: configs from before callback notes load unchanged."""
    del sample_data["callback_notes"]
    sample_data["norms"].pop("callback_within_working_days")
    site = load_site_config(write_site(sample_data))
    assert site.callback_notes.retention_days == 90
    assert site.norms.callback_within_working_days == 1


def test_config_objects_are_frozen(site: SiteConfig) -> None:
    with pytest.raises(pydantic.ValidationError, match="frozen"):
        site.positions[0].peak = True  # type: ignore[misc]
    assert isinstance(site.agents, tuple)
    assert isinstance(site.agents[0].topics, tuple)
