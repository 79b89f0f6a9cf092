"""Where the wallboard's records come from: a `BoardFeed`, and its in-process fake.

Theory of operation: a feed hands out the day's records as one frozen `BoardInputs` and
says, through `subscribe()`, when they changed. The event consumer's feed
(`realtime_stats.wallboard.consumer_feed`) is the real one; `InMemoryBoardFeed` is the
fake beside it for tests and the demo, its records set by hand.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Protocol

from realtime_stats.figures.callback_records import CallbackNote
from realtime_stats.figures.periods import as_utc
from realtime_stats.figures.records import AgentInterval, CallRecord


@dataclass(frozen=True, slots=True, kw_only=True)
class BoardInputs:
    """Everything one snapshot is computed from, at the moment ``now``.

    ``agent_names`` and ``agent_positions`` (agent id -> name / position id such as
    ``tic1``) are optional: names default to the site config, positions to unknown.
    ``events_through`` is the Redis Stream id of the last event folded into these
    records ("" when none or not from the stream): it says how fresh the board is.
    ``callback_notes`` are the open notes and those made, done or due today.
    """

    calls: tuple[CallRecord, ...] = ()
    intervals: tuple[AgentInterval, ...] = ()
    callback_notes: tuple[CallbackNote, ...] = ()
    now: datetime
    agent_names: Mapping[str, str] = field(default_factory=dict)
    agent_positions: Mapping[str, str] = field(default_factory=dict)
    events_through: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "now", as_utc("BoardInputs.now", self.now))
        object.__setattr__(self, "calls", tuple(self.calls))
        object.__setattr__(self, "intervals", tuple(self.intervals))
        object.__setattr__(self, "callback_notes", tuple(self.callback_notes))
        for name in ("agent_names", "agent_positions"):
            object.__setattr__(self, name, MappingProxyType(dict(getattr(self, name))))


class BoardFeed(Protocol):
    """Where the wallboard's records come from."""

    def inputs(self) -> BoardInputs:
        """The records as they are now; called on every push, so keep it cheap. Handing
        out the same record objects while they are unchanged makes the wallboard's
        "did anything change?" check a matter of identity."""
        ...

    def subscribe(self) -> AsyncIterator[None]:
        """An async generator that yields after every change (bursts may yield once).

        A subscriber sees every change made after its first ``anext`` started, so the
        generator must register before its first real wait.
        """
        ...


def _utc_now() -> datetime:
    return datetime.now(UTC)


class InMemoryBoardFeed:
    """A :class:`BoardFeed` whose records are set by hand: tests, and an app without an
    event stream to follow.

    Safe to change from another thread than the one serving the app (browser tests
    drive it from the test thread): each subscriber is woken on its own event loop.
    """

    def __init__(self, *, clock: Callable[[], datetime] = _utc_now) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._calls: dict[str, CallRecord] = {}
        self._intervals: list[AgentInterval] = []
        self._notes: dict[str, CallbackNote] = {}
        self._names: dict[str, str] = {}
        self._positions: dict[str, str] = {}
        self._subscribers: list[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = []

    def inputs(self) -> BoardInputs:
        with self._lock:
            return BoardInputs(
                calls=tuple(self._calls.values()),
                intervals=tuple(self._intervals),
                callback_notes=tuple(self._notes.values()),
                now=self._clock(),
                agent_names=self._names,
                agent_positions=self._positions,
            )

    def set_records(
        self,
        *,
        calls: Iterable[CallRecord] = (),
        intervals: Iterable[AgentInterval] = (),
        callback_notes: Iterable[CallbackNote] = (),
        agent_names: Mapping[str, str] | None = None,
        agent_positions: Mapping[str, str] | None = None,
    ) -> None:
        """Replace every record (names/positions only when given), then notify."""
        with self._lock:
            self._calls = {call.call_id: call for call in calls}
            self._intervals = list(intervals)
            self._notes = {note.note_id: note for note in callback_notes}
            self._names = dict(self._names if agent_names is None else agent_names)
            self._positions = dict(self._positions if agent_positions is None else agent_positions)
        self.notify()

    def put_call(self, call: CallRecord) -> None:
        """Add a call or replace the one with its ``call_id``, then notify."""
        with self._lock:
            self._calls[call.call_id] = call
        self.notify()

    def put_callback_note(self, note: CallbackNote) -> None:
        """Add a callback note or replace the one with its ``note_id``, then notify."""
        with self._lock:
            self._notes[note.note_id] = note
        self.notify()

    def put_agent_state(self, interval: AgentInterval, *, position: str | None = None) -> None:
        """Start a new state for an agent: their open interval ends where this one starts."""
        with self._lock:
            self._intervals = [
                replace(old, end=interval.start)
                if old.agent_id == interval.agent_id and old.end is None
                else old
                for old in self._intervals
            ]
            self._intervals.append(interval)
            if position is not None:
                self._positions[interval.agent_id] = position
        self.notify()

    def notify(self) -> None:
        """Wake every subscriber; several notifies before it runs wake it once."""
        with self._lock:
            subscribers = list(self._subscribers)
        for loop, wake in subscribers:
            # RuntimeError: that loop has closed, and its subscriber went with it.
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(wake.set)

    async def subscribe(self) -> AsyncGenerator[None, None]:
        entry = (asyncio.get_running_loop(), asyncio.Event())
        with self._lock:
            self._subscribers.append(entry)
        try:
            while True:
                await entry[1].wait()
                entry[1].clear()
                yield
        finally:
            with self._lock:
                self._subscribers.remove(entry)

    @property
    def subscriber_count(self) -> int:
        with self._lock:
            return len(self._subscribers)
