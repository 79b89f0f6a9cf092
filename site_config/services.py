"""Where the system runs: network services and the IVR flow.

These are technical settings; the lead's Asterisk config generator and the service
entry points read them. The IVR flow file is only checked to exist here; its content
is validated by the IVR package.
"""

from __future__ import annotations

import ipaddress
import re
from pathlib import Path
from typing import Annotated, Any

from pydantic import BeforeValidator, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from site_config.fields import (
    Boolean,
    FrozenModel,
    Identifier,
    Port,
    matches,
    not_allowed,
)

_LABEL = r"[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_HOST_RE = re.compile(rf"(?=.{{1,253}}$){_LABEL}(\.{_LABEL})*")
_HOST_ALLOWED = "an IP address or host name, e.g. '127.0.0.1' or '::1'"
_ONE_HOST_ALLOWED = (
    "one IP address or host name, e.g. '127.0.0.1' or '::1' (not a wildcard like 0.0.0.0)"
)
_PEERS_ALLOWED = "a non-empty list of IP addresses or host names, e.g. ['127.0.0.1'] (no wildcard)"


def _is_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def _host(value: Any) -> Any:
    if isinstance(value, str) and (_is_ip(value) or _HOST_RE.fullmatch(value)):
        return value
    raise not_allowed(_HOST_ALLOWED)


def _is_wildcard(value: str) -> bool:
    return _is_ip(value) and ipaddress.ip_address(value).is_unspecified


def _one_host(value: Any) -> Any:
    """A host others connect to or come from: not a wildcard such as 0.0.0.0 or ::."""
    if isinstance(value, str) and _is_wildcard(value):
        raise not_allowed(_ONE_HOST_ALLOWED)
    try:
        return _host(value)
    except PydanticCustomError:
        raise not_allowed(_ONE_HOST_ALLOWED) from None


def _host_list(value: Any) -> Any:
    if not isinstance(value, list) or not value:
        raise not_allowed(_PEERS_ALLOWED)
    for item in value:
        try:
            _one_host(item)
        except PydanticCustomError:
            raise not_allowed(_PEERS_ALLOWED, f"{item!r} is not allowed") from None
    return tuple(value)


Host = Annotated[str, BeforeValidator(_host)]
# Asterisk's dialplan dials this one, so it must be one address, not a wildcard.
OneHost = Annotated[str, BeforeValidator(_one_host)]


class Services(FrozenModel, frozen=True):
    """Listening addresses, ports and connection URLs of the backend's parts.

    ``bind_host`` is Asterisk's address (SIP, RTP, AMI): phones reach it, the
    controller logs in to AMI there. The backend's own servers each have their own
    address, 127.0.0.1 unless set, so putting Asterisk on the LAN does not put
    FastAGI or the HTTP APIs there too.
    """

    bind_host: Host = "127.0.0.1"
    agi_bind_host: OneHost = "127.0.0.1"
    # Who may connect to FastAGI; None: Asterisk's host (see ``agi_peers``).
    agi_allowed_peers: Annotated[tuple[str, ...] | None, BeforeValidator(_host_list)] = None
    control_bind_host: Host = "127.0.0.1"
    http_bind_host: Host = "127.0.0.1"
    sip_port: Port = 5060
    rtp_port_start: Port = 20000
    rtp_port_end: Port = 20999
    ami_port: Port = 5038
    ami_username: Annotated[
        str, matches(r"[A-Za-z0-9_-]{1,32}", "letters, digits, '_' and '-' (1-32 chars)")
    ] = "kcc"
    agi_port: Port = 4573
    http_port: Port = 8023
    control_port: Port = 8024  # the ACD controller's HTTP API (agents, IVR switches)
    redis_url: Annotated[
        str, matches(r"(rediss?|unix)://\S+", "a URL starting with redis://, rediss:// or unix://")
    ] = "redis://127.0.0.1:6390/0"
    database_url: Annotated[
        str,
        matches(
            r"(sqlite:///|postgresql://)\S+",
            "a URL starting with sqlite:/// or postgresql://",
        ),
    ] = "sqlite:///var/lib/kcc/kcc.db"

    @property
    def agi_peers(self) -> tuple[str, ...]:
        """The addresses FastAGI accepts connections from.

        By default Asterisk's host: ``bind_host``, and ``agi_bind_host`` too, because
        an Asterisk on the controller's own host connects from the address it dials
        (the kernel picks the local destination as the source).
        """
        if self.agi_allowed_peers is not None:
            return self.agi_allowed_peers
        # A wildcard bind_host (0.0.0.0) is no address anyone connects from.
        hosts = (self.bind_host, self.agi_bind_host)
        return tuple(dict.fromkeys(h for h in hosts if not _is_wildcard(h)))


class Ivr(FrozenModel, frozen=True):
    """The caller-facing menu: which flow to run and whether the topic menu is on."""

    # Relative paths are taken from the config file's folder (validation context
    # "base_dir", set by the loader); the content is validated by the IVR package.
    flow_file: Path
    topic_menu_enabled: Boolean
    general_topic: Identifier  # the topic every call gets when the menu is off

    @field_validator("flow_file", mode="after")
    @classmethod
    def _existing_file(cls, path: Path, info: ValidationInfo) -> Path:
        base = info.context.get("base_dir") if isinstance(info.context, dict) else None
        resolved = (Path(base) / path if base is not None else path).resolve()
        if not resolved.is_file():
            raise not_allowed(
                "an existing IVR flow file; a relative path is relative to the config file's "
                "folder",
                f"{str(path)!r} is not allowed ({resolved} does not exist)",
            )
        return resolved
