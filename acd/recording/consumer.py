"""Asterisk's news for recordings: a phone's recording key, and its channel hanging up.

The ``kcc-record`` subroutine's ``UserEvent`` (``acd.ami.events.RecordingKey``) starts
or stops a segment, whether the phone pressed the key or the controller did
(``acd.recording.remote_key``); a ``Hangup`` of a recording channel ends its tape. The
agent is the controller's ``KCC_AGENT`` on a leg it rang, else whoever is seated at the
phone's position (a call of the app_queue fallback); a colleague's phone has none.
"""

from __future__ import annotations

from acd.ami.events import Hangup, RecordingKey
from acd.audit import AuditEntry, AuditLog, Outcome, Via
from acd.clock import Clock
from acd.recording.machine import ChannelGone, SegmentStarted, SegmentStopped
from acd.recording.service import Recorder
from contract.dialplan import parse_capture_name


class RecordingEvents:
    def __init__(self, recorder: Recorder, clock: Clock, audit: AuditLog) -> None:
        self._recorder, self._clock, self._audit = recorder, clock, audit

    def on_event(self, event: object) -> None:
        if isinstance(event, RecordingKey):
            self._key(event)
        elif isinstance(event, Hangup):
            self._recorder.feed(ChannelGone(event.channel.uniqueid, self._clock.now()))

    def _key(self, event: RecordingKey) -> None:
        channel, now = event.channel.uniqueid, self._clock.now()
        # The controller's own press (the API, the automatic policy) is audited where it
        # was asked for; only the phone's is the phone's.
        pressed_by_us = self._recorder.awaits_key(channel)
        parsed = parse_capture_name(event.file)
        extension = parsed[1] if parsed is not None else _endpoint(event.channel.name)
        agent = event.agent_id or self._recorder.agent_at(extension)
        if event.started:
            self._recorder.feed(
                SegmentStarted(
                    channel, event.call_id, extension, agent, event.segment, event.file, now
                )
            )
        else:
            self._recorder.feed(SegmentStopped(channel, event.segment, now))
        if pressed_by_us:
            return
        # The key is the phone's way in: on the audit log like the feature codes.
        self._audit.record(
            AuditEntry(
                at=now,
                user=f"agent {agent}" if agent else f"extension {extension}",
                via=Via.PHONE,
                action="recording",
                outcome=Outcome.DONE,
                agent_id=agent or None,
                detail={
                    "on": "true" if event.started else "false",
                    "call": event.call_id,
                    "extension": extension,
                    "segment": str(event.segment),
                },
            )
        )


def _endpoint(channel_name: str) -> str:
    """``PJSIP/201-0000000a`` -> ``201``."""
    return channel_name.partition("/")[2].rpartition("-")[0]
