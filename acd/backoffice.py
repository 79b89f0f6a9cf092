"""Back-office colleagues over AMI: direct calls to their extensions, warm-transfer consults.

The second pillar of the municipality's figures is how the rest of the organisation
answers its phone. Two kinds of ring reach a back-office extension:

- **direct**: a caller dialled the extension's own number. The controller rings the
  extension the way it rings a TIC agent (``Originate`` of ``PJSIP/<ext>`` with
  ``Bridge`` to the caller, our own ``ChannelId``) for the department's
  ``fallback_after_s``. Unanswered, the caller falls back to the TIC's general queue
  (``acd.direct_call``), at the back and without priority: no hunt group rings on.
- **consult**: a TIC agent on a call starts a warm transfer (``#2`` on the phone or the
  control API's ``Atxfer``). Asterisk dials the extension from a Local channel that
  inherits the call's ``Linkedid``; its ``DialBegin``/``DialEnd`` say when the
  colleague's phone rang and whether, and when, they answered.

Each ring is published as ``backoffice.*`` events (docs/events.md). This module only
watches and publishes; the ACD core is not involved, back-office colleagues are not
agents.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from acd.agent_legs import channel_up, failure_reason
from acd.ami import AmiClient, AmiError
from acd.ami.actions import Hangup, Originate
from acd.ami.events import DialBegin, DialEnd, HangupRequest, OriginateResponse
from acd.ami.events import Hangup as HangupEvent
from site_config import SiteConfig

log = logging.getLogger(__name__)

# DialEnd's DialStatus for an unanswered consult, as docs/events.md names the reasons.
_DIAL_STATUS: Mapping[str, str] = {
    "NOANSWER": "no_answer",
    "BUSY": "busy",
    "CHANUNAVAIL": "unavailable",
    "CONGESTION": "unavailable",
    "CANCEL": "cancelled",
}

ANSWERED = "answered"
CALLER_LEFT = "caller_left"

# publish(type, call_id, agent_id, fields)
Publish = Callable[[str, str, str, dict[str, str]], None]


@dataclass(frozen=True, slots=True)
class Ring:
    """One back-office ring of a call; ``ring`` numbers them per call."""

    call_id: str
    ring: str
    kind: str  # "direct" or "consult"
    department: str
    extension: str
    agent_id: str = ""

    def fields(self, **extra: str) -> dict[str, str]:
        return {
            "kind": self.kind,
            "department": self.department,
            "extension": self.extension,
            "ring": self.ring,
            **extra,
        }


@dataclass
class _Answered:
    """An answered direct call: its leg and the caller's channel, until one hangs up."""

    ring: Ring
    leg: str
    caller: str
    asked_by: str | None = None  # the side whose HangupRequest came first


def extension_of(channel_name: str) -> str:
    """``PJSIP/301-0000002a`` and ``Local/301@kcc-internal-00000000;1`` -> ``301``."""
    resource = channel_name.split("/", 1)[-1]
    if channel_name.startswith("Local/"):
        return resource.split("@", 1)[0]
    return resource.rsplit("-", 1)[0]


@dataclass
class _Book:
    serials: dict[str, itertools.count[int]] = field(default_factory=dict)
    consults: dict[str, Ring] = field(default_factory=dict)  # dialled uniqueid -> ring
    answered: dict[str, _Answered] = field(default_factory=dict)  # leg or caller uniqueid
    consulted: dict[str, str] = field(default_factory=dict)  # call -> last answered consult


