"""The smaller Asterisk files: directories, modules, logging, AMI, RTP, tones, features."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from asterisk_conf.render import Section
from contract.dialplan import RECORD_FEATURE, RECORD_KEY, Context
from site_config import SiteConfig

# Only what the project uses; `autoload = no` keeps everything else out, so a
# missing module shows up as a load error in the test that starts Asterisk.
MODULES: tuple[str, ...] = (
    # timing, sorcery and the SIP stack
    "res_timing_timerfd.so",
    "res_sorcery_config.so",
    "res_sorcery_memory.so",
    "res_sorcery_astdb.so",
    "res_pjproject.so",
    "res_pjsip.so",
    "res_pjsip_session.so",
    "res_pjsip_pubsub.so",
    "chan_pjsip.so",
    "res_pjsip_authenticator_digest.so",
    "res_pjsip_endpoint_identifier_ip.so",
    "res_pjsip_endpoint_identifier_user.so",
    "res_pjsip_registrar.so",
    "res_pjsip_sdp_rtp.so",
    "res_pjsip_caller_id.so",
    "res_pjsip_rfc3326.so",
    "res_pjsip_header_funcs.so",
    "res_pjsip_nat.so",
    "res_rtp_asterisk.so",
    # security events (failed auth, unknown endpoints) to the logger's "security" level
    "res_security_log.so",
    # media
    "codec_alaw.so",
    "codec_ulaw.so",
    "codec_a_mu.so",
    "codec_gsm.so",
    "format_sln.so",
    "format_wav.so",
    "format_gsm.so",
    "format_pcm.so",
    # bridging and call features (attended transfer, one-touch recording)
    "bridge_simple.so",
    "bridge_native_rtp.so",
    "bridge_softmix.so",
    "bridge_holding.so",
    "bridge_builtin_features.so",
    "bridge_builtin_interval_features.so",
    "res_musiconhold.so",
    # dialplan
    "pbx_config.so",
    "res_speech.so",
    "res_agi.so",
    "app_queue.so",
    "app_dial.so",
    "app_playback.so",
    "app_playtones.so",
    "app_mixmonitor.so",
    "app_stack.so",
    "app_exec.so",
    "app_directed_pickup.so",
    "app_bridgewait.so",
    "app_userevent.so",
    "app_verbose.so",
    "app_senddtmf.so",
    "app_echo.so",
    "func_channel.so",
    "func_callerid.so",
    "func_strings.so",
    "func_logic.so",
    "func_global.so",
    "func_cut.so",
    "func_math.so",
    "func_db.so",
    "func_devstate.so",
    "func_timeout.so",
    "func_uri.so",
)


SECURITY_LOG = "security.log"
"""Asterisk's security events, in ``AsteriskPaths.log`` (logger.conf ``security`` level)."""


@dataclass(frozen=True, kw_only=True)
class AsteriskPaths:
    """Where Asterisk keeps its files; inside the chroot for the dev stack."""

    etc: str
    lib: str
    spool: str
    run: str
    log: str
    moh: str = ""
    capture: str = ""  # recording segments; empty: <recording.directory>/capture
    modules: str = "/usr/lib/x86_64-linux-gnu/asterisk/modules"
    data: str = "/usr/share/asterisk"


def asterisk_conf(paths: AsteriskPaths) -> Iterator[Section]:
    yield Section(
        name="directories",
        pairs=(
            ("astcachedir", f"{paths.lib}/cache"),
            ("astetcdir", paths.etc),
            ("astmoddir", paths.modules),
            ("astvarlibdir", paths.lib),
            ("astdbdir", paths.lib),
            ("astkeydir", paths.lib),
            ("astdatadir", paths.data),
            ("astagidir", f"{paths.data}/agi-bin"),
            ("astspooldir", paths.spool),
            ("astrundir", paths.run),
            ("astlogdir", paths.log),
            ("astsbindir", "/usr/sbin"),
        ),
    )
    yield Section(
        name="options",
        pairs=(
            ("defaultlanguage", "nl"),
            ("hideconnect", "yes"),
            ("transmit_silence", "yes"),
        ),
    )


def modules_conf() -> Iterator[Section]:
    yield Section(
        name="modules",
        pairs=(("autoload", "no"), *(("load", m) for m in MODULES)),
    )


def logger_conf() -> Iterator[Section]:
    yield Section(name="general", pairs=(("queue_log", "yes"), ("queue_log_to_file", "yes")))
    yield Section(
        name="logfiles",
        pairs=(
            ("console", "notice,warning,error"),
            ("messages.log", "notice,warning,error,verbose"),
            # Failed SIP and AMI logins, INVITEs from unknown addresses, ACL refusals:
            # one file an operator (or fail2ban) reads, in the instance's log folder.
            (SECURITY_LOG, "security"),
        ),
    )


# The controller's AMI user may do what its actions need and no more (docs/ami.md,
# "Manager classes"; the action -> class table from Asterisk's source is checked in
# tests/unit/asterisk_conf/test_manager_classes.py). Asterisk lets an action run when
# the user holds ANY of the action's classes. Never `system` (with `originate` it
# amounts to a shell: Originate of Application=System) nor `command` (any CLI command).
CONTROLLER_READ: tuple[str, ...] = (
    "system",
    "call",
    "agent",
    "user",
    "dtmf",
    "reporting",
    "dialplan",
)
CONTROLLER_WRITE: tuple[str, ...] = ("call", "agent", "originate", "reporting")

