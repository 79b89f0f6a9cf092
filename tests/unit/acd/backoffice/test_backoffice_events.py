"""BackOfficeEvents: when a call is over for the back office, and its ring numbering with it.

A call's rings (direct and consult alike) are numbered 1, 2, ... while the call lives.
The call is over when its first channel hangs up: the one whose uniqueid is the call's
Linkedid, our call id. Neither the agent's leg nor a colleague's nor a consult's Local
channel ends it: a transferred call can come back to the TIC and be consulted again.
The consumer on its own (on FakeAmi, MemorySink, FakeClock), then in the controller.
"""

from __future__ import annotations

from acd.ami.fake import FakeAmi
from acd.backoffice.consumer import BackOfficeEvents, call_over
from acd.backoffice.directory import Departments
from acd.backoffice.machine import RingNumbers
from acd.backoffice.service import DirectRinger
from acd.clock import FakeClock
from contract import MemorySink
from tests.unit.acd.rig import (
    ANSWERED,
    Chan,
    Rig,
    consult_channels,
    dial_begin,
    dial_end,
    hangup,
    hangup_request,
    log_in,
    queued,
    rig,
    sample_site,
    talking,
)

CALLER = Chan("PJSIP/trunk-00000001", "c1", "c1")  # the call's first channel
AGENT_LEG = Chan("PJSIP/201-00000002", "kcc-c1-1", "c1")
COLLEAGUE_LEG = Chan("PJSIP/301-0000002a", "kcc-c1-d1", "c1")
CONSULT_LOCAL = Chan("Local/321@kcc-internal-00000031;2", "l.31", "c1")


def consumer() -> tuple[BackOfficeEvents, RingNumbers]:
    numbers = RingNumbers()
    ringer = DirectRinger(FakeAmi(), MemorySink(), FakeClock(), Departments(sample_site()), numbers)
    return BackOfficeEvents(ringer, numbers), numbers


def test_a_hangup_is_the_calls_end_only_for_its_first_channel() -> None:
    assert call_over(hangup(CALLER))
    assert not any(call_over(hangup(c)) for c in (AGENT_LEG, COLLEAGUE_LEG, CONSULT_LOCAL))


def test_the_calls_first_channel_hanging_up_forgets_its_ring_numbering() -> None:
    events, numbers = consumer()
    assert [numbers.next("c1"), numbers.next("c1")] == [1, 2]
    for channel in (AGENT_LEG, COLLEAGUE_LEG, CONSULT_LOCAL):
        events.on_event(hangup(channel))
    events.on_event(hangup_request(CALLER))  # asking is not yet hanging up
    assert len(numbers) == 1
    assert numbers.next("c1") == 3  # the call goes on counting
    events.on_event(hangup(CALLER))
    assert len(numbers) == 0  # no table grows with the calls of the day


def test_another_calls_end_forgets_only_that_call() -> None:
    events, numbers = consumer()
    assert [numbers.next("c1"), numbers.next("c2")] == [1, 1]
    events.on_event(hangup(Chan("PJSIP/trunk-00000009", "c2", "c2")))
    events.on_event(object())  # what the back office has no use for passes by
    assert len(numbers) == 1
    assert numbers.next("c1") == 2


def consult_rings(r: Rig) -> list[tuple[str, str, str, str]]:
    return [
        (e["call_id"], e["agent_id"], e["extension"], e["ring"])
        for e in r.sink.entries
        if e["type"] == "backoffice.ringing"
    ]


async def test_rings_are_numbered_per_call_while_the_call_lives() -> None:
    async with rig() as r:
        await talking(r, "1001", "tic1", "c1")
        await talking(r, "1002", "tic2", "c2")
        first = consult_channels("321", "c1", 0x21)
        r.emit(dial_begin(first[1], first[0], "321"))
        other = consult_channels("321", "c2", 0x22)
        r.emit(dial_begin(other[1], other[0], "321"))
        second = consult_channels("311", "c1", 0x23)
        r.emit(dial_begin(second[1], second[0], "311"), dial_end(second[1], second[0], "BUSY"))
        # The consult's own channels hanging up do not end the call.
        r.emit(*(hangup(c) for c in (*first, *second)))
        third = consult_channels("302", "c1", 0x24)
        r.emit(dial_begin(third[1], third[0], "302"))
        await r.settle()
        assert consult_rings(r) == [
            ("c1", "1001", "321", "1"),
            ("c2", "1002", "321", "1"),  # another call counts on its own
            ("c1", "1001", "311", "2"),
            ("c1", "1001", "302", "3"),
        ]
        # The caller's channel hangs up: the call is over and its numbering gone. (The
        # agent's leg outlives it here only to show that.)
        r.emit(hangup(Chan("PJSIP/trunk-00000001", "c1", "c1")))
        fourth = consult_channels("301", "c1", 0x25)
        r.emit(dial_begin(fourth[1], fourth[0], "301"))
        await r.settle()
        assert consult_rings(r)[-1] == ("c1", "1001", "301", "1")


async def test_a_call_back_at_the_tic_after_its_agents_leg_ended_counts_on() -> None:
    # The agent's leg ending used to forget the call's numbering; a call that comes back
    # to the TIC (a transfer nobody took) and is consulted again then restarted at 1.
    async with rig() as r:
        agent_leg = await talking(r, "1001", "tic1", "c1")
        local, phone = consult_channels("321", "c1", 0x31)
        r.emit(dial_begin(phone, local, "321"), dial_end(phone, local, "ANSWER"))
        r.emit(hangup(agent_leg))  # the agent hangs up: the transfer completes
        await r.settle()
        log_in(r, "1002", "tic2")
        r.asterisk.outcomes["202"] = ANSWERED
        again = await queued(r, "c1")  # the same call, queued again
        await again.gone()
        local, phone = consult_channels("311", "c1", 0x32)
        r.emit(dial_begin(phone, local, "311"))
        await r.settle()
        assert consult_rings(r) == [("c1", "1001", "321", "1"), ("c1", "1002", "311", "2")]
