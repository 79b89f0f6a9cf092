"""Who holds the recording key (#3) and the transfer key (#2): staff phones, never a caller.

The files are read back with pyst2's parser, as the other generator tests do; the real
Asterisk proves the keys in tests/integration/test_recording.py.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from asterisk_conf import AsteriskPaths, generate
from contract.dialplan import RECORD_FEATURE, capture_name
from site_config import SiteConfig, load_site_config
from tests.unit.asterisk_conf.test_asterisk_conf_generate import parse

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def site() -> SiteConfig:
    return load_site_config(REPO / "config" / "site.yaml")


@pytest.fixture(scope="module")
def out(site: SiteConfig, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("ast")
    paths = AsteriskPaths(etc="/e", lib="/l", spool="/s", run="/r", log="/g", capture="/cap")
    generate(site, folder, paths=paths, ami_secret="s3cret")
    return folder


def test_the_key_is_our_subroutine_not_automixmon(out: Path) -> None:
    features = parse(out / "features.conf")
    assert features["featuremap"][0]["automixmon"] == ""
    assert features["applicationmap"][0][RECORD_FEATURE] == "#3,self,Gosub(kcc-record,s,1)"


def test_only_staff_endpoints_hold_the_recording_key(out: Path, site: SiteConfig) -> None:
    pjsip = parse(out / "pjsip.conf")
    staff = [p.extension for p in site.positions]
    staff += [e.extension for d in site.departments for e in d.extensions]
    for ext in staff:
        endpoint = next(s for s in pjsip[ext] if s.get("type") == "endpoint")
        assert endpoint["set_var"] == f"DYNAMIC_FEATURES={RECORD_FEATURE}"
    others = [name for name in pjsip if name not in staff]
    for name in others:
        for section in pjsip[name]:
            assert "set_var" not in section, name


def test_no_dial_or_queue_gives_the_caller_a_key(out: Path) -> None:
    text = (out / "extensions.conf").read_text()
    for options in re.findall(r"Dial\(PJSIP/[^,]+,[^,]*,([^)]*)\)", text):
        assert "X" not in options and "x" not in options, options
    trunk = text.split("[kcc-trunk]")[1].split("\n[")[0]
    for options in re.findall(r"Dial\(PJSIP/[^,]+,[^,]*,([^)]*)\)", trunk):
        assert options == "t", "the caller on 14023 may not transfer or record"
    for options in re.findall(r"Queue\(kcc-[^,]+,([^,)]*)", text):
        assert set(options) <= {"r", "t"}, options


def test_segments_are_written_to_the_capture_folder_under_ids(out: Path) -> None:
    text = (out / "extensions.conf").read_text()
    assert "KCC_CAPTURE_DIR => /cap" in text
    record = text.split("[kcc-record]")[1].split("\n[")[0]
    assert "Set(KCC_REC_FILE=${KCC_REC_CALL}_" in record
    assert "MixMonitor(${KCC_CAPTURE_DIR}/${KCC_REC_FILE},bDi(KCC_REC_MONITOR),touch " in record
    assert "CALLERID" not in record
    # The call of a leg the controller did not ring: LINKEDID is no variable in Asterisk.
    assert "${CHANNEL(linkedid)}" in record and "${LINKEDID}" not in record
    assert capture_name("1.2", "tic1", "9.8", 3) == "1.2_tic1_9.8_3.raw"


def test_the_capture_folder_defaults_beside_the_recordings(
    site: SiteConfig, tmp_path: Path
) -> None:
    generate(
        site,
        tmp_path,
        paths=AsteriskPaths(etc="/e", lib="/l", spool="/s", run="/r", log="/g"),
        ami_secret="x",
    )
    text = (tmp_path / "extensions.conf").read_text()
    assert f"KCC_CAPTURE_DIR => {site.recording.directory}/capture" in text
