"""The channels Asterisk has now, asked once per resync (``CoreShowChannels``).

AMI does not replay what happened while it was away (a reconnect) or what the event
stream dropped (``ResyncRequired``). What the controller can ask is which channels
exist now; each room then closes what it holds for a channel that is gone
(``Reconciliation``, run by ``acd.controller`` after each login and after lost
events). One list serves every room, so they all judge on the same moment.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from acd.ami.actions import CoreShowChannels
from acd.ami.errors import AmiError
from acd.ami.events import CoreShowChannel
from acd.ami.port import AmiPort

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class LiveChannels:
    """The channels Asterisk listed, by uniqueid and by name (``PJSIP/trunk-0000000b``).

    A call's id is the ``Linkedid``, its first channel's uniqueid: ``linkedids`` are the
    calls that still have any channel. ``asked_at``: when the list was asked for; a
    channel that came after it may be missing from it, so a room judges only what it
    held from before (a caller who joined since is not gone)."""

    asked_at: datetime
    uniqueids: frozenset[str]
    names: frozenset[str]
    linkedids: frozenset[str] = frozenset()

    @classmethod
    def of(cls, asked_at: datetime, items: Iterable[CoreShowChannel]) -> LiveChannels:
        channels = [item.channel for item in items]
        return cls(
            asked_at=asked_at,
            uniqueids=frozenset(c.uniqueid for c in channels),
            names=frozenset(c.name for c in channels),
            linkedids=frozenset(c.linkedid or c.uniqueid for c in channels),
        )

    def has(self, uniqueid: str) -> bool:
        return uniqueid in self.uniqueids

    def has_named(self, name: str) -> bool:
        return name in self.names


class Reconciling(Protocol):
    """A room that closes what it holds for channels Asterisk no longer has."""

    def reconcile(self, live: LiveChannels) -> None: ...


async def live_channels(ami: AmiPort, now: Callable[[], datetime]) -> LiveChannels | None:
    """The channels Asterisk has now; None (logged) when it could not be asked."""
    asked_at = now()
    try:
        result = await ami.send_action(CoreShowChannels())
    except AmiError as exc:
        log.warning("resync failed: %s", exc)
        return None
    return LiveChannels.of(asked_at, result.items(CoreShowChannel))


class Reconciliation:
    """One resync: ask Asterisk once, hand the answer to each room in order."""

    def __init__(
        self, ami: AmiPort, now: Callable[[], datetime], rooms: Sequence[Reconciling]
    ) -> None:
        self._ami, self._now, self._rooms = ami, now, rooms

    async def run(self) -> bool:
        """False (and nothing closed) when Asterisk could not be asked."""
        live = await live_channels(self._ami, self._now)
        if live is None:
            return False
        for room in self._rooms:
            room.reconcile(live)
        return True
