"""Asterisk Manager Interface (AMI) layer of the contact-centre controller.

Layers, from the wire up:

* ``protocol``   sans-I/O framing: bytes -> frames, actions -> bytes
* ``frames``     the generic frames (Banner, Response, Event, MalformedFrame)
* ``events``     typed, frozen domain events built from Event frames
* ``actions``    typed actions (Login, Originate, QueueStatus, ...)
* ``correlate``  sans-I/O matching of answers (and event lists) to actions
* ``event_stream`` the bounded queue between reader and controller
* ``connection`` AmiClient: asyncio adapter with keep-alive and reconnect
* ``testing``    an in-process fake AMI server for tests

See docs/ami.md.
"""

from acd.ami.connection import AmiClient
from acd.ami.correlate import ActionResult
from acd.ami.errors import (
    AmiActionError,
    AmiConnectionError,
    AmiError,
    AmiLoginError,
    AmiTimeoutError,
)
from acd.ami.event_stream import EventStream, ResyncRequired
from acd.ami.protocol import AmiProtocol
from acd.ami.settings import AmiSettings, Backoff

__all__ = [
    "ActionResult",
    "AmiActionError",
    "AmiClient",
    "AmiConnectionError",
    "AmiError",
    "AmiLoginError",
    "AmiProtocol",
    "AmiSettings",
    "AmiTimeoutError",
    "Backoff",
    "EventStream",
    "ResyncRequired",
]
