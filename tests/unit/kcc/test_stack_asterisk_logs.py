"""Where the stack's Asterisk leaves its logs, as the integration tests read them."""

from __future__ import annotations

from pathlib import Path

from asterisk_conf import SECURITY_LOG
from kcc.stack.asterisk import Asterisk
from tests.unit.acd.rig import sample_site


def test_the_security_log_is_in_the_instances_log_folder(tmp_path: Path) -> None:
    asterisk = Asterisk(sample_site(), instance="t1", ami_secret="s", rootfs=tmp_path)
    assert asterisk.paths.log == "/kcc/t1/log"
    assert asterisk.security_log_path == tmp_path / "kcc" / "t1" / "log" / SECURITY_LOG
    assert asterisk.security_log_path.parent == asterisk.log_path.parent
