"""The typed AGI environment: the ``agi_*`` lines Asterisk sends when a FastAGI call opens.

res_agi.c writes ``agi_network: yes``, ``agi_network_script: <script>`` (only
when the AGI URL names a script), then ``agi_request``, ``agi_channel``,
``agi_uniqueid``, the caller and dialplan position lines and one
``agi_arg_N`` per extra AGI() argument, and ends with a blank line.

Asterisk does not send the linkedid: the controller asks for it with
``GET VARIABLE CHANNEL(linkedid)`` and records it with ``with_linkedid``.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from urllib.parse import parse_qsl

from acd.agi.errors import AgiProtocolError

REQUIRED_KEYS = ("agi_request", "agi_channel", "agi_uniqueid", "agi_context", "agi_extension")
# setup_env() prints "unknown" for a caller number or name the channel does not have.
_UNKNOWN = "unknown"
_ARG_KEY = re.compile(r"agi_arg_([1-9][0-9]*)")


@dataclass(frozen=True)
class AgiEnvironment:
    """One FastAGI call's environment; ``raw`` keeps every ``agi_*`` line as sent."""

    request: str
    network_script: str
    channel: str
    uniqueid: str
    callerid: str | None
    calleridname: str | None
    context: str
    extension: str
    arguments: tuple[str, ...]
    raw: Mapping[str, str] = field(hash=False, repr=False)
    linkedid: str | None = None

    @property
    def script_path(self) -> str:
        """The script part without query or slashes: ``feature?code=*51`` -> ``feature``."""
        return self.network_script.partition("?")[0].strip("/")

    @property
    def script_params(self) -> Mapping[str, str]:
        """The query of the script (``feature?code=*51`` -> ``{"code": "*51"}``)."""
        query = self.network_script.partition("?")[2]
        return MappingProxyType(dict(parse_qsl(query, keep_blank_values=True)))

    def with_linkedid(self, linkedid: str) -> AgiEnvironment:
        """A copy carrying the linkedid the controller read with GET VARIABLE."""
        return dataclasses.replace(self, linkedid=linkedid)

    @classmethod
    def from_headers(cls, headers: Mapping[str, str]) -> AgiEnvironment:
        """Build from parsed ``agi_*`` lines; AgiProtocolError names what is missing."""
        missing = [key for key in REQUIRED_KEYS if key not in headers]
        if missing:
            raise AgiProtocolError(
                f"AGI environment lacks {', '.join(missing)} "
                f"(got {', '.join(headers) or 'no lines'})"
            )
        return cls(
            request=headers["agi_request"],
            network_script=headers.get("agi_network_script", ""),
            channel=headers["agi_channel"],
            uniqueid=headers["agi_uniqueid"],
            callerid=_known(headers.get("agi_callerid")),
            calleridname=_known(headers.get("agi_calleridname")),
            context=headers["agi_context"],
            extension=headers["agi_extension"],
            arguments=_arguments(headers),
            raw=MappingProxyType(dict(headers)),
        )


def _known(value: str | None) -> str | None:
    return None if value is None or value in ("", _UNKNOWN) else value


def _arguments(headers: Mapping[str, str]) -> tuple[str, ...]:
    """agi_arg_1..agi_arg_N in order; Asterisk numbers them without gaps."""
    numbered: dict[int, str] = {}
    for key, value in headers.items():
        match = _ARG_KEY.fullmatch(key)
        if match:
            numbered[int(match.group(1))] = value
    for expected in range(1, len(numbered) + 1):
        if expected not in numbered:
            raise AgiProtocolError(
                f"AGI environment has agi_arg_{max(numbered)} but no agi_arg_{expected}"
            )
    return tuple(numbered[n] for n in range(1, len(numbered) + 1))
