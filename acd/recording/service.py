"""One-button recording: start and stop a phone's segment, and keep what it recorded.

Theory of operation
-------------------
Asterisk records; the controller steers and keeps. A staff phone's ``#3`` runs the
dialplan's ``kcc-record`` subroutine, which toggles MixMonitor on the phone's own
channel and says so in a ``UserEvent`` (``acd.recording.consumer``). The API, the agent
page and the automatic policy (``start``/``stop``) press that same key on the agent's
channel over AMI (``acd.recording.remote_key``) and wait for its ``UserEvent``, so the
key and the page always agree on what runs. Either way a segment is
one ``.raw`` file in the capture folder, named by ids only
(``contract.dialplan.capture_name``), and MixMonitor's end command touches a
``.closed`` file beside it once Asterisk has closed it.

When the phone's channel hangs up, the tape machine (``acd.recording.machine``) hands
its segments over (``Keep``): once every segment is closed, the library
(``recordings.shelf``) joins them into one two-channel recording, encrypts it,
catalogues it with what the controller knows of the call (topic, municipality,
position), and removes the plain files; ``call.recording`` ``stored`` follows. What
cannot be kept is ``failed``, logged, and left in the capture folder, where the next
``sweep`` (after each AMI login) tries again; so does a call recorded while the
controller was away (the app_queue fallback, a direct call), whose channel is gone.

Recording never touches the call: a start Asterisk refuses is answered to the agent
(the page shows it, ``failed`` is published), and the call goes on.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Protocol

from acd.agents.machine import Leg
from acd.ami import AmiError
from acd.ami.originate import channel_state
from acd.ami.port import AmiPort
from acd.clock import Clock
from acd.recording.facts import CallFactsBook
from acd.recording.machine import (
    Announce,
    ChannelGone,
    Ignored,
    Keep,
    Segment,
    SegmentStarted,
    SegmentStopped,
    Tape,
    TapeInput,
    Tapes,
)
from acd.recording.remote_key import RemoteKey
from acd.tasks import TaskSet
from contract import EventSink
from contract.dialplan import CLOSED_SUFFIX, parse_capture_name
from contract.events import CallRecording
from contract.vocabulary import RecordingState
from recordings.take import Piece, Take

log = logging.getLogger(__name__)

WRITING_WITHIN_S = 2.0
"""How soon a started segment's file must hold audio: MixMonitor opens it at once and
writes every 20 ms of a bridged call; nothing after this means Asterisk cannot write it
(a full disk, a folder it may not write to)."""

CLOSE_WAIT_S = 10.0
"""How long a hung-up phone's segment gets to be closed by Asterisk (milliseconds, as a
rule) before it is kept as it is."""

BYTES_PER_SECOND = 8000 * 2 * 2  # MixMonitor D: 8 kHz, 16 bit, two channels

_PRESSING = "agent {}'s recording key is being pressed already; try again in a moment"


class Shelf(Protocol):
    """Where recordings are kept (``recordings.shelf.Shelf``); blocking, run in a thread."""

    def keep(self, take: Take) -> str: ...

    def close(self) -> None: ...


@dataclass(frozen=True, slots=True)
class CaptureFolder:
    """The capture folder as the controller reads it and as Asterisk writes it."""

    here: Path
    asterisk: PurePosixPath


class Recorder:
    """The recording room's service: see the module docstring."""

    def __init__(
        self,
        ami: AmiPort,
        sink: EventSink,
        clock: Clock,
        shelf: Shelf,
        capture: CaptureFolder,
        facts: CallFactsBook,
        *,
        talking_leg_of: Callable[[str], Leg | None],
        agent_at: Callable[[str], str],
    ) -> None:
        self._ami, self._sink, self._clock, self._shelf = ami, sink, clock, shelf
        self._capture = capture
        self._talking_leg_of, self._agent_at = talking_leg_of, agent_at
        self._tapes = Tapes()
        self._facts = facts
        self._keeping: set[str] = set()  # channels whose tape is being kept
        self._tasks = TaskSet("recording")
        self._key = RemoteKey(ami, clock)

    def agent_at(self, extension: str) -> str:
        return self._agent_at(extension)

    def tape(self, channel: str) -> Tape | None:
        return self._tapes.get(channel)

    def call_entries(self) -> dict[str, int]:
        """The tapes recording now and the channels whose tape is being kept
        (``acd.call_tables``)."""
        return {"keeping": len(self._keeping), "tapes": sum(1 for _ in self._tapes)}

    # ------------------------------------------------------------ the machine

    def feed(self, event: TapeInput) -> None:
        if isinstance(event, SegmentStarted | SegmentStopped):
            self._key.heard(event.channel, started=isinstance(event, SegmentStarted))
        elif isinstance(event, ChannelGone):
            self._key.forget(event.channel)
        for effect in self._tapes.feed(event):
            match effect:
                case Announce():
                    self._sink.publish(effect.event)
                    if isinstance(event, SegmentStarted):
                        self._tasks.spawn(self._writing(event), name=f"check {event.file}")
                case Keep():
                    self._keeping.add(effect.tape.channel)
                    self._tasks.spawn(self._keep(effect.tape), name=f"keep {effect.tape.channel}")
                case Ignored():
                    log.info("recording: %s", effect.why)

    # ------------------------------------------------------------ the API's key

    async def start(self, agent_id: str) -> str | None:
        """Start a segment on the agent's call; the refusal, or None."""
        leg = self._talking_leg_of(agent_id)
        if leg is None:
            return f"agent {agent_id} is in no call"
        tape = self._tapes.get(leg.uniqueid)
        already = f"agent {agent_id}'s call is being recorded already"
        if tape is not None and tape.running is not None:
            return already
        if self._key.awaits(leg.uniqueid):
            return _PRESSING.format(agent_id)
        try:
            if await self._key.recording(leg.uniqueid):
                return already  # a segment the controller did not hear of: the key would stop it
            refused = await self._key.press(leg.uniqueid, started=True)
        except AmiError as exc:
            refused = f"Asterisk could not start the recording: {exc}"
        if refused is not None:
            log.warning("recording for agent %s: %s", agent_id, refused)
            self._failed(leg.call_id, leg.extension, agent_id, refused)
        return refused

    def start_soon(self, agent_id: str, call_id: str) -> None:
        """Start recording ``call_id`` on the agent's leg (the automatic policy)."""
        self._tasks.spawn(self._start_automatic(agent_id, call_id), name=f"auto {call_id}")

    async def _start_automatic(self, agent_id: str, call_id: str) -> None:
        leg = self._talking_leg_of(agent_id)
        if leg is None or leg.call_id != call_id:
            log.info("automatic recording of %s: agent %s is no longer on it", call_id, agent_id)
            return
        refused = await self.start(agent_id)
        if refused is not None:
            log.info("automatic recording of %s: %s", call_id, refused)

    async def stop(self, agent_id: str) -> str | None:
        """Stop the running segment of the agent's call; the refusal, or None."""
        leg = self._talking_leg_of(agent_id)
        tape = self._tapes.get(leg.uniqueid) if leg is not None else None
        running = tape.running if tape is not None else None
        if leg is None or running is None:
            return f"agent {agent_id}'s call is not being recorded"
        if self._key.awaits(leg.uniqueid):
            return _PRESSING.format(agent_id)
        try:
            if not await self._key.recording(leg.uniqueid):
                # Asterisk records nothing (its MixMonitor ended unheard of): the key
                # would start a segment. Off is what was asked, and what is.
                self.feed(SegmentStopped(leg.uniqueid, running.number, self._clock.now()))
                return None
            refused = await self._key.press(leg.uniqueid, started=False)
        except AmiError as exc:
            refused = f"Asterisk could not stop the recording: {exc}"
        if refused is not None:
            log.warning("recording for agent %s: %s", agent_id, refused)
        return refused

    def awaits_key(self, channel: str) -> bool:
        """Whether the controller pressed the key on ``channel`` and awaits its event:
        the key's ``UserEvent`` is then the API's (or the policy's), not the phone's."""
        return self._key.awaits(channel)

    async def _writing(self, started: SegmentStarted) -> None:
        """Tell the agent (``failed``, on their page) and the log when Asterisk does not
        write a segment it started; the call goes on either way."""
        path = self._capture.here / started.file
        waited = 0.0
        while waited < WRITING_WITHIN_S:
            if _has_audio(path):
                return
            tape = self._tapes.get(started.channel)
            running = tape.running if tape is not None else None
            if running is None or running.number != started.number:
                return  # stopped or hung up already: the keeping will tell
            await self._clock.sleep(0.1)
            waited += 0.1
        if _has_audio(path):
            return
        why = "Asterisk schrijft de opname niet weg (schijf vol of map niet schrijfbaar)"
        log.error("recording %s of call %s: no audio in %s after %.0f s",
                  started.number, started.call_id, path, WRITING_WITHIN_S)  # fmt: skip
        self._failed(started.call_id, started.extension, started.agent_id, why)

    # ------------------------------------------------------------ keeping

    async def _keep(self, tape: Tape) -> None:
        try:
            await self._closed(tape)
            take = self._take(tape)
            recording_id = await asyncio.to_thread(self._shelf.keep, take)
        except Exception as exc:
            log.exception("recording of %s on %s could not be kept", tape.call_id, tape.extension)
            self._failed(tape.call_id, tape.extension, tape.agent_id, f"not stored: {exc}")
            return
        finally:
            self._keeping.discard(tape.channel)
        self._sink.publish(
            CallRecording(
                at=self._clock.now(),
                call_id=tape.call_id,
                agent_id=tape.agent_id,
                state=RecordingState.STORED,
                extension=tape.extension,
                segment=len(tape.segments),
                recording_id=recording_id,
            )
        )

    async def _closed(self, tape: Tape) -> None:
        """Until Asterisk has closed every segment (its end command), or CLOSE_WAIT_S."""
        markers = [self._capture.here / (s.file + CLOSED_SUFFIX) for s in tape.segments]
        deadline = self._clock.now().timestamp() + CLOSE_WAIT_S
        while not all(m.exists() for m in markers):
            if self._clock.now().timestamp() >= deadline:
                log.warning("recording %s: segments not closed in time, kept as they are", tape)
                return
            await asyncio.sleep(0.05)

    def _take(self, tape: Tape) -> Take:
        facts = self._facts.of(tape.call_id)
        return Take(
            call_id=tape.call_id,
            source=tape.channel,
            extension=tape.extension,
            agent_id=tape.agent_id or None,
            position_id=facts.position_id,
            topic=facts.topic,
            municipality=facts.municipality,
            pieces=tuple(_piece(self._capture.here, s) for s in tape.segments),
            timeline=facts.marks,
        )

    def _failed(self, call_id: str, extension: str, agent_id: str, why: str) -> None:
        self._sink.publish(
            CallRecording(
                at=self._clock.now(),
                call_id=call_id,
                agent_id=agent_id,
                state=RecordingState.FAILED,
                extension=extension,
                reason=why[:200],
            )
        )

    # ------------------------------------------------------------ what was left

    async def sweep(self) -> None:
        """Keep the capture folder's tapes whose phone channel is gone: calls recorded
        while the controller was away, and tapes an earlier run could not keep."""
        for tape in _tapes_in(self._capture.here):
            if self._tapes.get(tape.channel) is not None or tape.channel in self._keeping:
                continue
            if await channel_state(self._ami, tape.channel) is not None:
                continue  # still in the call: its hang-up is not ours to see; next sweep
            agent = tape.agent_id or self._agent_at(tape.extension)
            self._keeping.add(tape.channel)
            self._tasks.spawn(
                self._keep(replace(tape, agent_id=agent)), name=f"sweep {tape.channel}"
            )

    async def idle(self) -> None:
        await self._tasks.idle()

    async def close(self) -> None:
        await self._tasks.close()


def _has_audio(path: Path) -> bool:
    try:
        return path.stat().st_size > 0
    except OSError:
        return False


def _piece(folder: Path, segment: Segment) -> Piece:
    return Piece(
        path=folder / segment.file,
        started_at=segment.started_at,
        stopped_at=segment.stopped_at or segment.started_at,
    )


def _tapes_in(folder: Path) -> Iterable[Tape]:
    """The tapes the capture folder holds, from the segments' names and times."""
    found: dict[tuple[str, str, str], list[Segment]] = {}
    for path in sorted(folder.glob("*.raw")):
        parsed = parse_capture_name(path.name)
        if parsed is None:
            log.warning("capture folder: %s is not a segment of ours, left alone", path.name)
            continue
        call_id, extension, channel, number = parsed
        stat = path.stat()
        stopped = datetime.fromtimestamp(stat.st_mtime, UTC)
        started = datetime.fromtimestamp(stat.st_mtime - stat.st_size / BYTES_PER_SECOND, UTC)
        found.setdefault((call_id, extension, channel), []).append(
            Segment(number, path.name, started, stopped)
        )
    for (call_id, extension, channel), segments in found.items():
        segments.sort(key=lambda s: s.number)
        yield Tape(channel, call_id, extension, "", tuple(segments))
