"""Test doubles for the HTTP tests: a minimal Redis server, the client-factory type."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable

import httpx
from fastapi import FastAPI

# client_for(app): an async iterator yielding one client with app's lifespan running.
ClientFactory = Callable[[FastAPI], AsyncIterator[httpx.AsyncClient]]


class FakeRedis:
    """Just enough RESP over TCP for redis-py to connect and PING; counts the PINGs."""

    def __init__(self) -> None:
        self.pings = 0

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while line := await reader.readline():
                if not line.startswith(b"*"):
                    continue
                args = []
                for _ in range(int(line[1:])):
                    await reader.readline()  # $<length>
                    args.append((await reader.readline()).rstrip(b"\r\n"))
                self.pings += args[0].upper() == b"PING"
                writer.write(b"+PONG\r\n" if args[0].upper() == b"PING" else b"+OK\r\n")
                await writer.drain()
        finally:
            writer.close()
            await writer.wait_closed()
