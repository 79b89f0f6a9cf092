"""The recording key pressed for the agent: the API's and the automatic policy's way in.

Theory of operation
-------------------
The phone's ``#3`` runs the dialplan's ``kcc-record`` subroutine, which toggles
MixMonitor on the phone's own channel and tells the controller in a ``UserEvent``
(``acd.recording.consumer``). Starting MixMonitor over AMI needs manager class
``system`` (app_mixmonitor.c registers the action so, its ``Command`` runs a shell
command), which with ``originate`` amounts to a shell. So the controller presses the
key instead: ``PlayDTMF`` with ``Receive`` (class ``call``) queues each digit on the
read side of the agent's channel, the bridge's feature keys see it as the phone's own,
and the call takes exactly the key's path: same dialplan, same file names, same event.

The key toggles, so the caller of ``press`` first makes sure Asterisk's state is the
opposite of what is wanted (``KCC_REC_MONITOR``, the running MixMonitor's id). A press
counts once its ``UserEvent`` has come back through ``heard``; none within
``KEY_ANSWER_S`` is a refusal the agent is told. The subroutine beeps after its event,
and a key pressed during the beep is lost to its ``Playback``: the next press on that
channel waits until the beep has played (``BEEP_S``). The feature keys exist only while the
channel is in its bridge (``BRIDGEPEER`` set): just after the answer there may be a
few milliseconds before the leg's ``Bridge`` takes the caller, so that is awaited.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from acd.ami.actions import Getvar, PlayDtmf
from acd.ami.port import AmiPort
from acd.clock import Clock, within
from contract.dialplan import RECORD_KEY, Var

KEY_ANSWER_S = 3.0
"""How long a pressed key gets for its ``UserEvent``: the subroutine sends it right
after starting or stopping MixMonitor, a few hundred milliseconds after the digits."""

BEEP_S = 1.0
"""How long the subroutine plays its beep (one to start, two to stop) after the
``UserEvent``: a key pressed meanwhile goes to that ``Playback`` and is lost (a stop
sent right after a start was lost so on a real call), so the next press waits."""

BRIDGED_WITHIN_S = 2.0
"""How long an answered leg gets to be in its bridge, where the key works."""

_POLL_S = 0.1


@dataclass(frozen=True, slots=True)
class _Press:
    started: bool  # what the press is to do: start (True) or stop a segment
    answer: asyncio.Future[None]


class RemoteKey:
    """Presses the recording key of a channel over AMI and awaits what came of it."""

    def __init__(self, ami: AmiPort, clock: Clock) -> None:
        self._ami, self._clock = ami, clock
        self._presses: dict[str, _Press] = {}  # channel uniqueid -> the press awaiting
        self._beeping_until: dict[str, float] = {}  # channel -> its last press's beep end

    async def recording(self, channel: str) -> bool:
        """Whether Asterisk runs the key's MixMonitor on ``channel`` (raises AmiError)."""
        reply = await self._ami.send_action(Getvar(channel=channel, variable=Var.REC_MONITOR))
        return bool(reply.response.headers.get("Value"))

    async def press(self, channel: str, *, started: bool) -> str | None:
        """Press the key on ``channel`` to start (``started``) or stop a segment; None
        once its ``UserEvent`` came back, else why not. Raises AmiError."""
        if not await self._bridged(channel):
            return f"the call is not connected yet (no bridge within {BRIDGED_WITHIN_S:.0f} s)"
        if channel in self._presses:
            return "the recording key of this call is being pressed already"
        press = _Press(started, asyncio.get_running_loop().create_future())
        self._presses[channel] = press
        try:
            await self._after_the_beep(channel)
            for digit in RECORD_KEY:
                await self._ami.send_action(PlayDtmf(channel=channel, digit=digit, receive=True))
            answered, _ = await within(self._clock, KEY_ANSWER_S, press.answer)
            if answered:
                self._beeping_until[channel] = self._clock.monotonic() + BEEP_S
        finally:
            del self._presses[channel]
        if not answered:
            return (
                f"Asterisk did not answer the recording key ({RECORD_KEY}) within "
                f"{KEY_ANSWER_S:.0f} s; the recording is unchanged as far as the controller knows"
            )
        return None

    async def _after_the_beep(self, channel: str) -> None:
        """Wait until the last press's beep on ``channel`` has played (``BEEP_S``)."""
        until = self._beeping_until.pop(channel, None)
        if until is not None and (left := until - self._clock.monotonic()) > 0:
            await self._clock.sleep(left)

    def forget(self, channel: str) -> None:
        """``channel`` has hung up: nothing of it is kept."""
        self._beeping_until.pop(channel, None)

    def awaits(self, channel: str) -> bool:
        """Whether a press of ours on ``channel`` waits for its ``UserEvent``."""
        return channel in self._presses

    def heard(self, channel: str, *, started: bool) -> None:
        """The key's ``UserEvent`` on ``channel``: answers the press that wanted it."""
        press = self._presses.get(channel)
        if press is not None and press.started == started and not press.answer.done():
            press.answer.set_result(None)

    async def _bridged(self, channel: str) -> bool:
        waited = 0.0
        while True:
            reply = await self._ami.send_action(Getvar(channel=channel, variable="BRIDGEPEER"))
            if reply.response.headers.get("Value"):
                return True
            if waited >= BRIDGED_WITHIN_S:
                return False
            await self._clock.sleep(_POLL_S)
            waited += _POLL_S
