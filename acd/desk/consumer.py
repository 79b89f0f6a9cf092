"""Asterisk's news for the agents' desks: when a call is over, whatever the way in.

A TIC call's screen goes with its ``call.ended``; a direct call to the back office has
none, and a camp-on's caller may leave without any event. The ``Hangup`` of a call's
first channel (its uniqueid is the call's ``Linkedid``, our call id) ends the call for
the desks. After AMI was away, ``reconcile`` ends the calls none of whose channels
Asterisk still has.
"""

from __future__ import annotations

from acd.ami.channels import LiveChannels
from acd.ami.events import Hangup as HangupEvent
from acd.campon.session import first_call_id
from acd.desk.service import AgentDesks


class DeskEvents:
    def __init__(self, desks: AgentDesks) -> None:
        self._desks = desks

    def on_event(self, event: object) -> None:
        if isinstance(event, HangupEvent) and event.channel.uniqueid == event.channel.linkedid:
            self._desks.call_over(event.channel.linkedid)

    def reconcile(self, live: LiveChannels) -> None:
        for call_id in self._desks.calls():
            if first_call_id(call_id) not in live.linkedids:
                self._desks.call_over(call_id)
