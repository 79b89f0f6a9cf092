"""Ringing a phone with ``Originate``: what its answer means, and whether a leg is up.

Both the TIC agents' legs (``acd.agents``) and back-office direct calls
(``acd.backoffice``) ring a phone with an asynchronous ``Originate`` whose application
is ``Bridge`` to the waiting caller, under a uniqueid of ours (``ChannelId``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from acd.ami.actions import Getvar, Originate
from acd.ami.correlate import ActionResult
from acd.ami.errors import AmiError
from acd.ami.events import OriginateResponse
from acd.ami.port import AmiPort
from contract.dialplan import HANG_UP_AFTER_BRIDGE

ORIGINATE_SLACK_S = 15.0
"""How much longer than the ring timeout an Originate's answer may take to arrive."""

# OriginateResponse Reason codes (Asterisk's AST_CONTROL_* values in the reply).
_FAILURES: Mapping[int, str] = {
    3: "no_answer",
    5: "busy",
    8: "unavailable",
    1: "unavailable",
    0: "unavailable",
}


ANONYMOUS = "anoniem"
"""What a rung phone shows for a caller without a (usable) number."""

# What a number from the public network may hold to be shown as it is: digits, a
# leading '+', and the keypad's '*' and '#'. Anything else (a SIP URI, "anonymous",
# quotes or a forged "<...>") is not a number a colleague can call back.
_NUMBER = re.compile(r"\+?[0-9*#]{1,32}")
# Out of a display name: what would end it ('"', '<', '>', '\') or a header line.
_NOT_IN_NAME = re.compile('["<>\\\\\x00-\x1f\x7f-\x9f\u2028\u2029]')
_NAME_MAX = 40


def caller_number(raw: str | None) -> str:
    """The caller's number if it is one, else :data:`ANONYMOUS`."""
    number = (raw or "").strip()
    return number if _NUMBER.fullmatch(number) else ANONYMOUS


def caller_id(name: str, number: str | None) -> str:
    """An Originate ``CallerID`` (``"name" <number>``) safe from what a caller sends."""
    clean = " ".join(_NOT_IN_NAME.sub(" ", name).split())[:_NAME_MAX]
    return f'"{clean}" <{caller_number(number)}>'


def bridge_originate(
    *,
    extension: str,
    caller_channel: str,
    ring_timeout_s: float,
    label: str,
    caller: str | None,
    leg_id: str,
    variables: Mapping[str, str],
) -> Originate:
    """Ring ``PJSIP/<extension>``; on answer, bridge to ``caller_channel``.

    The phone shows ``label`` and the caller's number (:func:`caller_id`: the number
    comes from the public network and is shown only if it is one).

    ``F(kcc-done^s^1)``: when the answering phone hangs up, the caller is hung up too
    instead of running on in the dialplan (which would queue them again). In Bridge's
    own terms the rung phone's leg is the *calling* party: ``T`` lets it transfer
    (``#2``); ``t`` would give the caller on 14023 that key instead.
    """
    return Originate(
        channel=f"PJSIP/{extension}",
        application="Bridge",
        data=f"{caller_channel},F({HANG_UP_AFTER_BRIDGE})T",
        timeout=ring_timeout_s,
        caller_id=caller_id(label, caller),
        channel_id=leg_id,
        variables=dict(variables),
    )


def outcome(result: ActionResult) -> tuple[bool, str, str | None]:
    """(answered, why not, the uniqueid of the channel that answered) of an Originate.

    ``why not`` is ``no_answer``, ``busy``, ``unavailable`` or ``error`` (the values of
    both ``OfferFailure`` and ``RingFailure``); empty when answered.
    """
    responses = result.items(OriginateResponse)
    if not responses:
        return False, "error", None
    response = responses[0]
    if response.success:
        return True, "", response.uniqueid
    return False, _FAILURES.get(response.reason, "error"), None


async def channel_state(ami: AmiPort, uniqueid: str) -> str | None:
    """The channel's ``CHANNEL(state)`` (``Ringing``, ``Up``, ...); None when it is gone."""
    try:
        result = await ami.send_action(Getvar(channel=uniqueid, variable="CHANNEL(state)"))
    except AmiError:
        return None
    return result.response.headers.get("Value")


async def channel_up(ami: AmiPort, uniqueid: str) -> bool:
    """Whether the channel ``uniqueid`` is answered (state Up); False when it is gone.

    A rung phone's leg is answered before its ``Bridge`` takes the caller out of
    FastAGI, so when a caller's session ends while the leg rings, this tells a bridge
    (wait for the Originate's answer) from a caller who hung up (stop ringing now).
    """
    return await channel_state(ami, uniqueid) == "Up"
