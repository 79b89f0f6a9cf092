"""A peer that closes must cost a read or two, never a busy loop (panoramisk's fault).

The reader below counts reads and fails the test after a handful instead of
letting a spinning loop hang the run: at end of stream asyncio's read returns
b"" at once without yielding, so a loop that keeps reading never lets any
other task, timer or timeout run.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest

from acd.agi import AgiHangup, AgiProtocolError, open_session
from acd.agi.testing import asterisk_env, encode_env

SPIN_LIMIT = 20


class CountingReader:
    def __init__(self, reader: asyncio.StreamReader) -> None:
        self.reader = reader
        self.calls = 0

    async def read(self, n: int = -1) -> bytes:
        self.calls += 1
        if self.calls > SPIN_LIMIT:
            raise AssertionError(f"{self.calls} reads: the session spins on a closed stream")
        return await self.reader.read(n)


@asynccontextmanager
async def socket_pair() -> AsyncIterator[
    tuple[CountingReader, asyncio.StreamWriter, socket.socket]
]:
    """Our end as (counting reader, writer); the peer end as a plain socket."""
    ours, theirs = socket.socketpair()
    with theirs:
        reader, writer = await asyncio.open_connection(sock=ours)
        yield CountingReader(reader), writer, theirs


async def test_peer_closing_inside_the_environment() -> None:
    async with socket_pair() as (reader, writer, peer):
        peer.sendall(b"agi_network: yes\nagi_request: agi://x/ivr\n")
        peer.shutdown(socket.SHUT_WR)
        with pytest.raises(AgiProtocolError, match="before the end of the AGI environment"):
            async with open_session(reader, writer):
                pass
        assert reader.calls <= 3
        assert writer.is_closing()


async def test_peer_closing_after_hangup() -> None:
    async with socket_pair() as (reader, writer, peer):
        peer.sendall(encode_env(asterisk_env()) + b"HANGUP\n")
        async with open_session(reader, writer) as session:
            await asyncio.wait_for(session.wait_hangup(), 2)
            peer.shutdown(socket.SHUT_WR)
            await asyncio.sleep(0.05)  # the reader sees the end of stream
            with pytest.raises(AgiHangup, match="closed"):
                await session.command("NOOP")
            calls = reader.calls
            await asyncio.sleep(0.05)
            assert reader.calls == calls <= 4
            assert session.read_calls == calls
