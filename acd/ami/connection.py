"""AmiClient: the thin asyncio adapter around the sans-I/O AMI core.

Theory of operation
-------------------
``async with AmiClient(settings, on_connected=...) as client`` opens an
asyncio.TaskGroup that owns one supervisor task. The supervisor loops:
connect, start the reader, log in, call ``on_connected`` (the controller
resyncs there), start the keep-alive, and wait until the session dies; then
it sleeps a capped, jittered exponential back-off and starts over. Each
session's reader and keep-alive live in their own TaskGroup, so when either
ends (EOF, socket error, no Pong) the other is cancelled and awaited.

* ``__aenter__`` returns after the first login and ``on_connected``. A refused login
  at start-up raises AmiLoginError at once (a configuration error); failing
  to connect is retried until ``startup_timeout``, then AmiConnectionError.
  After start-up every failure, a refused login included (Asterisk may be
  mid-reload), is logged and retried.
* The reader never waits for the consumer: typed events go to a bounded
  EventStream (see event_stream.py for what happens when it is full).
* Keep-alive: a Ping every ``ping_interval``; no answer within
  ``ping_timeout`` means a dead or half-open connection, which is dropped.
* Actions in flight when a connection drops fail with AmiConnectionError;
  they are never re-sent, since most are not idempotent (Originate, QueueAdd).
* Exceptions other than connection trouble (from ``on_connected`` too) are
  bugs: they end the client's TaskGroup instead of being retried forever.

The secret travels only in the Login action, whose repr hides it; this
module never logs outgoing bytes.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from contextlib import suppress
from types import TracebackType

from acd.ami._session import Session
from acd.ami.actions import Action, Login, Logoff, Ping
from acd.ami.correlate import ActionResult
from acd.ami.errors import (
    AmiActionError,
    AmiConnectionError,
    AmiError,
    AmiLoginError,
    AmiTimeoutError,
)
from acd.ami.event_stream import EventStream
from acd.ami.events import EventFactory, GenericEvent, InvalidEvent
from acd.ami.protocol import AmiProtocol
from acd.ami.settings import AmiSettings

log = logging.getLogger(__name__)
_RECONNECTABLE = (AmiError, OSError, TimeoutError)
_LOGOFF_TIMEOUT = 1.0
_READ_SIZE = 64 * 1024

OnConnected = Callable[["AmiClient"], Awaitable[None]]


class AmiClient:
    """Connection to one Asterisk manager interface, kept alive and reconnected."""

    def __init__(
        self,
        settings: AmiSettings,
        *,
        on_connected: OnConnected | None = None,
        droppable: tuple[type, ...] = (GenericEvent, InvalidEvent),
        random_source: Callable[[], float] = random.random,
        name: str = "kcc",
    ) -> None:
        self._settings = settings
        self._on_connected = on_connected
        self._random = random_source
        self._name = name
        self._peer = f"{settings.host}:{settings.port}"
        self._factory = EventFactory()
        self._stream = EventStream(settings.event_queue_size, droppable=droppable)
        # VarSet is among the busiest events and nothing reads it: skip it before parsing.
        self._ignore = settings.ignore_events | {"VarSet"}
        self._session: Session | None = None
        self._ready = asyncio.Event()
        self._closing = False
        self._attempts = 0  # failed attempts since the last login, for the back-off
        self._serial = 0  # connections opened; makes ActionIDs unique per connection
        self._last_error: BaseException | None = None
        self.connections = 0  # successful logins so far

    # --------------------------------------------------------------- public

    @property
    def connected(self) -> bool:
        return self._session is not None and self._ready.is_set()

    @property
    def reconnects(self) -> int:
        """Logins after the first: each one ends an outage of the AMI connection."""
        return max(self.connections - 1, 0)

    @property
    def dropped_events(self) -> int:
        return self._stream.dropped

    def events(self) -> EventStream:
        """The single consumer's stream of typed events (``async for``)."""
        return self._stream

    # The timeout is a parameter, not left to the caller's asyncio.timeout(), because on
    # expiry the ActionID must be abandoned so its late answer is not taken for events.
    async def send_action(
        self,
        action: Action,
        *,
        timeout: float | None = None,  # noqa: ASYNC109
    ) -> ActionResult:
        """Send ``action`` and return its whole answer (list actions: with their events).

        Waits for a connection if there is none, all within ``timeout``.
        Raises AmiActionError when Asterisk answers ``Response: Error``.
        """
        if self._closing:
            raise AmiConnectionError(f"AMI client for {self._peer} is closed")
        limit = self._settings.action_timeout if timeout is None else timeout
        deadline = asyncio.get_running_loop().time() + limit
        try:
            async with asyncio.timeout_at(deadline):
                await self._ready.wait()
        except TimeoutError:
            raise AmiTimeoutError(
                f"{action.name}: no connection to {self._peer} within {limit:g} s "
                f"(last error: {_describe(self._last_error)})"
            ) from None
        session = self._session
        if session is None:  # dropped between wake-up and now
            raise AmiConnectionError(f"{action.name}: connection to {self._peer} was lost")
        remaining = max(deadline - asyncio.get_running_loop().time(), 0.001)
        result = await session.request(action, limit=remaining, timeout_s=limit)
        if not result.ok:
            raise AmiActionError(action.name, result.action_id, result.message)
        return result

    # ------------------------------------------------------------ lifecycle

    async def __aenter__(self) -> AmiClient:
        self._task_group = asyncio.TaskGroup()
        await self._task_group.__aenter__()
        self._first_login: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._supervisor = self._task_group.create_task(self._supervise(), name="ami-supervisor")
        try:
            await self._await_first_login()
        except BaseException as exc:
            await self._shut_down(type(exc), exc, exc.__traceback__)
            raise
        return self

    async def _await_first_login(self) -> None:
        timeout = self._settings.startup_timeout
        try:
            async with asyncio.timeout(timeout):
                await self._first_login  # cancelled on timeout; the supervisor checks done()
        except TimeoutError:
            raise AmiConnectionError(
                f"could not log in to AMI at {self._peer} within {timeout:g} s "
                f"(last error: {_describe(self._last_error)})"
            ) from None

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> bool | None:
        self._closing = True
        session = self._session
        if session is not None:
            with suppress(*_RECONNECTABLE):
                await session.request(Logoff(), limit=_LOGOFF_TIMEOUT)
        await self._shut_down(exc_type, exc, tb)
        return None

    async def _shut_down(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._closing = True
        self._supervisor.cancel()
        self._stream.close()
        if exc_type is not None and issubclass(exc_type, asyncio.CancelledError):
            # Let the TaskGroup do its cancellation bookkeeping (it may have
            # cancelled us because the supervisor crashed: then it raises that).
            await self._task_group.__aexit__(exc_type, exc, tb)
        else:
            # The caller's own exception propagates as is, not wrapped in a group.
            await self._task_group.__aexit__(None, None, None)

    # ------------------------------------------------------------ internals

    async def _supervise(self) -> None:
        while not self._closing:
            try:
                await self._run_session()
            except AmiLoginError as exc:
                if not self._first_login.done():
                    self._first_login.set_exception(exc)
                    return
                log.error("%s; retrying", exc)
                self._last_error = exc
            except _RECONNECTABLE as exc:
                self._last_error = exc
                if not self._closing:
                    log.warning("AMI: %s", _describe(exc))
            if self._closing:
                return
            delay = self._settings.backoff.delay(self._attempts, self._random)
            self._attempts += 1
            log.info("AMI %s: reconnecting in %.2f s", self._peer, delay)
            await asyncio.sleep(delay)

    async def _run_session(self) -> None:
        settings = self._settings
        reader, writer = await self._connect()
        self._serial += 1
        protocol = AmiProtocol(
            max_frame_size=settings.max_frame_size,
            action_id_prefix=f"{self._name}-{self._serial}-",
            ignore_events=self._ignore,
        )
        session = Session(
            peer=self._peer,
            protocol=protocol,
            factory=self._factory,
            writer=writer,
            stream=self._stream,
        )
        try:
            async with asyncio.TaskGroup() as tasks:
                tasks.create_task(self._read(session, reader), name="ami-reader")
                await self._login(session)
                tasks.create_task(self._keepalive(session), name="ami-keepalive")
        except BaseExceptionGroup as group:
            raise _one_error(group) from None
        finally:
            self._ready.clear()
            self._session = None
            session.close(AmiConnectionError(f"connection to {self._peer} closed"))
            with suppress(*_RECONNECTABLE):
                await writer.wait_closed()

    async def _connect(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        timeout = self._settings.connect_timeout
        try:
            async with asyncio.timeout(timeout):
                return await asyncio.open_connection(self._settings.host, self._settings.port)
        except TimeoutError:
            raise AmiConnectionError(
                f"connecting to {self._peer} took over {timeout:g} s"
            ) from None
        except OSError as exc:
            raise AmiConnectionError(f"cannot connect to {self._peer}: {exc}") from exc

    async def _login(self, session: Session) -> None:
        settings = self._settings
        login = Login(username=settings.username, secret=settings.secret, events=settings.events)
        result = await session.request(login, limit=settings.connect_timeout)
        if not result.ok:
            raise AmiLoginError(
                f"AMI login as {settings.username!r} at {self._peer} refused: {result.message}"
            )
        self.connections += 1
        self._attempts = 0
        self._session = session
        self._ready.set()
        log.info("AMI %s: logged in as %r", self._peer, settings.username)
        if self._on_connected is not None:
            await self._on_connected(self)
        if not self._first_login.done():  # __aenter__ returns with the first resync done
            self._first_login.set_result(None)

    async def _read(self, session: Session, reader: asyncio.StreamReader) -> None:
        while True:
            data = await reader.read(_READ_SIZE)
            session.feed(data)
            if not data:
                raise AmiConnectionError(f"{self._peer} closed the connection")

    async def _keepalive(self, session: Session) -> None:
        interval, timeout = self._settings.ping_interval, self._settings.ping_timeout
        while True:
            await asyncio.sleep(interval)
            try:
                await session.request(Ping(), limit=timeout)
            except AmiTimeoutError:
                raise AmiConnectionError(
                    f"no answer to Ping from {self._peer} within {timeout:g} s: "
                    "the connection is dead or half-open"
                ) from None


def _one_error(group: BaseExceptionGroup[BaseException]) -> BaseException:
    """The session's first connection-level error, or the group itself if it holds a bug."""
    expected, rest = group.split(_RECONNECTABLE)
    if rest is not None or expected is None:
        return group
    leaf: BaseException = expected
    while isinstance(leaf, BaseExceptionGroup):
        leaf = leaf.exceptions[0]
    return leaf


def _describe(exc: BaseException | None) -> str:
    if exc is None:
        return "none"
    return str(exc) or type(exc).__name__
