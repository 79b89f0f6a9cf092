"""The contract between the project's processes and with Asterisk's dialplan.

Foundation layer: imports nothing of the project's own.

* ``vocabulary`` the words the events use (agent states, pause reasons, outcomes, ...)
* ``events``     one frozen class per stream event (docs/events.md)
* ``codec``      the versioned encoding of an event as a Redis Stream entry, and back
* ``sink``       where the controller puts events (``EventSink``), and its in-process fake
* ``dialplan``   the names the generated dialplan and the controller share
"""

from contract.codec import (
    SCHEMA_VERSION,
    EventError,
    UnknownEventType,
    UnknownVersion,
    decode,
    encode,
)
from contract.events import EVENT_TYPES, StreamEvent
from contract.sink import EventSink, MemorySink

__all__ = [
    "EVENT_TYPES",
    "SCHEMA_VERSION",
    "EventError",
    "EventSink",
    "MemorySink",
    "StreamEvent",
    "UnknownEventType",
    "UnknownVersion",
    "decode",
    "encode",
]
