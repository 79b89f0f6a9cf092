"""A camped-on caller's FastAGI session: the message, ringback, and what comes of it.

The caller hears once "Uw collega is in gesprek ..." and then ringback (``Playtones``)
while ``acd.campon.machine`` waits for the colleague's line. Its inputs come from four
owned watchers: the phonebook's presence (``Phonebook.changes``), the department's
camp-on timer, the caller's keys (``WAIT FOR DIGIT``, which Asterisk plays the ringback
through and which can be cancelled safely) and the caller's hang-up. The colleague is
rung as a direct call is (``ring_caller``: ``Originate`` with ``Bridge`` to the
caller's channel), as a ``camp_on`` ring. Fallen back, the caller waits in the TIC's
general queue in this same session, with ``fell_back_from`` the department.

Two ways in. ``run`` is ``/campon``: a TIC agent's caller, moved here by ``Redirect``.
For the ACD that call was transferred and is over, so a fall back is a new TIC call,
``<call id>-k<n>`` (the stats keep one record per call id). ``offer`` is for
``/direct`` (``acd.backoffice.session.BusyLine``): a caller of a colleague's own number
who finds the line in a call presses 1 to camp on; their call was never the TIC's, so
it keeps its id.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from acd.agi import AgiHangup
from acd.agi.port import AgiChannel
from acd.ami.channels import LiveChannels
from acd.backoffice.machine import Ring
from acd.backoffice.service import Answer, DirectRinger
from acd.backoffice.session import Offered, ring_caller
from acd.campon import machine as m
from acd.clock import Clock
from acd.phonebook.machine import Line
from acd.phonebook.service import Phonebook
from acd.queue.service import QueuedCaller
from acd.queue.session import QueueWait
from acd.tasks import TaskSet
from contract.dialplan import Var
from contract.vocabulary import RingKind

log = logging.getLogger(__name__)

OFFER_KEY_S = 5.0
"""How long a direct caller has, after the offer, to press 1 for a camp-on."""
KEY_WAIT_S = 60.0
"""One ``WAIT FOR DIGIT`` while camped on; the next follows at once."""
WAITING_PROMPT = "campon-waiting"
OFFER_PROMPT = "campon-offer"
CAMP_ON_TEXTS: dict[str, str] = {
    WAITING_PROMPT: (
        "Uw collega is in gesprek. U wacht tot de lijn vrij is. "
        "Toets 1 om een andere medewerker te spreken."
    ),
    OFFER_PROMPT: (
        "Uw collega is in gesprek. Toets 1 om te wachten tot de lijn vrij is, "
        "of blijf aan de lijn voor een andere medewerker."
    ),
}
"""What a camped-on caller hears, by prompt id (rendered with the IVR's prompts)."""

_RING_INPUT: dict[Answer, m.CampOnInput] = {
    Answer.ANSWERED: m.RingAnswered(),
    Answer.NOT_ANSWERED: m.RingNotAnswered(),
    Answer.CALLER_LEFT: m.RingCallerLeft(),
}


def fallback_call_id(call_id: str, serial: int) -> str:
    """The TIC call an agent's camped-on caller becomes should they fall back."""
    return f"{call_id}{_FALLBACK_MARK}{serial}"


def first_call_id(call_id: str) -> str:
    """The Asterisk call (its ``Linkedid``) a call id is of: itself, or the call an
    agent's camp-on fell back from."""
    head, mark, serial = call_id.rpartition(_FALLBACK_MARK)
    return head if mark and serial.isdigit() else call_id


_FALLBACK_MARK = "-k"


@dataclass(frozen=True, slots=True)
class Camper:
    """A caller camped on ``extension``; ``tic_call_id`` is their id should they fall back."""

    call_id: str
    tic_call_id: str
    extension: str
    department: str | None
    caller: str


class CampOns:
    """Runs camp-ons; one ``run`` (or ``offer``) per FastAGI session."""

    def __init__(
        self,
        ringer: DirectRinger,
        phonebook: Phonebook,
        queue_wait: QueueWait,
        clock: Clock,
        *,
        prompt_name: Callable[[str], str],
        general_topic: str,
    ) -> None:
        self._ringer, self._phonebook, self._queue_wait = ringer, phonebook, queue_wait
        self._clock, self._prompt_name, self._general = clock, prompt_name, general_topic
        self._serial = itertools.count(1)
        # The caller's channel uniqueid -> (their camp-on's inputs, since when), while
        # they wait: a resync tells a camp-on whose caller is gone.
        self._waiting: dict[str, tuple[asyncio.Queue[m.CampOnInput], datetime]] = {}

    async def run(self, agi: AgiChannel) -> None:
        """``/campon``: an agent's caller, redirected here out of the agent's call."""
        call_id = await agi.get_variable("CHANNEL(linkedid)") or agi.env.uniqueid
        extension = agi.env.extension
        department = self._ringer.departments.department_of(extension)
        camper = Camper(
            call_id, fallback_call_id(call_id, next(self._serial)), extension, department,
            agi.env.callerid or "",
        )  # fmt: skip
        try:
            if department is None:  # the dialplan sends only department extensions here
                log.error("camp-on %s on %s, which is no back-office extension", call_id, extension)
                await self._fall_back(agi, camper)
                return
            await self._camp(agi, camper)
        except AgiHangup:
            log.info("camp-on %s: the caller left", call_id)

    async def offer(self, agi: AgiChannel, call_id: str, extension: str, caller: str) -> Offered:
        """``/direct``: offer a caller of a colleague in a call to wait; 1 camps on."""
        if self._phonebook.entry(extension).line is not Line.IN_CALL:
            return Offered.LINE_NOT_BUSY
        key = await agi.stream_file(self._prompt_name(OFFER_PROMPT), escape_digits="0123456789*#")
        if key is None:
            key = await agi.wait_for_digit(OFFER_KEY_S)
        if key != "1":
            return Offered.DECLINED
        department = self._ringer.departments.department_of(extension)
        await self._camp(agi, Camper(call_id, call_id, extension, department, caller))
        return Offered.CAMPED_ON

    async def _camp(self, agi: AgiChannel, camper: Camper) -> None:
        await agi.set_variable(Var.TOPIC, self._general)  # the dialplan's fallback, too
        await agi.stream_file(self._prompt_name(WAITING_PROMPT))
        await agi.exec("Playtones", "ring")
        log.info("call %s camps on %s", camper.call_id, camper.extension)
        ended = await self._wait(agi, camper)
        log.info("camp-on %s on %s: %s", camper.call_id, camper.extension, ended.state.value)
        if ended.state is m.CampOnState.CONNECTED:
            # As for a direct call: stay until the colleague's Bridge has taken the caller.
            await agi.wait_hangup()
        elif ended.state is m.CampOnState.FALLEN_BACK:
            await self._fall_back(agi, camper)

    async def _wait(self, agi: AgiChannel, camper: Camper) -> m.CampOn:
        inputs: asyncio.Queue[m.CampOnInput] = asyncio.Queue()
        tasks = TaskSet(f"camp-on {camper.call_id}")
        after = self._ringer.departments.camp_on_after_s(camper.extension)
        timer = self._clock.call_later(after, lambda: inputs.put_nowait(m.TimeUp()))
        tasks.spawn(self._watch_line(camper.extension, inputs), name="camp-on presence")
        tasks.spawn(_watch_keys(agi, inputs), name="camp-on keys")
        tasks.spawn(_watch_hangup(agi, inputs), name="camp-on hang-up")
        camp_on, ring = m.CampOn(camper.call_id, camper.extension), None
        self._waiting[agi.env.uniqueid] = (inputs, self._clock.now())
        try:
            while not camp_on.finished:
                moved = m.step(camp_on, await inputs.get())
                camp_on = moved.camp_on
                for effect in moved.effects:
                    if isinstance(effect, m.RingColleague):
                        ring = self._ringer.open(
                            camper.call_id, camper.extension, camper.caller, RingKind.CAMP_ON
                        )
                        tasks.spawn(self._ring(agi, ring, inputs), name="camp-on ring")
                    elif isinstance(effect, m.StopRinging) and ring is not None:
                        await self._ringer.give_up(ring)
            return camp_on
        finally:
            self._waiting.pop(agi.env.uniqueid, None)
            timer.cancel()
            await tasks.close()

    def call_entries(self) -> dict[str, int]:
        """The camped-on callers waiting now (``acd.call_tables``)."""
        return {"waiting": len(self._waiting)}

    def reconcile(self, live: LiveChannels) -> None:
        """A camped-on caller whose channel Asterisk no longer has (hung up while AMI was
        away) has left: their camp-on ends rather than ring the colleague for nobody."""
        for uniqueid, (inputs, since) in self._waiting.items():
            if since < live.asked_at and not live.has(uniqueid):
                log.info("resync: the camped-on caller on %s is gone", uniqueid)
                inputs.put_nowait(m.CallerHungUp())

    async def _watch_line(self, extension: str, inputs: asyncio.Queue[m.CampOnInput]) -> None:
        self._put_line(extension, inputs)  # the line as it is now, then every change
        async for _ in self._phonebook.changes():
            self._put_line(extension, inputs)

    def _put_line(self, extension: str, inputs: asyncio.Queue[m.CampOnInput]) -> None:
        line = self._phonebook.entry(extension).line
        if line is Line.FREE:
            inputs.put_nowait(m.LineFree())
        elif line is Line.IN_CALL:
            inputs.put_nowait(m.LineBusy())

    async def _ring(
        self, agi: AgiChannel, ring: Ring, inputs: asyncio.Queue[m.CampOnInput]
    ) -> None:
        try:
            answer = await ring_caller(self._ringer, self._clock, agi, ring)
        except Exception:
            log.exception("camp-on ring %d of %s failed", ring.ring, ring.call_id)
            answer = Answer.NOT_ANSWERED
        inputs.put_nowait(_RING_INPUT[answer])

    async def _fall_back(self, agi: AgiChannel, camper: Camper) -> None:
        await agi.exec("StopPlaytones")
        queued = QueuedCaller(
            camper.tic_call_id, agi.env.channel, camper.caller, self._general, None,
            fell_back_from=camper.department,
        )  # fmt: skip
        await self._queue_wait.wait(agi, queued)


async def _watch_keys(agi: AgiChannel, inputs: asyncio.Queue[m.CampOnInput]) -> None:
    """The caller's first key, whichever it is."""
    try:
        while (key := await agi.wait_for_digit(KEY_WAIT_S)) is None:
            pass
    except AgiHangup:
        return  # hung up, or the colleague's Bridge took the caller: others say which
    inputs.put_nowait(m.KeyPressed(key))


async def _watch_hangup(agi: AgiChannel, inputs: asyncio.Queue[m.CampOnInput]) -> None:
    await agi.wait_hangup()
    inputs.put_nowait(m.CallerHungUp())
