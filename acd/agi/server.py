"""AgiServer: the FastAGI listener Asterisk connects to, one owned task per call.

Asterisk opens one TCP connection per ``AGI(agi://host:port/script)`` call.
Each connection gets its own task, tracked by the server, which reads the
environment (bounded by ``env_timeout``), runs the handler and closes the
connection; closing is what makes AGI() return so the dialplan carries on
(with its fallback, when the handler did not mark the call as handled).

Only Asterisk may connect: a connection from an address not in
``allowed_peers`` (loopback unless given; names are resolved at ``start``) is
closed at once, before a byte is read, and its address logged.

Failures stay inside their call: a handler that raises is logged with the
channel name, a peer that sends garbage, sends the environment too slowly or
disconnects early is logged with its address, and other calls never notice.
Above ``max_sessions`` open calls a new connection is closed at once, so the
dialplan's fallback takes the caller rather than the controller queueing
without limit.

``AgiRouter`` is a handler that picks another handler by the script path
(``agi://host/ivr`` -> ``"ivr"``, ``agi://host/feature?code=*51`` ->
``"feature"``). An unknown path is logged and the connection closed, so the
dialplan continues exactly as if the controller were unreachable.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Collection, Mapping
from types import TracebackType

from acd.agi.errors import AgiError, AgiHangup, AgiProtocolError
from acd.agi.peers import LOOPBACK, AllowedPeers, peer_host
from acd.agi.session import DEFAULT_ENV_TIMEOUT, AgiSession, open_session

log = logging.getLogger(__name__)

AgiHandler = Callable[[AgiSession], Awaitable[None]]
DEFAULT_PORT = 4573  # FastAGI's registered port, res_agi.c's default
DEFAULT_MAX_SESSIONS = 200


class AgiRouter:
    """Dispatches a call to the handler registered for its script path."""

    def __init__(self, routes: Mapping[str, AgiHandler]) -> None:
        self._routes = {path.strip("/"): handler for path, handler in routes.items()}

    @property
    def paths(self) -> frozenset[str]:
        return frozenset(self._routes)

    async def __call__(self, session: AgiSession) -> None:
        env = session.env
        handler = self._routes.get(env.script_path)
        if handler is None:
            log.warning(
                "no AGI handler for script %r (channel %s); closing so the dialplan continues",
                env.network_script,
                env.channel,
            )
            return
        await handler(session)


class AgiServer:
    """``async with AgiServer(handler, port=0) as server:`` listens until the block ends."""

    def __init__(
        self,
        handler: AgiHandler,
        *,
        host: str = "127.0.0.1",
        port: int = DEFAULT_PORT,
        max_sessions: int = DEFAULT_MAX_SESSIONS,
        env_timeout: float = DEFAULT_ENV_TIMEOUT,
        allowed_peers: Collection[str] = LOOPBACK,
    ) -> None:
        if not 0 <= port <= 65535:
            raise ValueError(f"AgiServer port must be 0-65535, got {port}")
        if max_sessions < 1:
            raise ValueError(f"AgiServer max_sessions must be at least 1, got {max_sessions}")
        if not env_timeout > 0:
            raise ValueError(f"AgiServer env_timeout must be > 0 seconds, got {env_timeout}")
        self._handler = handler
        self._host = host
        self._requested_port = port
        self._max_sessions = max_sessions
        self._env_timeout = env_timeout
        if isinstance(allowed_peers, str) or not allowed_peers:
            raise ValueError(f"AgiServer allowed_peers must list addresses, got {allowed_peers!r}")
        self._peer_hosts = tuple(allowed_peers)
        self._peers: AllowedPeers | None = None
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._stopping = False
        self.rejected_connections = 0
        self.refused_peers = 0  # connections from an address not allowed

    async def __aenter__(self) -> AgiServer:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def port(self) -> int:
        """The bound port (the one the OS picked when constructed with port 0)."""
        if self._server is None or not self._server.sockets:
            raise RuntimeError("AgiServer is not listening; call start() first")
        port: int = self._server.sockets[0].getsockname()[1]
        return port

    @property
    def active_sessions(self) -> int:
        """Connections being served now, those still sending their environment included."""
        return len(self._tasks)

    async def start(self) -> None:
        if self._server is not None:
            raise RuntimeError("AgiServer already started")
        self._stopping = False
        self._peers = await AllowedPeers.resolve(self._peer_hosts)
        self._server = await asyncio.start_server(self._accept, self._host, self._requested_port)
        log.info("FastAGI listening on %s:%d for %s only", self._host, self.port, self._peers)

    async def stop(self) -> None:
        """Stop listening, cancel every open call and wait for their tasks to finish."""
        server, self._server = self._server, None
        if server is None:
            return
        self._stopping = True
        server.close()
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.wait(tasks)
        await server.wait_closed()
        log.info("FastAGI stopped; %d open call(s) were closed", len(tasks))

    def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        # A plain callback, not a coroutine: asyncio would own a coroutine's task,
        # and stop() could not cancel and await it.
        peer = writer.get_extra_info("peername")
        if self._peers is None or not self._peers.allows(peer):
            self.refused_peers += 1
            log.warning(
                "FastAGI connection from %s refused: not an allowed peer (allowed: %s)",
                peer_host(peer),
                self._peers,
            )
            writer.transport.abort()
            return
        if self._stopping or len(self._tasks) >= self._max_sessions:
            self.rejected_connections += 1
            log.warning(
                "FastAGI connection from %s refused: %s",
                peer,
                "stopping" if self._stopping else f"{self._max_sessions} calls open already",
            )
            writer.transport.abort()
            return
        task = asyncio.create_task(self._serve(reader, writer), name=f"agi {peer}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        peer = writer.get_extra_info("peername")
        try:
            async with open_session(reader, writer, env_timeout=self._env_timeout) as session:
                await self._run_handler(session)
        except AgiProtocolError as error:
            log.warning("FastAGI connection from %s dropped: %s", peer, error)
        except Exception:
            log.exception("FastAGI connection from %s failed", peer)

    async def _run_handler(self, session: AgiSession) -> None:
        env = session.env
        try:
            await self._handler(session)
        except AgiHangup as error:
            log.info("AGI %r on %s ended by hangup: %s", env.script_path, env.channel, error)
        except AgiError as error:
            log.warning("AGI %r on %s failed: %s", env.script_path, env.channel, error)
        except Exception:
            log.exception("AGI handler for %r on %s crashed", env.script_path, env.channel)
