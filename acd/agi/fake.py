"""FakeAgiChannel: one FastAGI call in-process, for fast tests of what the controller does.

Where ``acd.agi.testing.FakeAsterisk`` speaks the FastAGI wire protocol to test the
session itself, this fake stands in for the session (``AgiChannel``): every command is
recorded in ``commands`` as the line the real session would send (``EXEC Playtones
ring``, ``SET VARIABLE KCC_TOPIC burgerzaken``), channel variables live in
``variables``, and keys the caller presses (``press``) are read by ``wait_for_digit``
and stop a ``stream_file`` whose escape digits include them. ``hang_up`` ends the call
as Asterisk's ``HANGUP`` does: ``wait_hangup`` returns and every later command raises
``AgiHangup``. A test can react to commands as they come (``on_command``), for example
to hang up while the caller hears ringback. Given ``sleep`` (a fake clock's), a ``wait_for_digit``
without a key pressed yet waits, as Asterisk does, until a key, the hang-up (then
``AgiHangup``) or its timeout on that clock; without it, it answers at once.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable, Mapping

from acd.agi.environment import AgiEnvironment
from acd.agi.errors import AgiHangup
from acd.agi.port import AgiChannel
from acd.agi.testing import asterisk_env


class FakeAgiChannel:
    """An ``AgiChannel`` steered by the test; see the module docstring."""

    def __init__(
        self,
        script: str = "ivr",
        *,
        linkedid: str = "1718000000.1",
        variables: Mapping[str, str] | None = None,
        sleep: Callable[[float], Awaitable[None]] | None = None,
        peer: str = "127.0.0.1",
        **env: str,
    ) -> None:
        headers = asterisk_env(script, **{f"agi_{k}": v for k, v in env.items()})
        self._env = AgiEnvironment.from_headers(headers)
        self.peer = peer  # the address the call came from, as AgiSession.peer
        self.variables: dict[str, str] = {"CHANNEL(linkedid)": linkedid, **(variables or {})}
        self.commands: list[str] = []
        self.on_command: Callable[[str], None] | None = None
        self._keys: deque[str] = deque()
        self._gone = asyncio.Event()
        self._pressed = asyncio.Event()
        self._sleep = sleep

    @property
    def env(self) -> AgiEnvironment:
        return self._env

    @property
    def hung_up(self) -> bool:
        return self._gone.is_set()

    def hang_up(self) -> None:
        """The caller hangs up (or a ``Bridge`` takes the channel out of FastAGI)."""
        self._gone.set()

    def press(self, keys: str) -> None:
        """Keys the caller presses, read in order."""
        self._keys.extend(keys)
        self._pressed.set()

    async def wait_hangup(self) -> None:
        await self._gone.wait()

    async def stream_file(self, name: str, escape_digits: str = "") -> str | None:
        self._run(f"STREAM FILE {name} {escape_digits}".rstrip())
        if self._keys and self._keys[0] in escape_digits:
            return self._keys.popleft()
        return None

    async def wait_for_digit(self, timeout_s: float) -> str | None:
        self._run(f"WAIT FOR DIGIT {round(timeout_s * 1000)}")
        if not self._keys and self._sleep is not None:
            await self._wait_key(self._sleep, timeout_s)
        return self._keys.popleft() if self._keys else None

    async def _wait_key(self, sleep: Callable[[float], Awaitable[None]], timeout_s: float) -> None:
        self._pressed.clear()
        waits = [asyncio.ensure_future(w) for w in (self._pressed.wait(), self._gone.wait())]
        timer = asyncio.ensure_future(sleep(timeout_s))
        try:
            await asyncio.wait({*waits, timer}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (*waits, timer):
                task.cancel()
            await asyncio.gather(*waits, timer, return_exceptions=True)
        if self.hung_up and not self._keys:
            raise AgiHangup("WAIT FOR DIGIT: the channel hung up")

    async def set_variable(self, name: str, value: str) -> None:
        self._run(f"SET VARIABLE {name} {value}")
        self.variables[name] = value

    async def get_variable(self, name: str) -> str | None:
        self._run(f"GET VARIABLE {name}")
        return self.variables.get(name)

    async def exec(self, app: str, args: str = "") -> int:
        self._run(f"EXEC {app} {args}".rstrip())
        return 0

    async def answer(self) -> None:
        self._run("ANSWER")

    def _run(self, line: str) -> None:
        if self.hung_up:
            raise AgiHangup(f"{line!r}: the channel hung up")
        self.commands.append(line)
        if self.on_command is not None:
            # A hang-up here comes after this command's reply, as Asterisk's HANGUP
            # line can: this command succeeds, the next one raises.
            self.on_command(line)


def _is_an_agi_channel(fake: FakeAgiChannel) -> AgiChannel:
    return fake  # mypy checks that the fake has the interface's shape
