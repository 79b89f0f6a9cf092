"""A warm transfer as Asterisk reports it: the consult's ring, then the completion.

The consult is dialled from a Local channel that inherits the call's ``Linkedid``: its
``DialBegin``/``DialEnd`` say when the colleague's phone rang and whether, and when,
they answered; each such ring of a back-office phone is a ``backoffice.*`` ring of kind
``consult`` (``acd.backoffice.machine``). Only a call a TIC agent is on has consults;
a colleague's own call or a direct call has none.

``AttendedTransfer`` with ``Result: Success`` by one of the agents' legs completes the
transfer: the ACD core is told which department it went to. Asterisk names the target
channel (the consult's Local channel or the phone itself) but not always: when the
Local channel was optimised away first, the consult last seen answered says where it
went.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence

from acd.agents.machine import LegState
from acd.agents.service import AgentLegs
from acd.ami.channels import LiveChannels
from acd.ami.events import AttendedTransfer, DialBegin, DialEnd
from acd.ami.events import Hangup as HangupEvent
from acd.backoffice.consumer import call_over
from acd.backoffice.directory import Departments, extension_of
from acd.backoffice.machine import Answered, NotAnswered, Ring, RingNumbers, open_ring, step
from acd.clock import Clock
from acd.core import effects as fx
from acd.core import inputs as core
from contract import EventSink, StreamEvent
from contract.vocabulary import RingFailure, RingKind

log = logging.getLogger(__name__)

# DialEnd's DialStatus for an unanswered consult, as docs/events.md names the reasons.
_DIAL_STATUS: Mapping[str, RingFailure] = {
    "NOANSWER": RingFailure.NO_ANSWER,
    "BUSY": RingFailure.BUSY,
    "CHANUNAVAIL": RingFailure.UNAVAILABLE,
    "CONGESTION": RingFailure.UNAVAILABLE,
    "CANCEL": RingFailure.CANCELLED,
}

Feed = Callable[[core.Input], Sequence[fx.Effect]]


class TransferEvents:
    """Watches consults and completions; see the module docstring."""

    def __init__(
        self,
        legs: AgentLegs,
        departments: Departments,
        numbers: RingNumbers,
        sink: EventSink,
        clock: Clock,
        feed: Feed,
    ) -> None:
        self._legs, self._departments, self._numbers = legs, departments, numbers
        self._sink, self._clock, self._feed = sink, clock, feed
        self._consults: dict[str, Ring] = {}  # the dialled channel's uniqueid -> ring
        self._consulted: dict[str, str] = {}  # call -> department of its last answered consult
        self._consult_legs: dict[str, str] = {}  # call -> the consulted phone's channel now

    def on_event(self, event: object) -> None:
        match event:
            case DialBegin() if event.caller is not None:
                self._consult_began(event)
            case DialEnd():
                self._consult_ended(event)
            case AttendedTransfer() if event.result == "Success":
                self._completed(event)
            case HangupEvent():
                self._hung_up(event)
            case _:
                pass

    def reconcile(self, live: LiveChannels) -> None:
        """After AMI was away: a consult whose phone is gone rang out unseen (its
        ``DialEnd`` was lost, so whether it was answered is unknown: ``error``), and a
        call none of whose channels is left is over."""
        for uniqueid in [u for u in self._consults if not live.has(u)]:
            ring = self._consults.pop(uniqueid)
            log.info("resync: consult %d of %s is gone", ring.ring, ring.call_id)
            self._consult_legs.pop(ring.call_id, None)
            self._publish(step(ring, NotAnswered(RingFailure.ERROR, self._clock.now())).events)
        for call_id in [c for c in self._consulted if c not in live.linkedids]:
            del self._consulted[call_id]
        for call_id in [c for c in self._consult_legs if c not in live.linkedids]:
            del self._consult_legs[call_id]

    def consult_leg(self, call_id: str) -> str | None:
        """The channel of the colleague's phone an agent consults for ``call_id`` now."""
        return self._consult_legs.get(call_id)

    def _hung_up(self, event: HangupEvent) -> None:
        call_id = event.channel.linkedid
        if self._consult_legs.get(call_id) == event.channel.name:
            del self._consult_legs[call_id]
        if call_over(event):
            self._consulted.pop(call_id, None)
            self._consult_legs.pop(call_id, None)

    @property
    def consults(self) -> int:
        """Consults ringing now."""
        return len(self._consults)

    def call_entries(self) -> dict[str, int]:
        """What warm transfer holds per call: the consults ringing, the department of each
        call's last answered consult, the consulted phones (``acd.call_tables``)."""
        return {
            "consults": len(self._consults),
            "consulted": len(self._consulted),
            "consult_legs": len(self._consult_legs),
        }

    def department_of_transfer(self, call_id: str, target: str) -> str:
        """The department a completed warm transfer of ``call_id`` went to ("" none)."""
        if target:  # Asterisk named where it went: a department's phone, or none's
            department = self._departments.department_of(extension_of(target))
        else:  # the Local channel was optimised away first: the consult says it
            department = self._consulted.get(call_id)
        log.info("call %s transferred to %s (%s)", call_id, department or "-", target)
        return department or ""

    def _consult_began(self, event: DialBegin) -> None:
        extension = extension_of(event.dest.name)
        department = self._departments.department_of(extension)
        if department is None:
            return
        call_id = event.dest.linkedid
        agent_id = self._legs.agent_in_call(call_id)
        if agent_id is None:
            return  # not a TIC call: a colleague's own call, or a direct call
        opened = open_ring(
            call_id,
            self._numbers.next(call_id),
            RingKind.CONSULT,
            department,
            extension,
            at=self._clock.now(),
            agent_id=agent_id,
        )
        self._consults[event.dest.uniqueid] = opened.ring
        self._consult_legs[call_id] = event.dest.name
        self._publish(opened.events)

    def _consult_ended(self, event: DialEnd) -> None:
        ring = self._consults.pop(event.dest.uniqueid, None)
        if ring is None:
            return
        at = self._clock.now()
        if event.dial_status == "ANSWER":
            self._consulted[ring.call_id] = ring.department
            moved = step(ring, Answered(at))
        else:
            self._consult_legs.pop(ring.call_id, None)
            moved = step(
                ring, NotAnswered(_DIAL_STATUS.get(event.dial_status, RingFailure.ERROR), at)
            )
        self._publish(moved.events)

    def _completed(self, event: AttendedTransfer) -> None:
        for channel in (event.orig_transferer, event.second_transferer):
            leg = self._legs.leg(channel.uniqueid)
            if leg is None or leg.state is not LegState.TALKING:
                continue
            target = event.transfer_target.name if event.transfer_target else ""
            department = self.department_of_transfer(leg.call_id, target)
            self._consult_legs.pop(leg.call_id, None)
            self._feed(
                core.CallTransferred(
                    call_id=leg.call_id,
                    agent_id=leg.agent_id,
                    department=department,
                    at=self._clock.now(),
                )
            )
            return

    def _publish(self, events: Sequence[StreamEvent]) -> None:
        for published in events:
            self._sink.publish(published)
