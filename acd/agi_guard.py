"""The FastAGI guard: a call is served only for a channel Asterisk really has.

FastAGI believes what the connection tells it: ``agi_channel`` is the channel the
controller will log an agent in for, queue as a caller, or bridge an agent to. The
server already takes connections from Asterisk's address only (``acd.agi.peers``);
this is the second lock, for anything else on that host. Before the router picks a
room, ``ChannelGuard`` asks Asterisk over AMI for the ``UNIQUEID`` of the channel
named in ``agi_channel`` and serves the call only if it is the ``agi_uniqueid`` the
connection claimed. A channel Asterisk does not have, a different uniqueid, or an
AMI that cannot answer: the call is refused (logged with the peer's address and the
claimed channel) and the connection closes, so the dialplan's fallback runs and no
room acts on it.

An AMI connection that is down is usually coming back (the client reconnects with a
back-off): the guard keeps asking until ``wait_s`` has passed since the call came, and
only then refuses. The caller hears silence meanwhile, then the IVR as usual; a caller
refused after all still reaches an agent: every logged-in agent is a member of the
fallback's general queue (``acd.agents.mirror``).

Why a ``Getvar`` and not a mirror of channels from AMI events: the controller keeps
no such mirror (it follows only its own legs), and an AGI() can start before the
event loop has read the channel's ``Newchannel``. A ``Getvar`` asks Asterisk itself,
once per call, at the moment it matters.
"""

from __future__ import annotations

import asyncio
import logging

from acd.agi import AgiRouter, AgiSession
from acd.ami import AmiError
from acd.ami.actions import Getvar
from acd.ami.errors import AmiActionError, AmiConnectionError
from acd.ami.port import AmiPort

log = logging.getLogger(__name__)

# A call waits this long at most for its check, an AMI reconnect included (the client's
# back-off doubles from 0.5 s: a short outage is over within it); then the fallback.
CHECK_TIMEOUT_S = 8.0
RETRY_S = 0.25  # between attempts while the connection is lost


class ChannelGuard:
    """An ``AgiHandler`` around the router; see the module docstring."""

    def __init__(
        self, ami: AmiPort, router: AgiRouter, *, timeout_s: float = CHECK_TIMEOUT_S
    ) -> None:
        self._ami = ami
        self._router = router
        self._timeout_s = timeout_s
        self.refused = 0

    @property
    def paths(self) -> frozenset[str]:
        return self._router.paths

    async def __call__(self, session: AgiSession) -> None:
        env = session.env
        refusal = await self._refusal(env.channel, env.uniqueid)
        if refusal is not None:
            self.refused += 1
            log.warning(
                "FastAGI %r from %s refused for channel %r (uniqueid %r): %s; closing so "
                "the dialplan's fallback runs",
                env.script_path,
                session.peer,
                env.channel,
                env.uniqueid,
                refusal,
            )
            return
        await self._router(session)

    async def _refusal(self, channel: str, uniqueid: str) -> str | None:
        """Why the call may not be served; None when Asterisk has this channel."""
        # Asterisk finds a channel by its uniqueid too; agi_channel is always a name.
        if not channel or not channel.isprintable() or channel == uniqueid:
            return "not a channel name Asterisk sends"
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._timeout_s
        while True:
            try:
                reply = await self._ami.send_action(
                    Getvar(channel=channel, variable="UNIQUEID"),
                    timeout=max(deadline - loop.time(), 0.001),
                )
                break
            except AmiActionError as error:
                return f"Asterisk has no such channel ({error.message})"
            except AmiConnectionError as error:  # lost in flight: ask again once back
                if loop.time() + RETRY_S >= deadline:
                    return f"the channel could not be checked over AMI ({error})"
                await asyncio.sleep(RETRY_S)
            except AmiError as error:
                return f"the channel could not be checked over AMI ({error})"
        actual = reply.response.headers.get("Value", "")
        if actual != uniqueid:
            return f"Asterisk's {channel} has uniqueid {actual!r}"
        return None
