"""One caller on 14023, from the first prompt until they are in a topic queue (or gone).

The caller's channel stays in one FastAGI session the whole time the controller serves
it: the IVR runs here (``ivr_flows.runner.run_ivr``), each step published as it is
taken, and a caller who chose a topic is handed to the queue's wait
(``acd.queue.session.QueueWait``) in the same session. A flow that ends in a closed
message sets ``KCC_HANDLED`` so the dialplan does not queue the caller after all.
"""

from __future__ import annotations

from collections.abc import Callable

from acd.agi import AgiHangup
from acd.agi.port import AgiChannel
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
from ivr_flows.runner import run_ivr


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

    async def run(self, agi: AgiChannel) -> None:
        call_id = await agi.get_variable("CHANNEL(linkedid)") or agi.env.uniqueid
        caller = agi.env.callerid or ""
        self._sink.publish(
            stream.CallStarted(
                at=self._clock.now(), call_id=call_id, caller=caller, dialled=agi.env.extension
            )
        )
        try:
            outcome = await run_ivr(
                self._flow,
                agi,
                self._switches.context(),
                self._prompt_name,
                lambda step: self._step(call_id, step),
            )
        except AgiHangup:
            self._ended(call_id, CallPhase.IVR, EndedBy.CALLER)
            return
        if not isinstance(outcome, EnterQueue):
            await agi.set_variable(Var.HANDLED, HANDLED)
            self._ended(call_id, CallPhase.CLOSED, EndedBy.SYSTEM)
            return
        queued = QueuedCaller(call_id, agi.env.channel, caller, outcome.topic, outcome.municipality)
        await self._queue_wait.wait(agi, queued)

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
