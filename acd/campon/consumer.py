"""Asterisk's news for camp-ons: the agent's leg hanging up after the ``Redirect``.

The ``Hangup`` of a leg whose caller is being moved to a camp-on can reach us before
the ``Redirect``'s answer. This consumer runs before the agents' one
(``acd.controller``), so the core hears of the transfer first and the leg's end then
closes a transferred call, as after a warm transfer, not a call handled directly.
"""

from __future__ import annotations

from acd.ami.events import Hangup as HangupEvent
from acd.campon.service import CampOnRequests


class CampOnEvents:
    def __init__(self, requests: CampOnRequests) -> None:
        self._requests = requests

    def on_event(self, event: object) -> None:
        if isinstance(event, HangupEvent):
            self._requests.transferred(event.channel.uniqueid)
