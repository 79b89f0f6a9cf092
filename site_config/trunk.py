"""The carrier trunk: from which addresses calls to the public number may come.

Asterisk tells the trunk from everything else by the INVITE's source address
(``identify`` with ``match=``), as a carrier's interconnect is told apart. Only the
addresses listed here are the carrier; any other unauthenticated INVITE is refused.
"""

from __future__ import annotations

import ipaddress
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, field_validator

from site_config.fields import FrozenModel, not_allowed

_ADDRESS_ALLOWED = (
    "an IP address or network in CIDR form with no host bits set, e.g. '192.0.2.10' or "
    "'198.51.100.0/28' (not a catch-all such as '0.0.0.0/0')"
)


def _carrier_address(value: Any) -> Any:
    if not isinstance(value, str):
        raise not_allowed(_ADDRESS_ALLOWED, f"{value!r} is not allowed (put it in quotes)")
    try:
        network = ipaddress.ip_network(value, strict=True)
    except ValueError:
        raise not_allowed(_ADDRESS_ALLOWED) from None
    if network.prefixlen == 0:
        # Every address would be the carrier: anyone could call in unauthenticated.
        raise not_allowed(_ADDRESS_ALLOWED, f"{value!r} would make every address the carrier")
    return str(network.network_address) if "/" not in value else str(network)


CarrierAddress = Annotated[str, BeforeValidator(_carrier_address)]


class Trunk(FrozenModel, frozen=True):
    """The carrier interconnect; without ``carrier_addresses``, the service address.

    The default keeps a config without a ``trunk`` section working as before: the test
    carrier (SIPp) and the demo send from the bind address, ``127.0.0.1``.
    """

    carrier_addresses: Annotated[tuple[CarrierAddress, ...], Field(max_length=32)] = ()

    @field_validator("carrier_addresses")
    @classmethod
    def _each_once(cls, addresses: tuple[str, ...]) -> tuple[str, ...]:
        repeated = sorted({a for a in addresses if addresses.count(a) > 1})
        if repeated:
            raise not_allowed("each address once", f"{', '.join(repeated)} listed twice")
        return addresses

    def addresses(self, bind_host: str) -> tuple[str, ...]:
        """What ``identify`` matches: the carrier's addresses, else ``bind_host``."""
        return self.carrier_addresses or (bind_host,)
