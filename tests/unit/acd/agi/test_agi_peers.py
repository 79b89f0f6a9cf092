"""AgiServer serves Asterisk's address only: others are closed at once, their handler never runs.

Real sockets on the loopback network: Linux answers every 127.x.y.z address, so a client
connecting from 127.0.0.2 is a host the server was not told about.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

import pytest

from acd.agi import AgiServer, AgiSession
from acd.agi.peers import AllowedPeers
from acd.agi.testing import FakeAsterisk, asterisk_env


class Handled:
    def __init__(self) -> None:
        self.channels: list[str] = []

    async def __call__(self, session: AgiSession) -> None:
        self.channels.append(session.env.channel)
        await session.set_variable("KCC_HANDLED", "1")


async def test_a_connection_from_an_address_not_allowed_is_closed_and_never_handled(
    caplog: pytest.LogCaptureFixture,
) -> None:
    handled = Handled()
    caplog.set_level(logging.WARNING, logger="acd.agi.server")
    async with (
        AgiServer(handled, host="127.0.0.1", port=0, allowed_peers=["127.0.0.2"]) as server,
        FakeAsterisk(server.port, source="127.0.0.1") as intruder,
    ):
        with contextlib.suppress(OSError):  # the server may have reset it already
            await intruder.send_env(asterisk_env("feature", agi_extension="*511001"))
        await asyncio.wait_for(intruder.closed_by_server.wait(), 2)
    assert handled.channels == []
    assert intruder.commands == []
    assert server.refused_peers == 1
    assert "FastAGI connection from 127.0.0.1 refused: not an allowed peer" in caplog.text


async def test_a_connection_from_an_allowed_address_is_served() -> None:
    handled = Handled()
    async with (
        AgiServer(handled, port=0, allowed_peers=["127.0.0.2"]) as server,
        FakeAsterisk(server.port, source="127.0.0.2") as asterisk,
    ):
        await asterisk.send_env()
        await asyncio.wait_for(asterisk.closed_by_server.wait(), 2)
    assert handled.channels == ["PJSIP/trunk-00000001"]
    assert asterisk.commands == ["SET VARIABLE KCC_HANDLED 1"]
    assert server.refused_peers == 0


async def test_the_default_is_loopback_only() -> None:
    handled = Handled()
    async with AgiServer(handled, port=0) as server, FakeAsterisk(server.port) as asterisk:
        await asterisk.send_env()
        await asyncio.wait_for(asterisk.closed_by_server.wait(), 2)
    assert handled.channels == ["PJSIP/trunk-00000001"]


async def test_host_names_are_resolved_and_mapped_addresses_compare_as_ipv4() -> None:
    peers = await AllowedPeers.resolve(["localhost", "10.20.0.5"])
    assert peers.allows(("127.0.0.1", 4573))
    assert peers.allows(("::ffff:10.20.0.5", 4573, 0, 0))
    assert not peers.allows(("10.20.0.6", 4573))
    assert not peers.allows("not an address")


async def test_allowed_peers_must_name_someone() -> None:
    with pytest.raises(ValueError, match="allowed_peers must list addresses"):
        AgiServer(Handled(), allowed_peers=[])
    with pytest.raises(ValueError, match="allowed_peers must list addresses"):
        AgiServer(Handled(), allowed_peers="127.0.0.1")
    with pytest.raises(ValueError, match="cannot be resolved"):
        await AllowedPeers.resolve(["no-such-host.invalid"])
