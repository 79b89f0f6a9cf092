"""Write the complete Asterisk configuration directory for a site."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from asterisk_conf import dialplan, pjsip, queues, static
from asterisk_conf.render import Section, render
from asterisk_conf.static import AsteriskPaths
from site_config import SiteConfig

__all__ = ["AsteriskPaths", "generate"]


def generate(
    site: SiteConfig,
    out_dir: Path,
    *,
    paths: AsteriskPaths,
    ami_secret: str,
    harness_secret: str | None = None,
) -> list[Path]:
    """Write every file into `out_dir`; returns the files written.

    `ami_secret` comes from the environment of whoever starts the stack and is
    never part of the repository. `harness_secret` adds the integration tests' own
    AMI user (`static.HARNESS_USERNAME`); a server install never has one.
    """
    if not ami_secret:
        raise ValueError("ami_secret is empty: set KCC_AMI_SECRET")
    files: dict[str, tuple[Callable[[], Iterable[Section]], bool]] = {
        "asterisk.conf": (lambda: static.asterisk_conf(paths), False),
        "modules.conf": (static.modules_conf, False),
        "logger.conf": (static.logger_conf, False),
        "manager.conf": (lambda: static.manager_conf(site, ami_secret, harness_secret), False),
        "rtp.conf": (lambda: static.rtp_conf(site), False),
        "indications.conf": (static.indications_conf, False),
        "features.conf": (lambda: static.features_conf(site), False),
        "cdr.conf": (static.cdr_conf, False),
        "pjsip.conf": (lambda: pjsip.sections(site), False),
        "extensions.conf": (lambda: dialplan.sections(site, paths), True),
        "queues.conf": (lambda: queues.sections(site), True),
        "musiconhold.conf": (lambda: static.musiconhold_conf(paths.moh), False),
    }
    for name in ("ccss.conf", "cel.conf", "acl.conf", "udptl.conf", "pjproject.conf"):
        files[name] = (static.quiet_defaults, False)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, (build, arrow) in files.items():
        path = out_dir / name
        path.write_text(render(build(), header=name, arrow=arrow))
        written.append(path)
    return written
