"""Recording without the key: the site's policy applied to each answered call.

``AutomaticRecording`` is an event sink teed after the call facts (``acd.controller``):
on ``call.answered`` it asks ``acd.recording.policy.records`` and, if the call is to
be recorded, has the recorder start a segment on the agent's leg as the agent page's
button would. The agent can stop it (``#3``, the page) like any segment.
"""

from __future__ import annotations

from collections.abc import Callable
from zoneinfo import ZoneInfo

from acd.recording.facts import CallFactsBook
from acd.recording.policy import records
from contract.events import CallAnswered, StreamEvent
from site_config.recording import Automatic


class AutomaticRecording:
    def __init__(
        self,
        policy: Automatic,
        facts: CallFactsBook,
        zone: ZoneInfo,
        start: Callable[[str, str], None],
    ) -> None:
        self._policy, self._facts, self._zone, self._start = policy, facts, zone, start

    def publish(self, event: StreamEvent) -> None:
        if not isinstance(event, CallAnswered) or not event.agent_id:
            return
        wanted = records(
            self._policy,
            call_id=event.call_id,
            topic=self._facts.of(event.call_id).topic,
            agent_id=event.agent_id,
            today=event.at.astimezone(self._zone).date(),
        )
        if wanted:
            self._start(event.agent_id, event.call_id)
