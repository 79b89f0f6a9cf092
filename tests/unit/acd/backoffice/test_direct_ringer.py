"""DirectRinger in the controller on the fakes: a direct call rings the dialled colleague
with an Originate bridged to the caller; its answer, pickup by another phone, who ended
it (asked first, not hung up first), the reasons it was not answered, and a caller who
left while it rang.

The ringer is the controller's own (``Controller.ringer``), and Asterisk's Hangup,
HangupRequest and Dial events reach it through the controller's event loop, as they do
live. The expected events are docs/events.md's "Back-office events"; the departments
are the sample site's (config/site.yaml). The caller's side (ringback, fallback to the
TIC): test_direct_calls.py.
"""

from __future__ import annotations

import pytest

from acd.ami.actions import Getvar, Hangup
from acd.ami.fake import failure
from acd.backoffice.machine import Ring
from acd.backoffice.service import Answer, leg_id
from tests.unit.acd.rig import (
    ANSWERED,
    BUSY,
    NO_ANSWER,
    REFUSED,
    TRUNK,
    Chan,
    Outcome,
    Rig,
    by_type,
    consult_channels,
    dial_begin,
    dial_end,
    dialled,
    hangup,
    hangup_request,
    log_in,
    rig,
    talking,
)

CALL = "1718000000.7"
CALLER_NUMBER = "0612345678"
CALLER = Chan(TRUNK, CALL, CALL)  # the call's first channel


def body(entry: dict[str, str]) -> dict[str, str]:
    """A stream entry without its envelope (codec version, time)."""
    return {k: v for k, v in entry.items() if k not in ("v", "at")}


def leg_of(ring: Ring) -> Chan:
    """The colleague's answered leg: the uniqueid the ringer gave it, in the caller's call."""
    return Chan(f"PJSIP/{ring.extension}-0000002a", leg_id(ring), CALL)


async def rung(r: Rig, extension: str = "301") -> tuple[Ring, Answer]:
    """A direct ring of ``extension`` for ``CALLER``, rung to its end."""
    ringer = r.controller.ringer
    ring = ringer.open(CALL, extension, CALLER_NUMBER)
    return ring, await ringer.ring(ring, CALLER.name, CALLER.uniqueid, CALLER_NUMBER)


async def test_opening_a_direct_ring_publishes_ringing_with_the_caller() -> None:
    async with rig() as r:
        ring = r.controller.ringer.open(CALL, "302", CALLER_NUMBER)
        assert (ring.call_id, ring.kind.value, ring.department, ring.extension) == (
            CALL, "direct", "burgerzaken", "302",
        )  # fmt: skip
        assert [body(e) for e in r.sink.entries] == [
            {
                "type": "backoffice.ringing",
                "call_id": CALL,
                "agent_id": "",
                "kind": "direct",
                "department": "burgerzaken",
                "extension": "302",
                "ring": "1",
                "caller": CALLER_NUMBER,
            }
        ]
        assert r.asterisk.originated() == []  # ringing is ring's work


async def test_only_a_back_office_extension_can_be_rung_directly() -> None:
    async with rig() as r:
        with pytest.raises(ValueError, match="201 is no back-office extension"):
            r.controller.ringer.open(CALL, "201", CALLER_NUMBER)
        assert r.sink.events == []


async def test_direct_rings_are_numbered_per_call_and_name_their_legs() -> None:
    async with rig() as r:
        ringer = r.controller.ringer
        first = ringer.open(CALL, "311", CALLER_NUMBER)
        second = ringer.open(CALL, "321", CALLER_NUMBER)
        other = ringer.open("1718000000.8", "311", "")
        assert [first.ring, second.ring, other.ring] == [1, 2, 1]
        legs = [leg_id(ring) for ring in (first, second, other)]
        assert legs == [f"kcc-{CALL}-d1", f"kcc-{CALL}-d2", "kcc-1718000000.8-d1"]


async def test_ringing_originates_the_extension_bridged_to_the_caller() -> None:
    async with rig() as r:
        r.asterisk.outcomes["301"] = ANSWERED
        ring, answer = await rung(r, "301")
        assert answer is Answer.ANSWERED
        [originate] = r.asterisk.originated()
        assert originate.channel == "PJSIP/301"
        assert (originate.application, originate.data) == ("Bridge", f"{TRUNK},F(kcc-done^s^1)T")
        assert originate.timeout == 15  # burgerzaken's fallback_after_s
        assert originate.channel_id == f"kcc-{CALL}-d1" == leg_id(ring)
        assert originate.run_async
        assert originate.variables == {"KCC_CALLID": CALL}
        assert originate.caller_id == f'"Rechtstreeks" <{CALLER_NUMBER}>'


