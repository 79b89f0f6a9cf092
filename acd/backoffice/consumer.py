"""Asterisk's news for the back office: who hangs up an answered direct call, and when a
call is over.

``HangupRequest`` and ``Hangup`` of either side of an answered direct call step its
ring. The ``Hangup`` of a call's first channel (its uniqueid is the call's ``Linkedid``,
our call id) means the call is over: its ring numbering is forgotten, so no per-call
table grows with the calls of the day. After AMI was away, ``reconcile`` ends the
answered direct calls whose channels Asterisk no longer has.
"""

from __future__ import annotations

from acd.ami.channels import LiveChannels
from acd.ami.events import Hangup as HangupEvent
from acd.ami.events import HangupRequest
from acd.backoffice.machine import RingNumbers
from acd.backoffice.service import DirectRinger


class BackOfficeEvents:
    """Feeds AMI events to the direct-call ringer and ends calls' ring numbering."""

    def __init__(self, ringer: DirectRinger, numbers: RingNumbers) -> None:
        self._ringer, self._numbers = ringer, numbers

    def on_event(self, event: object) -> None:
        match event:
            case HangupRequest():
                self._ringer.hangup_asked(event.channel.uniqueid)
            case HangupEvent():
                self._ringer.hung_up(event.channel.uniqueid)
                if call_over(event):
                    self._numbers.forget(event.channel.linkedid)
            case _:
                pass

    def reconcile(self, live: LiveChannels) -> None:
        """After AMI was away: the answered direct calls whose channels are gone end."""
        self._ringer.reconcile(live)


def call_over(event: HangupEvent) -> bool:
    """Whether this ``Hangup`` is of the call's first channel, which ends the call."""
    return event.channel.uniqueid == event.channel.linkedid