HARNESS_USERNAME = "kcc-harness"
"""The integration tests' own AMI user (tests/integration/ami_watch.py): CLI commands
and queue members. It exists only where Asterisk is started with a harness secret."""
HARNESS_WRITE: tuple[str, ...] = ("agent", "command")


def manager_conf(
    site: SiteConfig, secret: str, harness_secret: str | None = None
) -> Iterator[Section]:
    svc = site.services
    yield Section(
        name="general",
        pairs=(("enabled", "yes"), ("port", str(svc.ami_port)), ("bindaddr", svc.bind_host)),
    )
    yield _manager_user(site, svc.ami_username, secret, CONTROLLER_WRITE)
    if harness_secret is None:
        return
    if svc.ami_username == HARNESS_USERNAME:
        raise ValueError(
            f"services.ami_username {HARNESS_USERNAME!r} is the test harness's AMI user; "
            "choose another name for the controller's"
        )
    yield _manager_user(site, HARNESS_USERNAME, harness_secret, HARNESS_WRITE)


def _manager_user(site: SiteConfig, name: str, secret: str, write: tuple[str, ...]) -> Section:
    if not secret:
        raise ValueError(f"the AMI secret of manager.conf user {name!r} is empty")
    host = site.services.bind_host
    return Section(
        name=name,
        pairs=(
            ("secret", secret),
            ("deny", "0.0.0.0/0.0.0.0"),
            ("permit", f"{host}/255.255.255.255"),
            ("read", ",".join(CONTROLLER_READ)),
            ("write", ",".join(write)),
            ("writetimeout", "1000"),
        ),
    )


def rtp_conf(site: SiteConfig) -> Iterator[Section]:
    svc = site.services
    yield Section(
        name="general",
        pairs=(
            ("rtpstart", str(svc.rtp_port_start)),
            ("rtpend", str(svc.rtp_port_end)),
            ("strictrtp", "yes"),
        ),
    )


def indications_conf() -> Iterator[Section]:
    # Dutch tones: a ring cycle is 1 s of 425 Hz and 4 s of silence, so the
    # norm's "4 rings" is 20 s.
    yield Section(name="general", pairs=(("country", "nl"),))
    yield Section(
        name="nl",
        pairs=(
            ("description", "Netherlands"),
            ("ringcadence", "1000,4000"),
            ("dial", "425"),
            ("busy", "425/500,0/500"),
            ("ring", "425/1000,0/4000"),
            ("congestion", "425/250,0/250"),
            ("callwaiting", "425/500,0/9500"),
            ("dialrecall", "425/500,0/50"),
            ("record", "1400/500,0/15000"),
            ("info", "950/330,1400/330,1800/330,0/1000"),
            ("stutter", "425/500,0/50"),
        ),
    )


def features_conf(site: SiteConfig) -> Iterator[Section]:
    yield Section(
        name="general",
        pairs=(
            ("transferdigittimeout", "3"),
            ("atxfernoanswertimeout", str(site.norms.ring_no_answer_s)),
            ("atxferdropcall", "no"),
            ("atxferabort", "*1"),
            ("atxfercomplete", "*2"),
            ("atxferthreeway", "*3"),
            ("atxferswap", "*4"),
            # Call pickup within a department's pickup group (asterisk_conf/pjsip.py).
            ("pickupexten", "*8"),
        ),
    )
    # Warm transfer always (the source documents ask for no blind transfer). Blind
    # transfer must be switched off by name: Asterisk's default for it is "#", which
    # swallowed "#2" before atxfer saw it. Who may transfer is the Dial/Bridge options'
    # business (t/T), never the caller on 14023.
    yield Section(
        name="featuremap",
        pairs=(("blindxfer", ""), ("atxfer", "#2"), ("automixmon", ""), ("disconnect", "*0")),
    )
    # One button for recording (#3): our own subroutine, not automixmon, so the file is
    # named by the call and kept outside Asterisk's spool, and the controller hears of
    # it. Only channels whose DYNAMIC_FEATURES name it hold the key: the staff phones'
    # endpoints (asterisk_conf/pjsip.py), never the trunk.
    yield Section(
        name="applicationmap",
        pairs=((RECORD_FEATURE, f"{RECORD_KEY},self,Gosub({Context.RECORD},s,1)"),),
    )


def capture_dir(site: SiteConfig, paths: AsteriskPaths) -> str:
    """Where MixMonitor writes segments, as Asterisk sees it."""
    return paths.capture or f"{site.recording.directory}/capture"


def musiconhold_conf(moh_dir: str) -> Iterator[Section]:
    yield Section(name="general")
    yield Section(
        name="default", pairs=(("mode", "files"), ("directory", moh_dir), ("sort", "alpha"))
    )


def quiet_defaults() -> Iterator[Section]:
    """Nothing: core modules read these files even when we set nothing in them."""
    return iter(())


def cdr_conf() -> Iterator[Section]:
    # The controller keeps its own call records; Asterisk's CDR engine is off.
    yield Section(name="general", pairs=(("enable", "no"),))
