"""Asterisk's news about agents' legs: a leg hung up, or (after an outage) is gone.

``Hangup`` of one of our legs steps it (a talking leg's end completes the call for the
ACD core). After a reconnect, or when the event stream lost events, ``reconcile`` is
handed the channels Asterisk has (``acd.ami.channels``) and ends the talking legs that
are gone, so no agent stays "talking" on a call that ended while AMI was away.
"""

from __future__ import annotations

import logging

from acd.agents.machine import HungUp, LegState, Vanished
from acd.agents.service import AgentLegs
from acd.ami.channels import LiveChannels, live_channels
from acd.ami.events import Hangup as HangupEvent
from acd.ami.port import AmiPort
from acd.clock import Clock

log = logging.getLogger(__name__)


class AgentLegEvents:
    """Feeds AMI events about agents' legs to ``AgentLegs``."""

    def __init__(self, legs: AgentLegs, ami: AmiPort, clock: Clock) -> None:
        self._legs, self._ami, self._clock = legs, ami, clock

    def on_event(self, event: object) -> None:
        if isinstance(event, HangupEvent):
            self._legs.step(event.channel.uniqueid, HungUp(at=self._clock.now()))

    async def resync(self) -> None:
        """Ask Asterisk for its channels and ``reconcile`` (this room alone)."""
        live = await live_channels(self._ami, self._clock.now)
        if live is not None:
            self.reconcile(live)

    def reconcile(self, live: LiveChannels) -> None:
        """End the talking legs whose channel Asterisk no longer has."""
        for leg in self._legs.legs():
            if leg.state is LegState.TALKING and not live.has(leg.uniqueid):
                log.info(
                    "resync: agent leg %s of call %s ended while AMI was away",
                    leg.uniqueid,
                    leg.call_id,
                )
                self._legs.step(leg.uniqueid, Vanished(at=self._clock.now()))
