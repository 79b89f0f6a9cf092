"""What the controller needs of one FastAGI call: the ``AgiChannel`` interface.

``acd.agi.AgiSession`` is the real one (a call's commands over its socket);
``acd.agi.fake.FakeAgiChannel`` the in-process fake. The IVR's narrower
``ivr_flows.channel.IvrChannel`` is satisfied by both.
"""

from __future__ import annotations

from typing import Protocol

from acd.agi.environment import AgiEnvironment
from acd.agi.session import AgiSession


class AgiChannel(Protocol):
    """One caller's (or agent's) channel while Asterisk runs our FastAGI script."""

    @property
    def env(self) -> AgiEnvironment: ...

    @property
    def hung_up(self) -> bool: ...

    async def wait_hangup(self) -> None:
        """Return once the channel hung up or left FastAGI (a ``Bridge`` took it)."""
        ...

    async def stream_file(self, name: str, escape_digits: str = "") -> str | None: ...

    async def wait_for_digit(self, timeout_s: float) -> str | None: ...

    async def set_variable(self, name: str, value: str) -> None: ...

    async def get_variable(self, name: str) -> str | None: ...

    async def exec(self, app: str, args: str = "") -> int: ...

    async def answer(self) -> None: ...


def _the_session_is_one(session: AgiSession) -> AgiChannel:
    return session  # mypy checks the real session against the interface
