"""BackOffice's direct rings over a fake AMI: Originate, answer, hang-up, fallback reasons.

The expected events are docs/events.md's "Back-office events"; the departments
are the sample site's (config/site.yaml). Consult rings: test_backoffice.py.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from acd.backoffice import ANSWERED, CALLER_LEFT, Ring
from site_config import SiteConfig
from tests.unit.acd.backoffice_fakes import (
    AGENT,
    ANSWERED_AT_ONCE,
    CALL,
    CALLER,
    CALLER_NUMBER,
    REFUSED,
    BackOfficeRig,
    Chan,
    OriginateOutcome,
    Published,
    backoffice_rig,
    department,
    dial_begin,
    dial_end,
    failed,
    hangup,
    hangup_request,
    load_sample_site,
)


@pytest.fixture(scope="module")
def site() -> SiteConfig:
    return load_sample_site()


# ------------------------------------------------------------ direct calls


@pytest.fixture
async def rig(site: SiteConfig) -> AsyncIterator[BackOfficeRig]:
    async with backoffice_rig(site) as rig:
        yield rig


def _leg(rig: BackOfficeRig, ring: Ring) -> Chan:
    """The colleague's answered leg: the uniqueid BackOffice gave it, in the caller's call."""
    return Chan(f"PJSIP/{ring.extension}-0000002a", rig.backoffice.leg_id(ring), CALL)


async def _ring(rig: BackOfficeRig, extension: str = "301") -> tuple[Ring, str]:
    ring = rig.backoffice.open_direct(CALL, extension, CALLER_NUMBER)
    outcome = await rig.backoffice.ring_direct(ring, CALLER.name, CALLER.uniqueid, CALLER_NUMBER)
    return ring, outcome


async def test_open_direct_publishes_ringing_with_the_caller(rig: BackOfficeRig) -> None:
    ring = rig.backoffice.open_direct(CALL, "302", CALLER_NUMBER)
    assert (ring.call_id, ring.kind, ring.department, ring.extension) == (
        CALL,
        "direct",
        "burgerzaken",
        "302",
    )
    assert rig.published.events == [
        Published(
            "backoffice.ringing",
            CALL,
            "",
            {
                "kind": "direct",
                "department": "burgerzaken",
                "extension": "302",
                "ring": "1",
                "caller": CALLER_NUMBER,
            },
        )
    ]
    assert rig.phones.actions("Originate") == []  # ringing is ring_direct's work


async def test_direct_rings_are_numbered_per_call(rig: BackOfficeRig) -> None:
    first = rig.backoffice.open_direct(CALL, "311", CALLER_NUMBER)
    second = rig.backoffice.open_direct(CALL, "321", CALLER_NUMBER)
    other = rig.backoffice.open_direct("1718000000.8", "311", "")
    assert [first.ring, second.ring, other.ring] == ["1", "2", "1"]
    legs = [rig.backoffice.leg_id(r) for r in (first, second, other)]
    assert legs == [f"kcc-{CALL}-d1", f"kcc-{CALL}-d2", "kcc-1718000000.8-d1"]


async def test_ring_direct_originates_the_extension_bridged_to_the_caller(
    site: SiteConfig, rig: BackOfficeRig
) -> None:
    ring, outcome = await _ring(rig, "301")
    assert outcome == ANSWERED
    (originate,) = rig.phones.actions("Originate")
    timeout_ms = department(site, "burgerzaken").fallback_after_s * 1000
    assert originate.headers["Channel"] == "PJSIP/301"
    assert originate.headers["Application"] == "Bridge"
    assert originate.headers["Data"] == f"{CALLER.name},F(kcc-done^s^1)T"
    assert originate.headers["Timeout"] == str(timeout_ms)
    assert originate.headers["ChannelId"] == f"kcc-{CALL}-d1" == rig.backoffice.leg_id(ring)
    assert originate.headers["Async"].lower() == "true"
    assert ("Variable", f"KCC_CALLID={CALL}") in originate.pairs
    assert CALLER_NUMBER in originate.headers["CallerID"]


async def test_answered_direct_call_publishes_answered(rig: BackOfficeRig) -> None:
    await _ring(rig, "321")
    assert rig.published.events[1:] == [
        Published(
            "backoffice.answered",
            CALL,
            "",
            {"kind": "direct", "department": "vergunningen", "extension": "321", "ring": "1"},
        )
    ]


async def test_a_call_picked_up_by_a_colleague_ends_with_the_picking_phone(
    rig: BackOfficeRig,
) -> None:
    # Asterisk's pickup answers the Originate with the picker's channel and hangs up the
    # leg that rang (seen on Asterisk 22): that hang-up must not end the call.
    picker = Chan("PJSIP/302-00000003", "1718000000.60", CALL)
    rig.phones.outcome = OriginateOutcome(success=True, reason=4, picked_up_by=picker)
    ring, outcome = await _ring(rig, "301")
    assert outcome == ANSWERED
    rig.backoffice.on_ami_event(hangup(_leg(rig, ring)))
    assert rig.published.types == ["backoffice.ringing", "backoffice.answered"]
    rig.backoffice.on_ami_event(hangup(picker))
    assert rig.published.types[-1] == "backoffice.ended"
    assert rig.published.events[-1].fields["by"] == "colleague"


@pytest.mark.parametrize(("first", "by"), [("leg", "colleague"), ("caller", "caller")])
async def test_answered_direct_call_ends_once_by_whoever_hangs_up_first(
    rig: BackOfficeRig, first: str, by: str
) -> None:
    ring, _ = await _ring(rig, "301")
    leg = _leg(rig, ring)
    rig.backoffice.on_ami_event(hangup(Chan("PJSIP/302-00000007", "1718000000.55", "x")))
    assert rig.published.types == ["backoffice.ringing", "backoffice.answered"]
    order = [leg, CALLER] if first == "leg" else [CALLER, leg]
    for channel in order:
        rig.backoffice.on_ami_event(hangup(channel))
    assert rig.published.events[2:] == [
        Published(
            "backoffice.ended",
            CALL,
            "",
            {
                "kind": "direct",
                "department": "burgerzaken",
                "extension": "301",
                "ring": "1",
                "by": by,
            },
        )
    ]


@pytest.mark.parametrize(
    ("reason_code", "reason"),
    [(3, "no_answer"), (5, "busy"), (8, "unavailable"), (1, "unavailable")],
)
async def test_unanswered_direct_ring_says_why(
    rig: BackOfficeRig, reason_code: int, reason: str
) -> None:
    rig.phones.outcome = failed(reason_code)
    ring, outcome = await _ring(rig, "311")
    assert outcome == reason
    assert rig.published.events[1:] == [
        Published(
            "backoffice.not_answered",
            CALL,
            "",
            {
                "kind": "direct",
                "department": "belastingen",
                "extension": "311",
                "ring": "1",
                "reason": reason,
            },
        )
    ]
    # Not answered is not a talk: hang-ups that follow end nothing.
    rig.backoffice.on_ami_event(hangup(_leg(rig, ring)))
    rig.backoffice.on_ami_event(hangup(CALLER))
    assert rig.published.types == ["backoffice.ringing", "backoffice.not_answered"]


async def test_refused_originate_is_an_error_and_hangs_the_leg_up(rig: BackOfficeRig) -> None:
    rig.phones.outcome = REFUSED
    ring, outcome = await _ring(rig, "302")
    assert outcome == "error"
    assert rig.published.types == ["backoffice.ringing", "backoffice.not_answered"]
    assert rig.published.events[-1].fields["reason"] == "error"
    assert rig.phones.hung_up == [(rig.backoffice.leg_id(ring), "16")]


@pytest.mark.parametrize("leg_exists", [True, False])
async def test_abandon_hangs_the_leg_up_and_says_the_caller_left(
    rig: BackOfficeRig, leg_exists: bool
) -> None:
    rig.phones.leg_exists = leg_exists  # a Hangup refused (no such channel) changes nothing
    ring = rig.backoffice.open_direct(CALL, "321", CALLER_NUMBER)
    assert await rig.backoffice.abandon(ring) == CALLER_LEFT
    assert rig.phones.hung_up == [(f"kcc-{CALL}-d1", "16")]
    assert rig.published.events[1:] == [
        Published(
            "backoffice.not_answered",
            CALL,
            "",
            {
                "kind": "direct",
                "department": "vergunningen",
                "extension": "321",
                "ring": "1",
                "reason": "caller_left",
            },
        )
    ]


@pytest.mark.parametrize(
    ("state", "up"), [("Up", True), ("Ringing", False), ("Down", False), (None, False)]
)
async def test_leg_answered_reads_the_leg_state(
    rig: BackOfficeRig, state: str | None, up: bool
) -> None:
    rig.phones.leg_state = state
    ring = rig.backoffice.open_direct(CALL, "301", CALLER_NUMBER)
    assert await rig.backoffice.leg_answered(ring) is up
    (getvar,) = rig.phones.actions("Getvar")
    assert getvar.headers["Channel"] == rig.backoffice.leg_id(ring)
    assert getvar.headers["Variable"] == "CHANNEL(state)"


async def test_answered_direct_call_is_not_taken_for_a_consult(rig: BackOfficeRig) -> None:
    # Asterisk reports the Originate's dial too, without a caller: one ring only.
    rig.agents_in_calls[CALL] = AGENT
    ring = rig.backoffice.open_direct(CALL, "301", CALLER_NUMBER)
    leg = _leg(rig, ring)
    rig.backoffice.on_ami_event(dial_begin(leg, None, "301"))
    rig.phones.outcome = ANSWERED_AT_ONCE
    await rig.backoffice.ring_direct(ring, CALLER.name, CALLER.uniqueid, CALLER_NUMBER)
    rig.backoffice.on_ami_event(dial_end(leg, None, "ANSWER"))
    assert rig.published.types == ["backoffice.ringing", "backoffice.answered"]


async def test_fallen_back_direct_call_then_consulted_is_ring_two(rig: BackOfficeRig) -> None:
    # docs/events.md: a direct call that falls back and is then transferred.
    rig.phones.outcome = failed(3)
    await _ring(rig, "311")
    rig.agents_in_calls[CALL] = AGENT  # a TIC agent answered it from the general queue
    phone = Chan("PJSIP/321-00000031", "p.31", CALL)
    local = Chan("Local/321@kcc-internal-00000031;2", "l.31", CALL)
    rig.backoffice.on_ami_event(dial_begin(phone, local, "321"))
    rings = [(e.type, e.fields["kind"], e.fields["ring"], e.agent_id) for e in rig.published.events]
    assert rings == [
        ("backoffice.ringing", "direct", "1", ""),
        ("backoffice.not_answered", "direct", "1", ""),
        ("backoffice.ringing", "consult", "2", AGENT),
    ]


async def test_who_asked_to_hang_up_decides_over_the_order_of_hangups(
    rig: BackOfficeRig,
) -> None:
    # Seen on Asterisk 22: the caller's BYE, then the colleague's leg destroyed first.
    ring, _ = await _ring(rig, "301")
    leg = _leg(rig, ring)
    rig.backoffice.on_ami_event(hangup_request(CALLER))
    rig.backoffice.on_ami_event(hangup(leg))
    rig.backoffice.on_ami_event(hangup(CALLER))
    ended = [e for e in rig.published.events if e.type == "backoffice.ended"]
    assert [e.fields["by"] for e in ended] == ["caller"]
