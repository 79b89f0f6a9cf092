"""Security settings of the generated files: who the trunk is, the security log, and
the longest wait in a fallback queue."""

from __future__ import annotations

from pathlib import Path

from asterisk_conf import AsteriskPaths, generate
from site_config import Norms, SiteConfig, Trunk
from tests.unit.acd.rig import sample_site
from tests.unit.asterisk_conf.test_asterisk_conf_generate import parse
from tests.unit.asterisk_conf.test_trunk_guard import app_args, contexts

PATHS = AsteriskPaths(etc="/e", lib="/l", spool="/s", run="/r", log="/g", moh="/m")


def _generate(site: SiteConfig, folder: Path) -> Path:
    generate(site, folder, paths=PATHS, ami_secret="s3cret")
    return folder


def test_the_trunk_is_the_carriers_addresses_only(tmp_path: Path) -> None:
    carrier = Trunk(carrier_addresses=("192.0.2.10", "198.51.100.0/28"))
    site = sample_site().model_copy(update={"trunk": carrier})
    pjsip = parse(_generate(site, tmp_path) / "pjsip.conf")
    (identify,) = pjsip["trunk-identify"]
    assert identify["endpoint"] == "trunk"
    assert identify["match"] == "192.0.2.10,198.51.100.0/28"
    assert site.services.bind_host not in identify["match"]


def test_without_carrier_addresses_the_trunk_is_the_bind_address(tmp_path: Path) -> None:
    # The SIPp carrier of the integration tests and the demo send from 127.0.0.1.
    site = sample_site()
    assert site.trunk.carrier_addresses == ()
    (identify,) = parse(_generate(site, tmp_path) / "pjsip.conf")["trunk-identify"]
    assert identify["match"] == site.services.bind_host == "127.0.0.1"


def test_security_events_have_their_own_log_in_the_log_folder(tmp_path: Path) -> None:
    folder = _generate(sample_site(), tmp_path)
    (logfiles,) = parse(folder / "logger.conf")["logfiles"]
    assert logfiles["security.log"] == "security"
    # The security level only carries events with res_security_log loaded.
    assert "load = res_security_log.so" in (folder / "modules.conf").read_text()
    (directories,) = parse(folder / "asterisk.conf")["directories"]
    assert directories["astlogdir"] == PATHS.log


def test_a_fallback_queue_ends_the_wait_at_the_maximum(tmp_path: Path) -> None:
    site = sample_site().model_copy(update={"norms": Norms(max_wait_s=900)})
    plan = contexts((_generate(site, tmp_path) / "extensions.conf").read_text())
    fallback = plan["kcc-fallback"]
    queues = [args for _, value in fallback for args in app_args(value, "Queue")]
    assert len(queues) == len(site.topics)
    for args in queues:
        assert args[4] == "900", args  # Queue(name,options,URL,announce,timeout)
    # A timed-out caller hears the busy tone before the line is hung up.
    lines = [value for _, value in fallback]
    timeout = next(i for i, v in enumerate(lines) if "QUEUESTATUS" in v)
    assert '"TIMEOUT"' in lines[timeout]
    assert lines[timeout + 1] == "n,Playtones(busy)"


def test_the_default_maximum_wait_is_half_an_hour() -> None:
    assert Norms().max_wait_s == 1800
