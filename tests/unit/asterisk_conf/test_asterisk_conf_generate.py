"""The generated Asterisk files, read back with an independent parser (pyst2's).

The integration tests load the same files into the real Asterisk; these check
the content quickly: every site setting lands where Asterisk reads it.
"""

from __future__ import annotations

import gc
import warnings
from pathlib import Path

import pytest
from asterisk.config import Config

from asterisk_conf import AsteriskPaths, generate
from site_config import SiteConfig, load_site_config

REPO = Path(__file__).resolve().parents[3]
PATHS = AsteriskPaths(etc="/e", lib="/l", spool="/s", run="/r", log="/g", moh="/m")


@pytest.fixture(scope="module")
def site() -> SiteConfig:
    return load_site_config(REPO / "config" / "site.yaml")


@pytest.fixture(scope="module")
def out(site: SiteConfig, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("ast")
    generate(site, folder, paths=PATHS, ami_secret="s3cret")
    return folder


def parse(path: Path) -> dict[str, list[dict[str, str]]]:
    """Sections by name (PJSIP repeats names), each as a dict of its keys."""
    # pyst2 0.5.1 never closes the file it reads; collect it here, not in a later test.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        config = Config(str(path))
        gc.collect()
    sections: dict[str, list[dict[str, str]]] = {}
    for category in config.categories:
        # pyst2 keeps the blank after "="; Asterisk strips it.
        items = {item.name.strip(): item.value.strip() for item in category.items}
        sections.setdefault(category.name, []).append(items)
    return sections


def test_every_topic_has_a_fallback_queue_with_the_norms(out: Path, site: SiteConfig) -> None:
    queues = parse(out / "queues.conf")
    for topic in site.topics:
        (queue,) = queues[f"kcc-{topic.id}"]
        assert queue["timeout"] == str(site.norms.ring_no_answer_s)
        assert queue["wrapuptime"] == str(site.norms.after_call_work_s)
        assert queue["servicelevel"] == str(site.norms.answer_within_s)
        assert queue["ringinuse"] == "no"


def test_phones_authenticate_by_digest_hash_only(out: Path, site: SiteConfig) -> None:
    pjsip = parse(out / "pjsip.conf")
    for position in site.positions:
        kinds = {s.get("type", "endpoint"): s for s in pjsip[position.extension]}
        assert kinds["auth"]["password_digest"] == f"md5:{position.sip_md5}"
        assert "password" not in kinds["auth"]
        assert kinds["auth"]["realm"] == site.sip_realm
    text = (out / "pjsip.conf").read_text()
    assert "demo201" not in text


def test_everything_binds_to_the_configured_host(out: Path, site: SiteConfig) -> None:
    host = site.services.bind_host
    assert (
        parse(out / "pjsip.conf")["transport-udp"][0]["bind"] == f"{host}:{site.services.sip_port}"
    )
    manager = parse(out / "manager.conf")
    assert manager["general"][0]["bindaddr"] == host
    assert manager[site.services.ami_username][0]["secret"] == "s3cret"


def test_dutch_ring_cadence_makes_four_rings_twenty_seconds(out: Path, site: SiteConfig) -> None:
    nl = parse(out / "indications.conf")["nl"][0]
    on_ms, off_ms = (int(x) for x in nl["ringcadence"].split(","))
    assert 4 * (on_ms + off_ms) / 1000 == site.norms.answer_within_s


def test_public_number_goes_to_the_ivr_then_the_fallback(out: Path, site: SiteConfig) -> None:
    text = (out / "extensions.conf").read_text()
    assert f"exten => {site.public_number},1," in text
    assert "AGI(${KCC_AGI}/ivr)" in text
    for topic in site.topics:
        assert f"Queue(kcc-{topic.id},rt,,,{site.norms.max_wait_s})" in text


def test_empty_ami_secret_is_refused(site: SiteConfig, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="KCC_AMI_SECRET"):
        generate(site, tmp_path, paths=PATHS, ami_secret="")


def test_asterisk_on_the_lan_still_dials_fastagi_on_its_own_address(
    site: SiteConfig, tmp_path: Path
) -> None:
    services = site.services.model_copy(
        update={"bind_host": "10.20.0.5", "agi_bind_host": "127.0.0.1"}
    )
    generate(site.model_copy(update={"services": services}), tmp_path, paths=PATHS, ami_secret="s")
    assert parse(tmp_path / "extensions.conf")["globals"][0]["KCC_AGI"] == (
        f"agi://127.0.0.1:{site.services.agi_port}"
    )
    assert parse(tmp_path / "pjsip.conf")["transport-udp"][0]["bind"].startswith("10.20.0.5:")