async def test_an_anonymous_caller_rings_as_anoniem() -> None:
    async with rig() as r:
        ringer = r.controller.ringer
        ring = ringer.open(CALL, "321", "")
        await ringer.ring(ring, CALLER.name, CALLER.uniqueid, "")
        [originate] = r.asterisk.originated("321")
        assert originate.caller_id == '"Rechtstreeks" <anoniem>'


async def test_a_forged_caller_number_rings_as_anoniem() -> None:
    # The number comes from the public network: quotes and brackets would forge the
    # colleague's display, a line break a second AMI action.
    async with rig() as r:
        ringer = r.controller.ringer
        ring = ringer.open(CALL, "321", "")
        await ringer.ring(ring, CALLER.name, CALLER.uniqueid, '0612" <201>\r\nAction: Hangup')
        [originate] = r.asterisk.originated("321")
        assert originate.caller_id == '"Rechtstreeks" <anoniem>'


async def test_an_answered_direct_call_publishes_answered() -> None:
    async with rig() as r:
        r.asterisk.outcomes["321"] = ANSWERED
        await rung(r, "321")
        assert r.types() == ["backoffice.ringing", "backoffice.answered"]
        assert body(by_type(r.sink, "backoffice.answered")[0]) == {
            "type": "backoffice.answered", "call_id": CALL, "agent_id": "", "kind": "direct",
            "department": "vergunningen", "extension": "321", "ring": "1",
        }  # fmt: skip
        assert r.controller.ringer.answered_calls == 1


async def test_a_call_picked_up_by_a_colleague_ends_with_the_picking_phone() -> None:
    # Asterisk's pickup (*8) answers the Originate with the picker's channel and hangs up
    # the leg that rang (seen on Asterisk 22): that hang-up must not end the call.
    async with rig() as r:
        picker = Chan("PJSIP/302-00000003", "1718000000.60", CALL)
        r.asterisk.outcomes["301"] = Outcome(answered=True, reason=4, by=picker)
        ring, answer = await rung(r, "301")
        assert answer is Answer.ANSWERED
        r.emit(hangup(leg_of(ring)))
        await r.settle()
        assert r.types() == ["backoffice.ringing", "backoffice.answered"]
        r.emit(hangup(picker))
        await r.settle()
        assert r.types()[-1] == "backoffice.ended"
        assert by_type(r.sink, "backoffice.ended")[0]["by"] == "colleague"


@pytest.mark.parametrize(("first", "by"), [("leg", "colleague"), ("caller", "caller")])
async def test_an_answered_direct_call_ends_once_by_whoever_hangs_up_first(
    first: str, by: str
) -> None:
    async with rig() as r:
        r.asterisk.outcomes["301"] = ANSWERED
        ring, _ = await rung(r, "301")
        leg = leg_of(ring)
        r.emit(hangup(Chan("PJSIP/302-00000007", "1718000000.55", "x")))  # another call's
        await r.settle()
        assert r.types() == ["backoffice.ringing", "backoffice.answered"]
        r.emit(*(hangup(c) for c in ([leg, CALLER] if first == "leg" else [CALLER, leg])))
        await r.settle()
        assert r.types() == ["backoffice.ringing", "backoffice.answered", "backoffice.ended"]
        assert body(by_type(r.sink, "backoffice.ended")[0]) == {
            "type": "backoffice.ended", "call_id": CALL, "agent_id": "", "kind": "direct",
            "department": "burgerzaken", "extension": "301", "ring": "1", "by": by,
        }  # fmt: skip
        assert r.controller.ringer.answered_calls == 0  # nothing kept once it ended


@pytest.mark.parametrize(
    ("asked", "hung_up_first", "by"),
    [("caller", "leg", "caller"), ("leg", "caller", "colleague")],
)
async def test_who_asked_to_hang_up_decides_over_the_order_of_hangups(
    asked: str, hung_up_first: str, by: str
) -> None:
    # Seen on Asterisk 22: the caller's BYE (HangupRequest), then the colleague's leg is
    # destroyed first; the partner of who asked gets no HangupRequest of its own.
    async with rig() as r:
        r.asterisk.outcomes["301"] = ANSWERED
        ring, _ = await rung(r, "301")
        sides = {"leg": leg_of(ring), "caller": CALLER}
        last = "caller" if hung_up_first == "leg" else "leg"
        r.emit(hangup_request(sides[asked]), hangup(sides[hung_up_first]), hangup(sides[last]))
        await r.settle()
        ended = by_type(r.sink, "backoffice.ended")
        assert [e["by"] for e in ended] == [by]


