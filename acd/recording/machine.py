"""One phone's recording of one call, decided without I/O: its segments and its end.

Theory of operation
-------------------
A *tape* is what one staff phone's channel recorded of the call it is in: numbered
segments, each a MixMonitor run from a start (the phone's ``#3``, the API, the agent
page, the site's automatic policy) to a stop (the same, or the channel hanging up).
Asterisk does the recording; this machine only follows it, by the channel's uniqueid:

- ``SegmentStarted`` opens segment *n* (``recording`` is announced);
- ``SegmentStopped`` closes the running one (``stopped``);
- ``ChannelGone`` closes a running segment at the hang-up and hands the whole tape
  over to be kept (``Keep``): joined, encrypted and catalogued by the service.

A start while a segment runs, or a stop of a segment that is not running, changes
nothing and says why (``Ignored``): the key and the API can race, and both ends then
agree with what Asterisk does, which runs one MixMonitor a channel at a time.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from contract.events import CallRecording
from contract.vocabulary import RecordingState


@dataclass(frozen=True, slots=True)
class Segment:
    number: int
    file: str  # the capture file's name (contract.dialplan.capture_name)
    started_at: datetime
    stopped_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Tape:
    """What the phone on ``channel`` (its uniqueid) recorded of ``call_id``."""

    channel: str
    call_id: str
    extension: str
    agent_id: str
    segments: tuple[Segment, ...] = ()

    @property
    def running(self) -> Segment | None:
        last = self.segments[-1] if self.segments else None
        return last if last is not None and last.stopped_at is None else None


# ---------------------------------------------------------------- inputs


@dataclass(frozen=True, slots=True)
class SegmentStarted:
    channel: str
    call_id: str
    extension: str
    agent_id: str
    number: int
    file: str
    at: datetime


@dataclass(frozen=True, slots=True)
class SegmentStopped:
    channel: str
    number: int  # 0: whichever runs
    at: datetime


@dataclass(frozen=True, slots=True)
class ChannelGone:
    channel: str
    at: datetime


TapeInput = SegmentStarted | SegmentStopped | ChannelGone


# ---------------------------------------------------------------- effects


@dataclass(frozen=True, slots=True)
class Announce:
    event: CallRecording


@dataclass(frozen=True, slots=True)
class Keep:
    """The channel is gone: keep what it recorded."""

    tape: Tape


@dataclass(frozen=True, slots=True)
class Ignored:
    why: str


TapeEffect = Announce | Keep | Ignored


class Tapes:
    """The tapes of every phone channel recording now, by the channel's uniqueid."""

    def __init__(self) -> None:
        self._tapes: dict[str, Tape] = {}

    def get(self, channel: str) -> Tape | None:
        return self._tapes.get(channel)

    def __iter__(self) -> Iterator[Tape]:
        return iter(list(self._tapes.values()))

    def feed(self, event: TapeInput) -> Sequence[TapeEffect]:
        match event:
            case SegmentStarted():
                return self._started(event)
            case SegmentStopped():
                return self._stopped(event)
            case ChannelGone():
                return self._gone(event)

    def _started(self, event: SegmentStarted) -> Sequence[TapeEffect]:
        tape = self._tapes.get(event.channel) or Tape(
            event.channel, event.call_id, event.extension, event.agent_id
        )
        if tape.running is not None:
            return (Ignored(f"{event.channel} records segment {tape.running.number} already"),)
        if any(s.number == event.number for s in tape.segments):
            return (Ignored(f"{event.channel} had segment {event.number} already"),)
        segment = Segment(event.number, event.file, event.at)
        agent = tape.agent_id or event.agent_id
        self._tapes[event.channel] = replace(
            tape, agent_id=agent, segments=(*tape.segments, segment)
        )
        return (_announce(tape, RecordingState.STARTED, segment, event.at, agent),)

    def _stopped(self, event: SegmentStopped) -> Sequence[TapeEffect]:
        tape = self._tapes.get(event.channel)
        running = tape.running if tape is not None else None
        if tape is None or running is None:
            return (Ignored(f"{event.channel} records nothing"),)
        if event.number and running.number != event.number:
            return (
                Ignored(f"{event.channel} records segment {running.number}, not {event.number}"),
            )
        self._tapes[event.channel] = _close(tape, event.at)
        return (_announce(tape, RecordingState.STOPPED, running, event.at, tape.agent_id),)

    def _gone(self, event: ChannelGone) -> Sequence[TapeEffect]:
        tape = self._tapes.pop(event.channel, None)
        if tape is None:
            return ()
        running = tape.running
        if running is None:
            return (Keep(tape),)
        stopped = _announce(tape, RecordingState.STOPPED, running, event.at, tape.agent_id)
        return (stopped, Keep(_close(tape, event.at)))


def _close(tape: Tape, at: datetime) -> Tape:
    *done, last = tape.segments
    return replace(tape, segments=(*done, replace(last, stopped_at=at)))


def _announce(
    tape: Tape, state: RecordingState, segment: Segment, at: datetime, agent_id: str
) -> Announce:
    return Announce(
        CallRecording(
            at=at,
            call_id=tape.call_id,
            agent_id=agent_id,
            state=state,
            extension=tape.extension,
            segment=segment.number,
        )
    )
