"""Who may open a FastAGI connection: Asterisk's address(es), nobody else.

FastAGI has no login: whoever reaches the port speaks for a call. So the server
takes connections only from the addresses it was given (the site's
``services.agi_peers``) and closes any other at once. Names are resolved once,
when the server starts; addresses compare as addresses, so ``::ffff:127.0.0.1``
(an IPv4 peer on a dual-stack socket) is ``127.0.0.1``.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Iterable

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
LOOPBACK = ("127.0.0.1", "::1")


def _address(text: str) -> IpAddress | None:
    try:
        address = ipaddress.ip_address(text.split("%", 1)[0])  # drop an IPv6 zone
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def peer_host(peername: object) -> str:
    """The host part of a socket's ``peername`` (a tuple for TCP), as text."""
    if isinstance(peername, tuple) and peername:
        return str(peername[0])
    return str(peername)


class AllowedPeers:
    """The addresses a FastAGI connection may come from; built by ``resolve``."""

    def __init__(self, addresses: Iterable[IpAddress]) -> None:
        self.addresses = frozenset(addresses)
        if not self.addresses:
            raise ValueError("FastAGI needs at least one allowed peer address")

    @classmethod
    async def resolve(cls, hosts: Iterable[str]) -> AllowedPeers:
        """Addresses as given, host names looked up (every address they have)."""
        found: list[IpAddress] = []
        loop = asyncio.get_running_loop()
        for host in hosts:
            address = _address(host)
            if address is not None:
                found.append(address)
                continue
            try:
                infos = await loop.getaddrinfo(host, None, type=socket.SOCK_STREAM)
            except OSError as error:
                raise ValueError(f"FastAGI peer {host!r} cannot be resolved: {error}") from None
            found += [a for a in (_address(str(i[4][0])) for i in infos) if a is not None]
        return cls(found)

    def allows(self, peername: object) -> bool:
        address = _address(peer_host(peername))
        return address is not None and address in self.addresses

    def __str__(self) -> str:
        return ", ".join(sorted(str(a) for a in self.addresses))