@pytest.mark.parametrize(
    ("outcome", "reason"),
    [
        (NO_ANSWER, "no_answer"),
        (BUSY, "busy"),
        (Outcome(reason=8), "unavailable"),
        (Outcome(reason=1), "unavailable"),
    ],
)
async def test_an_unanswered_direct_ring_says_why(outcome: Outcome, reason: str) -> None:
    async with rig() as r:
        r.asterisk.outcomes["311"] = outcome
        ring, answer = await rung(r, "311")
        assert answer is Answer.NOT_ANSWERED
        assert body(by_type(r.sink, "backoffice.not_answered")[0]) == {
            "type": "backoffice.not_answered", "call_id": CALL, "agent_id": "",
            "kind": "direct", "department": "belastingen", "extension": "311", "ring": "1",
            "reason": reason,
        }  # fmt: skip
        # Not answered is not a talk: the hang-ups that follow end nothing.
        r.emit(hangup(leg_of(ring)), hangup(CALLER))
        await r.settle()
        assert r.types() == ["backoffice.ringing", "backoffice.not_answered"]
        assert r.asterisk.hung_up() == []


async def test_a_refused_originate_is_an_error_and_hangs_the_leg_up() -> None:
    async with rig() as r:
        r.asterisk.outcomes["302"] = REFUSED
        ring, answer = await rung(r, "302")
        assert answer is Answer.NOT_ANSWERED
        assert r.types() == ["backoffice.ringing", "backoffice.not_answered"]
        assert by_type(r.sink, "backoffice.not_answered")[0]["reason"] == "error"
        [hung_up] = r.ami.sent_of(Hangup)
        assert (hung_up.channel, hung_up.cause) == (leg_id(ring), 16)


@pytest.mark.parametrize("leg_exists", [True, False])
async def test_abandoning_hangs_the_leg_up_and_says_the_caller_left(leg_exists: bool) -> None:
    async with rig() as r:
        if not leg_exists:  # a Hangup refused (no such channel) changes nothing
            r.ami.answer(Hangup, lambda action: failure("No such channel"))
        ringer = r.controller.ringer
        ring = ringer.open(CALL, "321", CALLER_NUMBER)
        assert await ringer.abandon(ring) is Answer.CALLER_LEFT
        assert r.asterisk.hung_up() == [f"kcc-{CALL}-d1"]
        [not_answered] = by_type(r.sink, "backoffice.not_answered")
        assert (not_answered["department"], not_answered["reason"]) == (
            "vergunningen", "caller_left",
        )  # fmt: skip


@pytest.mark.parametrize("state", ["Up", "Ringing", "Down", None])
async def test_leg_state_reads_the_legs_channel_state(state: str | None) -> None:
    async with rig() as r:
        ringer = r.controller.ringer
        ring = ringer.open(CALL, "301", CALLER_NUMBER)
        if state is not None:  # None: Asterisk knows no such channel
            r.asterisk.states[leg_id(ring)] = state
        assert await ringer.leg_state(ring) == state
        [getvar] = r.ami.sent_of(Getvar)
        assert (getvar.channel, getvar.variable) == (leg_id(ring), "CHANNEL(state)")


async def test_an_answered_direct_call_is_not_taken_for_a_consult() -> None:
    # Asterisk reports the Originate's own dial too, without a caller: one ring only,
    # even in a call a TIC agent is on.
    async with rig() as r:
        await talking(r, "1001", "tic1", CALL)
        ringer = r.controller.ringer
        ring = ringer.open(CALL, "301", CALLER_NUMBER)
        leg = leg_of(ring)
        r.emit(dial_begin(leg, None, "301"))
        await r.settle()
        r.asterisk.outcomes["301"] = ANSWERED
        await ringer.ring(ring, CALLER.name, CALLER.uniqueid, CALLER_NUMBER)
        r.emit(dial_end(leg, None, "ANSWER"))
        await r.settle()
        assert r.types("backoffice.") == ["backoffice.ringing", "backoffice.answered"]
        assert r.controller.transfer_events.consults == 0


async def test_a_fallen_back_direct_call_then_consulted_is_ring_two() -> None:
    # docs/events.md: a direct call that falls back to the TIC and is then transferred.
    async with rig() as r:
        r.asterisk.outcomes["311"] = NO_ANSWER
        r.asterisk.outcomes["201"] = ANSWERED  # a TIC agent answers it from the queue
        log_in(r, "1001", "tic1")
        caller = await dialled(r, "311", CALL)
        await caller.gone()  # the agent's Bridge took the caller out of FastAGI
        local, phone = consult_channels("321", CALL, 0x31)
        r.emit(dial_begin(phone, local, "321"))
        await r.settle()
        rings = [
            (e["type"], e["kind"], e["ring"], e["agent_id"])
            for e in r.sink.entries
            if e["type"].startswith("backoffice.")
        ]
        assert rings == [
            ("backoffice.ringing", "direct", "1", ""),
            ("backoffice.not_answered", "direct", "1", ""),
            ("backoffice.ringing", "consult", "2", "1001"),
        ]
        assert by_type(r.sink, "call.queued")[0]["fell_back_from"] == "belastingen"
