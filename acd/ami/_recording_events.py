"""The recording key's event: the dialplan's ``UserEvent(KccRecording, ...)``.

``asterisk_conf.dialplan`` sends it from the ``kcc-record`` subroutine each time a
staff phone's ``#3`` starts or stops a MixMonitor segment, with the channel's
snapshot (Asterisk adds it to every ``UserEvent`` of a channel) and our own headers:
``Call``, ``Segment``, ``State`` (``started``/``stopped``), ``File`` (on start) and
``Agent`` (the controller's ``KCC_AGENT``, empty on a leg it did not ring). Other
``UserEvent``s stay generic.
"""

from __future__ import annotations

from dataclasses import dataclass

from acd.ami._snapshots import ChannelSnapshot, channel_snapshot
from acd.ami.frames import Event
from contract.dialplan import RECORD_EVENT


@dataclass(frozen=True, slots=True)
class RecordingKey:
    """A segment started or stopped by a phone's recording key."""

    channel: ChannelSnapshot
    call_id: str
    segment: int
    started: bool
    file: str
    agent_id: str

    @classmethod
    def from_frame(cls, frame: Event) -> RecordingKey:
        h = frame.headers
        state = h["State"]
        if state not in ("started", "stopped"):
            raise ValueError(f"State {state!r} is neither 'started' nor 'stopped'")
        if not h["Call"]:
            raise ValueError("Call is empty")
        return cls(
            channel_snapshot(frame),
            h["Call"],
            int(h["Segment"]),
            state == "started",
            h.get("File", ""),
            h.get("Agent", ""),
        )


def is_recording_key(frame: Event) -> bool:
    return frame.headers.get("UserEvent") == RECORD_EVENT


RecordingEvent = RecordingKey
