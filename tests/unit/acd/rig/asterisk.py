"""Asterisk's scripted answers to the actions the controller sends, on a FakeAmi.

An ``Originate`` per extension (answered at once, not answered, refused, held until the
test finishes it, picked up by another phone), ``Getvar`` of a channel's state and of a
live channel's ``UNIQUEID`` (``channels``: the FastAGI guard asks), ``Hangup``,
``Atxfer``, ``Redirect``, the ``CoreShowChannels`` and ``QueueStatus`` lists and the
queue-member actions.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from acd.ami.actions import (
    Atxfer,
    CoreShowChannels,
    ExtensionStateList,
    Getvar,
    Hangup,
    Originate,
    QueueAdd,
    QueuePause,
    QueueRemove,
    QueueStatus,
    Redirect,
)
from acd.ami.events import AmiEvent
from acd.ami.fake import FakeAmi, Reply, failure, success
from tests.unit.acd.rig.events import Chan, core_show_channel, originate_response


@dataclass(frozen=True)
class Outcome:
    """How an Originate ends: ``reason`` is Asterisk's AST_CONTROL code (4 answered,
    3 no answer, 5 busy, 8 unreachable); ``refused``: ``Response: Error`` at once;
    ``held``: the phone rings until ``Asterisk.finish``; ``by``: answered by this
    channel (a colleague's pickup) instead of ours."""

    answered: bool = False
    reason: int = 0
    refused: bool = False
    held: bool = False
    by: Chan | None = None


ANSWERED = Outcome(answered=True, reason=4)
NO_ANSWER = Outcome(reason=3)
BUSY = Outcome(reason=5)
RINGING = Outcome(held=True)
REFUSED = Outcome(refused=True)


@dataclass
class Asterisk:
    """Scripted answers on a FakeAmi; see the module docstring."""

    ami: FakeAmi = field(default_factory=FakeAmi)
    outcomes: dict[str, Outcome] = field(default_factory=dict)  # extension -> next outcome
    states: dict[str, str] = field(default_factory=dict)  # uniqueid -> CHANNEL(state)
    channels: dict[str, str] = field(default_factory=dict)  # name -> UNIQUEID, for Getvar
    alive: set[str] = field(default_factory=set)  # uniqueids CoreShowChannels lists
    shown: dict[str, Chan] = field(default_factory=dict)  # an alive uniqueid's own channel
    members: list[AmiEvent] = field(default_factory=list)  # QueueStatus's QueueMember items
    hints: list[AmiEvent] = field(default_factory=list)  # ExtensionStateList's items
    refuse_transfer: str | None = None
    _held: dict[str, asyncio.Future[Outcome]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.ami.answer(Originate, self._originate)
        self.ami.answer(Getvar, self._getvar)
        self.ami.answer(Hangup, lambda action: success("Channel Hungup"))
        self.ami.answer(Atxfer, self._atxfer)
        self.ami.answer(Redirect, lambda action: success("Redirect successful"))
        self.ami.answer(CoreShowChannels, self._channels)
        self.ami.answer(QueueStatus, lambda action: success("Queue status will follow",
                                                            self.members))  # fmt: skip
        self.ami.answer(ExtensionStateList, lambda action: success(
            "Extension Statuses will follow", self.hints))  # fmt: skip
        for kind in (QueueAdd, QueueRemove, QueuePause):
            self.ami.answer(kind, lambda action: success("Done"))

    def originated(self, extension: str | None = None) -> list[Originate]:
        sent = self.ami.sent_of(Originate)
        return [a for a in sent if extension is None or a.channel == f"PJSIP/{extension}"]

    def hung_up(self) -> list[str]:
        return [a.channel for a in self.ami.sent_of(Hangup)]

    def finish(self, extension: str, outcome: Outcome) -> None:
        """The held Originate to ``extension`` ends now, as ``outcome`` says."""
        self._held.pop(extension).set_result(outcome)

    def ringing(self, extension: str) -> bool:
        return extension in self._held

    def has(self, *chans: Chan) -> None:
        """Asterisk has these channels now (as ``CoreShowChannels`` lists them)."""
        for chan in chans:
            self.alive.add(chan.uniqueid)
            self.shown[chan.uniqueid] = chan

    async def _originate(self, action: Originate) -> Reply:
        extension = action.channel.removeprefix("PJSIP/")
        outcome = self.outcomes.get(extension, NO_ANSWER)
        if outcome.refused:
            return failure("Originate failed")
        if outcome.held:
            held: asyncio.Future[Outcome] = asyncio.get_running_loop().create_future()
            self._held[extension] = held
            outcome = await held
            if outcome.refused:
                return failure("Originate failed")
        response = originate_response(
            action, answered=outcome.answered, reason=outcome.reason, by=outcome.by
        )
        return success("Originate successfully queued", [response])

    def _getvar(self, action: Getvar) -> Reply:
        if action.variable == "UNIQUEID":
            uniqueid = self.channels.get(action.channel or "")
            if uniqueid is None:
                return failure("No such channel")
            return success(Variable=action.variable, Value=uniqueid)
        state = self.states.get(action.channel or "")
        if state is None:
            return failure("No such channel")
        return success(Variable=action.variable, Value=state)

    def _atxfer(self, action: Atxfer) -> Reply:
        if self.refuse_transfer is not None:
            return failure(self.refuse_transfer)
        return success("Atxfer successfully queued")

    def _channels(self, action: CoreShowChannels) -> Reply:
        items = [
            core_show_channel(self.shown.get(u) or Chan(f"PJSIP/x-{u}", u))
            for u in sorted(self.alive)
        ]
        return success("Channels will follow", items)
