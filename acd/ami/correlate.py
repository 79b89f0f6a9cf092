"""Sans-I/O correlation of AMI answers with the actions that asked for them.

Theory of operation
-------------------
Every action we send carries a unique ActionID, and Asterisk echoes it on the
Response and on every event that belongs to the answer. An answer ends:

* with the Response itself, normally;
* for a list (QueueStatus, CoreShowChannels, Hangup of a /regex/ ...), with
  the event marked ``EventList: Complete``. Whether a list follows is read
  from the Response (``Response: Success`` + ``EventList: start``), never
  guessed from the action type or the message text, so any action that
  starts a list is handled and none waits for a list that was not announced;
* for an asynchronous Originate, with the ``OriginateResponse`` event
  (``Action.final_event``), because the Response only says "queued".

Frames without an ActionID, or with one we are not waiting for, are
unclaimed and belong to the event stream. An action given up on (timeout) is
remembered for a while, so its late frames are swallowed instead of leaking
into the event stream as if they were live events.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import NamedTuple, TypeVar

from acd.ami.actions import Action
from acd.ami.events import AmiEvent, EventFactory
from acd.ami.frames import Event, Response, ResponseKind

_T = TypeVar("_T")


@dataclass(frozen=True)
class ActionResult:
    """The full answer to one action: its Response and its typed events, in order."""

    action_id: str
    action_name: str
    response: Response
    events: tuple[AmiEvent, ...] = ()

    @property
    def ok(self) -> bool:
        """False only for ``Response: Error`` (Goodbye answers a successful Logoff)."""
        return self.response.kind is not ResponseKind.ERROR

    @property
    def message(self) -> str | None:
        return self.response.message

    def items(self, kind: type[_T]) -> tuple[_T, ...]:
        """The answer's events of one type, e.g. ``result.items(QueueMember)``."""
        return tuple(e for e in self.events if isinstance(e, kind))


class FeedResult(NamedTuple):
    """``claimed``: the frame belonged to an action; ``completed``: that answer is whole."""

    claimed: bool
    completed: ActionResult | None


_UNCLAIMED = FeedResult(False, None)
_ABSORBED = FeedResult(True, None)


@dataclass
class _Pending:
    action_name: str
    final_event: str | None
    response: Response | None = None
    in_list: bool = False
    events: list[Event] = field(default_factory=list)


class Correlator:
    """Tracks the actions in flight on one connection."""

    def __init__(self, factory: EventFactory, *, remember_abandoned: int = 256) -> None:
        self._factory = factory
        self._pending: dict[str, _Pending] = {}
        self._abandoned: deque[str] = deque(maxlen=remember_abandoned)
        self._abandoned_set: set[str] = set()
        self.late_frames = 0

    def __len__(self) -> int:
        return len(self._pending)

    def expect(self, action_id: str, action: Action) -> None:
        if action_id in self._pending:
            raise ValueError(f"ActionID {action_id!r} is already in flight")
        self._pending[action_id] = _Pending(action.name, action.final_event)

    def abandon(self, action_id: str) -> None:
        """Stop waiting for ``action_id``; its late frames will be swallowed."""
        if self._pending.pop(action_id, None) is None:
            return
        if len(self._abandoned) == self._abandoned.maxlen:
            self._abandoned_set.discard(self._abandoned[0])
        self._abandoned.append(action_id)
        self._abandoned_set.add(action_id)

    def drain(self) -> list[str]:
        """Forget every action in flight (the connection is gone); returns their IDs."""
        ids = list(self._pending)
        self._pending.clear()
        return ids

    def feed(self, frame: Response | Event) -> FeedResult:
        action_id = frame.headers.get("ActionID")
        if action_id is None:
            return _UNCLAIMED
        pending = self._pending.get(action_id)
        if pending is None:
            if action_id in self._abandoned_set:
                self.late_frames += 1
                return _ABSORBED
            return _UNCLAIMED
        if isinstance(frame, Response):
            return self._on_response(action_id, pending, frame)
        return self._on_event(action_id, pending, frame)

    def _on_response(self, action_id: str, pending: _Pending, frame: Response) -> FeedResult:
        pending.response = frame
        if frame.starts_list:
            pending.in_list = True
            return _ABSORBED
        final = pending.final_event
        if (
            final is not None
            and frame.kind is ResponseKind.SUCCESS
            and not any(e.name == final for e in pending.events)
        ):
            return _ABSORBED
        return self._complete(action_id, pending, frame)

    def _on_event(self, action_id: str, pending: _Pending, frame: Event) -> FeedResult:
        pending.events.append(frame)
        response = pending.response
        if response is None:
            return _ABSORBED  # answer events ahead of the Response: keep until it comes
        if pending.in_list and frame.completes_list:
            return self._complete(action_id, pending, response)
        if not pending.in_list and frame.name == pending.final_event:
            return self._complete(action_id, pending, response)
        return _ABSORBED

    def _complete(self, action_id: str, pending: _Pending, response: Response) -> FeedResult:
        del self._pending[action_id]
        typed = tuple(map(self._factory.build, pending.events))
        return FeedResult(True, ActionResult(action_id, pending.action_name, response, typed))
