"""Where the controller puts its events: the ``EventSink`` interface and its fake.

The controller's Redis publisher (``acd.publisher``) is the real sink. ``MemorySink``
is the in-process one for tests, shipped beside the interface: it keeps every event in
order and encodes each one as the publisher would, so a test on it fails where an event
could not be written to the stream.
"""

from __future__ import annotations

import logging
from typing import Protocol, TypeVar

from contract.codec import encode
from contract.events import StreamEvent

E = TypeVar("E", bound=StreamEvent)


class EventSink(Protocol):
    """Takes events in order and never blocks the caller."""

    def publish(self, event: StreamEvent) -> None: ...


log = logging.getLogger(__name__)


class Tee:
    """Hands every event to each sink in turn; one sink failing does not stop the rest.

    The controller's events go to the Redis publisher first, then to its own readers
    (the agents' desks): a bug in a reader must never cost the stream an event.
    """

    def __init__(self, *sinks: EventSink) -> None:
        self._sinks = sinks

    def publish(self, event: StreamEvent) -> None:
        for sink in self._sinks:
            try:
                sink.publish(event)
            except Exception:
                log.exception("%s could not take %s", type(sink).__name__, event.TYPE)


class MemorySink:
    """Keeps what was published; ``entries`` holds the encoded stream entries too."""

    def __init__(self) -> None:
        self.events: list[StreamEvent] = []
        self.entries: list[dict[str, str]] = []

    def publish(self, event: StreamEvent) -> None:
        self.entries.append(encode(event))
        self.events.append(event)

    def of_type(self, kind: type[E]) -> list[E]:
        """The events of one type, in order."""
        return [e for e in self.events if isinstance(e, kind)]

    @property
    def types(self) -> list[str]:
        return [e.TYPE for e in self.events]

    def clear(self) -> None:
        self.events.clear()
        self.entries.clear()
