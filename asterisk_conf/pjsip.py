"""pjsip.conf: one UDP transport, the 14023 trunk and the registering phones.

The trunk is identified by source address, as a carrier's would be: only the
site's ``trunk.carrier_addresses`` (default: the bind address) may call 14023.
Phones (TIC positions and back-office extensions) are identified by user name
first, so a phone on the same address is never mistaken for the trunk, and must
authenticate with a digest whose MD5 hash is all the site configuration holds.
"""

from __future__ import annotations

from collections.abc import Iterator

from asterisk_conf.render import Section
from contract.dialplan import RECORD_FEATURE, Context, Var
from site_config import SiteConfig


def sections(site: SiteConfig) -> Iterator[Section]:
    svc = site.services
    yield Section(
        name="global",
        pairs=(
            ("type", "global"),
            ("user_agent", "KCC14023"),
            ("endpoint_identifier_order", "username,ip"),
            ("default_realm", site.sip_realm),
        ),
    )
    yield Section(
        name="transport-udp",
        pairs=(
            ("type", "transport"),
            ("protocol", "udp"),
            ("bind", f"{svc.bind_host}:{svc.sip_port}"),
        ),
    )
    yield from _trunk(site)
    for position in site.positions:
        label = f"TIC {position.id}" + (" (piek)" if position.peak else "")
        # No pickup group: a call the ACD offers to one agent is theirs; another free
        # agent gets an offer of their own.
        yield from _phone(site, position.extension, position.sip_md5, Context.POSITIONS, label)
    for group, department in enumerate(site.departments, start=1):
        # Pickup (*8) within a department: a colleague takes over a phone ringing at
        # an empty desk from their own (no hunt group rings on by itself).
        for ext in department.extensions:
            yield from _phone(
                site, ext.extension, ext.sip_md5, Context.BACKOFFICE, ext.name, pickup=group
            )


def _media_pairs(site: SiteConfig, *, symmetric: bool = True) -> tuple[tuple[str, str], ...]:
    # Phones sit behind NAT (symmetric RTP and rport); a carrier trunk sends its media
    # from where its SDP says, so the trunk answers to the SDP address.
    flag = "yes" if symmetric else "no"
    return (
        ("disallow", "all"),
        ("allow", "alaw,ulaw"),
        ("dtmf_mode", "rfc4733"),
        ("direct_media", "no"),
        # RTP binds to the service address too, not to every interface; it also
        # spares Asterisk a host-name lookup of its own address for RTCP per call.
        ("media_address", site.services.bind_host),
        ("bind_rtp_to_media_address", "yes"),
        # A call whose far end vanished without a BYE sends no more RTP: hang it up
        # after 2 minutes instead of keeping an agent or a queue place for ever.
        ("rtp_timeout", "120"),
        ("rtp_symmetric", flag),
        ("force_rport", flag),
        ("rewrite_contact", flag),
        ("language", "nl"),
        ("tone_zone", "nl"),
    )


def _trunk(site: SiteConfig) -> Iterator[Section]:
    yield Section(
        name="trunk",
        comment="Calls into the public number, as the carrier would deliver them.",
        pairs=(
            ("type", "endpoint"),
            ("context", Context.TRUNK),
            *_media_pairs(site, symmetric=False),
            # The caller on 14023 transfers nothing (a REFER is refused) and watches no
            # phone's state (a SUBSCRIBE is refused): those are staff features.
            ("allow_transfer", "no"),
            ("allow_subscribe", "no"),
        ),
    )
    # Only the carrier's own addresses are the trunk (trunk.carrier_addresses); an
    # INVITE from anywhere else finds no endpoint and is refused unauthenticated.
    addresses = site.trunk.addresses(site.services.bind_host)
    yield Section(
        name="trunk-identify",
        pairs=(("type", "identify"), ("endpoint", "trunk"), ("match", ",".join(addresses))),
    )


def _phone(
    site: SiteConfig, ext: str, md5: str, context: str, label: str, *, pickup: int | None = None
) -> Iterator[Section]:
    groups = () if pickup is None else (("pickup_group", str(pickup)), ("call_group", str(pickup)))
    yield Section(
        name=ext,
        pairs=(
            ("type", "endpoint"),
            *_media_pairs(site),
            ("context", context),
            ("auth", ext),
            ("aors", ext),
            ("callerid", f'"{label}" <{ext}>'),
            *groups,
            # The recording key (#3) on every call of a staff phone; the trunk has none.
            ("set_var", f"{Var.DYNAMIC_FEATURES}={RECORD_FEATURE}"),
        ),
    )
    yield Section(
        name=ext,
        pairs=(
            ("type", "auth"),
            ("auth_type", "digest"),
            ("username", ext),
            ("realm", site.sip_realm),
            ("password_digest", f"md5:{md5}"),
        ),
    )
    yield Section(
        name=ext,
        pairs=(
            ("type", "aor"),
            ("max_contacts", "1"),
            ("remove_existing", "yes"),
            ("minimum_expiration", "30"),
            # A working day: softphones pick their own, shorter, expiry and renew it;
            # the demo's SIPp phones register once for the whole demo.
            ("maximum_expiration", "43200"),
        ),
    )
