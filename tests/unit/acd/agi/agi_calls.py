"""Test helpers: one live FastAGI call between a real AgiServer and a FakeAsterisk."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable, Mapping
from contextlib import asynccontextmanager

from acd.agi import AgiServer, AgiSession
from acd.agi.testing import DEAD_CHANNEL, Answer, FakeAsterisk, standard_answer


@asynccontextmanager
async def live_call(
    answer: Answer = standard_answer, env: Mapping[str, str] | None = None
) -> AsyncIterator[tuple[AgiSession, FakeAsterisk]]:
    """The server's session and the fake Asterisk of one call; ends the call on exit."""
    sessions: asyncio.Queue[AgiSession] = asyncio.Queue()
    finished = asyncio.Event()

    async def handler(session: AgiSession) -> None:
        await sessions.put(session)
        await finished.wait()

    async with (
        AgiServer(handler, port=0) as server,
        FakeAsterisk(server.port, answer=answer) as ast,
    ):
        await ast.send_env(env)
        session = await asyncio.wait_for(sessions.get(), 2)
        try:
            yield session, ast
        finally:
            finished.set()


class Script:
    """Answers commands by prefix from a table; after a HANGUP it answers 511 like Asterisk.

    A table value may be a list of replies: one is used per matching command.
    """

    def __init__(self, table: Mapping[str, str | list[str | None] | None]) -> None:
        self.table = {k: list(v) if isinstance(v, list) else [v] for k, v in table.items()}
        self.dead = False

    def __call__(self, line: str) -> str | None:
        if self.dead:
            return DEAD_CHANNEL
        for prefix, replies in self.table.items():
            if line.startswith(prefix):
                reply = replies.pop(0) if len(replies) > 1 else replies[0]
                if reply is not None and "HANGUP" in reply.splitlines():
                    self.dead = True
                return reply
        return standard_answer(line)


def commands_sent(ast: FakeAsterisk, *, without: Iterable[str] = ()) -> list[str]:
    return [c for c in ast.commands if not any(c.startswith(p) for p in without)]
