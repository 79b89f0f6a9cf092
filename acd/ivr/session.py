"""One caller on 14023, from the first prompt until they are in a topic queue (or gone).

The caller's channel stays in one FastAGI session the whole time the controller serves
it: the IVR runs here (``ivr_flows.runner.run_ivr``), each step published as it is
taken, and a caller who chose a topic is handed to the queue's wait
(``acd.queue.session.QueueWait``) in the same session. A flow that ends in a closed
message sets ``KCC_HANDLED`` so the dialplan does not queue the caller after all.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime

from acd.agi import AgiHangup
from acd.agi.port import AgiChannel
from acd.ami.channels import LiveChannels
from acd.clock import Clock
from acd.ivr.service import IvrSwitches
from acd.queue.service import QueuedCaller
from acd.queue.session import QueueWait
from contract import EventSink
from contract import events as stream
from contract.dialplan import HANDLED, Var
from contract.vocabulary import CallPhase, EndedBy, IvrOutcome
from ivr_flows.engine import EnterQueue, RecordStep
from ivr_flows.model import Flow
from ivr_flows.runner import IvrResult, run_ivr


class IvrSession:
    """Runs callers through the flow; one ``run`` per FastAGI session."""

    def __init__(
        self,
        flow: Flow,
        switches: IvrSwitches,
        queue_wait: QueueWait,
        sink: EventSink,
        clock: Clock,
        *,
        prompt_name: Callable[[str], str],
    ) -> None:
        self._flow, self._switches, self._queue_wait = flow, switches, queue_wait
        self._sink, self._clock, self._prompt_name = sink, clock, prompt_name
        # The caller's channel uniqueid -> (set when a resync finds it gone, since when),
        # while they are in the menu.
        self._in_menu: dict[str, tuple[asyncio.Event, datetime]] = {}

    async def run(self, agi: AgiChannel) -> None:
        call_id = await agi.get_variable("CHANNEL(linkedid)") or agi.env.uniqueid
        caller = agi.env.callerid or ""
        self._sink.publish(
            stream.CallStarted(
                at=self._clock.now(), call_id=call_id, caller=caller, dialled=agi.env.extension
            )
        )
        try:
            outcome = await self._menu(agi, call_id)
        except AgiHangup:
            self._ended(call_id, CallPhase.IVR, EndedBy.CALLER)
            return
        if not isinstance(outcome, EnterQueue):
            await agi.set_variable(Var.HANDLED, HANDLED)
            self._ended(call_id, CallPhase.CLOSED, EndedBy.SYSTEM)
            return
        queued = QueuedCaller(call_id, agi.env.channel, caller, outcome.topic, outcome.municipality)
        await self._queue_wait.wait(agi, queued)

    async def _menu(self, agi: AgiChannel, call_id: str) -> IvrResult:
        """The flow, until it ends or a resync finds the caller's channel gone."""
        gone = asyncio.Event()
        self._in_menu[agi.env.uniqueid] = (gone, self._clock.now())
        flow = asyncio.ensure_future(
            run_ivr(
                self._flow,
                agi,
                self._switches.context(),
                self._prompt_name,
                lambda step: self._step(call_id, step),
            )
        )
        lost = asyncio.ensure_future(gone.wait())
        try:
            await asyncio.wait({flow, lost}, return_when=asyncio.FIRST_COMPLETED)
            if flow.done():
                return flow.result()
            raise AgiHangup(f"{agi.env.channel} is gone (found at a resync)")
        finally:
            self._in_menu.pop(agi.env.uniqueid, None)
            for task in (flow, lost):
                task.cancel()
            await asyncio.gather(flow, lost, return_exceptions=True)

    def call_entries(self) -> dict[str, int]:
        """What the IVR holds per call: the callers in the menu now (``acd.call_tables``)."""
        return {"in_menu": len(self._in_menu)}

    def reconcile(self, live: LiveChannels) -> None:
        """Callers in the menu whose channel Asterisk no longer has (hung up while AMI
        was away) end in the IVR now, rather than be queued for nobody."""
        for uniqueid, (gone, since) in self._in_menu.items():
            if since < live.asked_at and not live.has(uniqueid):
                gone.set()

    def _step(self, call_id: str, step: RecordStep) -> None:
        self._sink.publish(
            stream.CallIvrStep(
                at=self._clock.now(),
                call_id=call_id,
                node=step.node,
                digit=step.digit,
                outcome=IvrOutcome(step.outcome),
            )
        )

    def _ended(self, call_id: str, phase: CallPhase, by: EndedBy) -> None:
        self._sink.publish(
            stream.CallEnded(at=self._clock.now(), call_id=call_id, phase=phase, by=by)
        )