class BackOffice:
    """Rings back-office extensions for direct calls and watches consult calls."""

    def __init__(
        self,
        site: SiteConfig,
        ami: AmiClient,
        publish: Publish,
        agent_in_call: Callable[[str], str | None],
    ) -> None:
        self._ami, self._publish, self._agent_in_call = ami, publish, agent_in_call
        self._departments = {e.extension: d for d in site.departments for e in d.extensions}
        self._book = _Book()

    def department_of(self, extension: str) -> str | None:
        department = self._departments.get(extension)
        return department.id if department else None

    def fallback_after_s(self, extension: str) -> float:
        return float(self._departments[extension].fallback_after_s)

    # ------------------------------------------------------------ direct calls

    def open_direct(self, call_id: str, extension: str, caller: str) -> Ring:
        """A direct call starts ringing ``extension`` (a department's, see department_of)."""
        ring = self._ring(call_id, "direct", extension)
        self._publish("backoffice.ringing", call_id, "", ring.fields(caller=caller))
        return ring

    async def ring_direct(
        self, ring: Ring, caller_channel: str, caller_uniqueid: str, caller: str
    ) -> str:
        """Ring until answered or the fallback time; ANSWERED or the reason it was not."""
        timeout = self.fallback_after_s(ring.extension)
        action = Originate(
            channel=f"PJSIP/{ring.extension}",
            application="Bridge",
            data=f"{caller_channel},F(kcc-done^s^1)T",
            timeout=timeout,
            caller_id=f'"Rechtstreeks" <{caller or "anoniem"}>',
            channel_id=self.leg_id(ring),
            variables={"KCC_CALLID": ring.call_id},
        )
        try:
            result = await self._ami.send_action(action, timeout=timeout + 15)
        except AmiError as exc:
            log.warning("ringing %s for %s failed: %s", ring.extension, ring.call_id, exc)
            await self.hang_up(self.leg_id(ring))
            return self._not_answered(ring, "error")
        responses = result.items(OriginateResponse)
        if not responses or not responses[0].success:
            return self._not_answered(
                ring, failure_reason(responses[0].reason) if responses else "error"
            )
        # The leg that answered: ours, or - after a colleague's pickup (*8) - the picking
        # phone's channel, which takes the call over while ours is hung up.
        leg = responses[0].uniqueid or self.leg_id(ring)
        answered = _Answered(ring, leg, caller_uniqueid)
        self._book.answered[answered.leg] = self._book.answered[caller_uniqueid] = answered
        self._publish("backoffice.answered", ring.call_id, "", ring.fields())
        return ANSWERED

    async def abandon(self, ring: Ring) -> str:
        """The caller hung up while the extension rang: stop ringing it."""
        await self.hang_up(self.leg_id(ring))
        return self._not_answered(ring, CALLER_LEFT)

    async def leg_answered(self, ring: Ring) -> bool:
        """Whether the colleague's leg is up: it is answered before it bridges the caller."""
        return await channel_up(self._ami, self.leg_id(ring))

    @staticmethod
    def leg_id(ring: Ring) -> str:
        return f"kcc-{ring.call_id}-d{ring.ring}"

    async def hang_up(self, uniqueid: str) -> None:
        try:
            await self._ami.send_action(Hangup(channel=uniqueid, cause=16))
        except AmiError as exc:
            log.info("hang-up of %s: %s", uniqueid, exc)

    # ------------------------------------------------------------ AMI events

    def on_ami_event(self, event: object) -> None:
        match event:
            case DialBegin() if event.caller is not None:
                self._consult_began(event)
            case DialEnd():
                ring = self._book.consults.pop(event.dest.uniqueid, None)
                if ring is None:
                    return
                if event.dial_status == "ANSWER":
                    self._book.consulted[ring.call_id] = ring.department
                    self._publish("backoffice.answered", ring.call_id, ring.agent_id, ring.fields())
                else:
                    reason = _DIAL_STATUS.get(event.dial_status, "error")
                    self._not_answered(ring, reason)
            case HangupRequest():
                answered = self._book.answered.get(event.channel.uniqueid)
                if answered is not None and answered.asked_by is None:
                    answered.asked_by = event.channel.uniqueid
            case HangupEvent():
                self._hung_up(event.channel.uniqueid)
            case _:
                pass

    def call_done(self, call_id: str) -> None:
        """Forget a call's ring numbering and consults (its agent leg hung up)."""
        self._book.serials.pop(call_id, None)
        self._book.consulted.pop(call_id, None)

    def transfer_department(self, call_id: str, target: str) -> str:
        """The department a completed warm transfer of ``call_id`` went to ("" none).

        ``target`` is the channel AMI's ``AttendedTransfer`` names: the consult's Local
        channel (Atxfer, ``#2``) or the phone itself. When Asterisk names none (the Local
        channel optimised away first), the consult seen answered says where it went.
        """
        department = self.department_of(extension_of(target)) if target else None
        if department is None:
            department = self._book.consulted.get(call_id)
        log.info("call %s transferred to %s (%s)", call_id, department or "-", target)
        return department or ""

    def _consult_began(self, event: DialBegin) -> None:
        extension = extension_of(event.dest.name)
        if extension not in self._departments:
            return
        call_id = event.dest.linkedid
        agent_id = self._agent_in_call(call_id)
        if agent_id is None:
            return  # not a TIC call: a colleague's own call, or a direct call
        ring = self._ring(call_id, "consult", extension, agent_id)
        self._book.consults[event.dest.uniqueid] = ring
        self._publish("backoffice.ringing", call_id, agent_id, ring.fields(caller=""))

    def _hung_up(self, uniqueid: str) -> None:
        answered = self._book.answered.pop(uniqueid, None)
        if answered is None:
            return
        other = answered.caller if uniqueid == answered.leg else answered.leg
        self._book.answered.pop(other, None)
        self._book.serials.pop(answered.ring.call_id, None)
        # Who asked first; the order of the Hangup events themselves follows channel
        # destruction, which after a bridge can put the partner's first.
        first = answered.asked_by or uniqueid
        by = "colleague" if first == answered.leg else "caller"
        self._publish("backoffice.ended", answered.ring.call_id, "", answered.ring.fields(by=by))

    def _ring(self, call_id: str, kind: str, extension: str, agent_id: str = "") -> Ring:
        serial = self._book.serials.setdefault(call_id, itertools.count(1))
        department = self._departments[extension].id
        return Ring(call_id, str(next(serial)), kind, department, extension, agent_id)

    def _not_answered(self, ring: Ring, reason: str) -> str:
        fields = ring.fields(reason=reason)
        self._publish("backoffice.not_answered", ring.call_id, ring.agent_id, fields)
        return reason
