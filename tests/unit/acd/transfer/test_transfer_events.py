"""TransferEvents in the controller on the fakes: a TIC agent's warm transfer as Asterisk
reports it. The consult's ring from ``DialBegin``/``DialEnd`` (a ``backoffice.*`` ring
of kind ``consult``), and the completion from ``AttendedTransfer``, which tells the ACD
core where the call went: the target's department, or, when Asterisk names no target,
the department of the consult last answered.

Agent 1001 at tic1 answered call c1 (``rig.talking``); the consults are the sample
site's back-office phones (config/site.yaml). The expected events are docs/events.md's.
"""

from __future__ import annotations

import pytest

from acd.core import AgentState
from contract import events as stream
from tests.unit.acd.rig import (
    Chan,
    Rig,
    attended_transfer,
    by_type,
    consult_channels,
    dial_begin,
    dial_end,
    hangup,
    rig,
    state_of,
    talking,
)

CALL, AGENT = "c1", "1001"
CALLER = Chan("PJSIP/trunk-00000001", CALL, CALL)  # the call's first channel


class Consults:
    """Consults of the agent's call, as Asterisk's Dial events report them."""

    def __init__(self, r: Rig) -> None:
        self._r, self._serial = r, 0x20

    def begin(self, extension: str, call_id: str = CALL) -> tuple[Chan, Chan]:
        """The consult's Local ``;2`` dials ``extension``; its and the phone's channel."""
        self._serial += 1
        local, phone = consult_channels(extension, call_id, self._serial)
        self._r.emit(dial_begin(phone, local, extension))
        return local, phone

    def end(self, local: Chan, phone: Chan, status: str) -> None:
        self._r.emit(dial_end(phone, local, status))

    def answered(self, extension: str) -> tuple[Chan, Chan]:
        local, phone = self.begin(extension)
        self.end(local, phone, "ANSWER")
        return local, phone


def body(entry: dict[str, str]) -> dict[str, str]:
    """A stream entry without its envelope (codec version, time)."""
    return {k: v for k, v in entry.items() if k not in ("v", "at")}


def rings(r: Rig) -> list[dict[str, str]]:
    return [body(e) for e in r.sink.entries if e["type"].startswith("backoffice.")]


async def test_a_consults_dial_begin_publishes_ringing_with_the_agent() -> None:
    async with rig() as r:
        await talking(r, AGENT, "tic1", CALL)
        Consults(r).begin("321")
        await r.settle()
        assert rings(r) == [
            {
                "type": "backoffice.ringing", "call_id": CALL, "agent_id": AGENT,
                "kind": "consult", "department": "vergunningen", "extension": "321",
                "ring": "1", "caller": "",
            }
        ]  # fmt: skip
        assert r.controller.transfer_events.consults == 1


async def test_a_consult_answered() -> None:
    async with rig() as r:
        await talking(r, AGENT, "tic1", CALL)
        Consults(r).answered("301")
        await r.settle()
        assert rings(r)[1:] == [
            {
                "type": "backoffice.answered", "call_id": CALL, "agent_id": AGENT,
                "kind": "consult", "department": "burgerzaken", "extension": "301", "ring": "1",
            }
        ]  # fmt: skip
        assert r.controller.transfer_events.consults == 0  # its ring is over


@pytest.mark.parametrize(
    ("dial_status", "reason"),
    [
        ("NOANSWER", "no_answer"),
        ("BUSY", "busy"),
        ("CHANUNAVAIL", "unavailable"),
        ("CONGESTION", "unavailable"),
        ("CANCEL", "cancelled"),  # the agent gave the consult up
        ("DONTCALL", "error"),
        ("INVALIDARGS", "error"),
    ],
)
async def test_a_consult_not_answered_says_why(dial_status: str, reason: str) -> None:
    async with rig() as r:
        await talking(r, AGENT, "tic1", CALL)
        consults = Consults(r)
        consults.end(*consults.begin("311"), dial_status)
        await r.settle()
        assert rings(r)[1:] == [
            {
                "type": "backoffice.not_answered", "call_id": CALL, "agent_id": AGENT,
                "kind": "consult", "department": "belastingen", "extension": "311", "ring": "1",
                "reason": reason,
            }
        ]  # fmt: skip


async def test_a_consults_dial_end_counts_once() -> None:
    # Found by the integration tests: a consult's dial can be reported ended more than
    # once; only the first DialEnd is its end.
    async with rig() as r:
        await talking(r, AGENT, "tic1", CALL)
        consults = Consults(r)
        local, phone = consults.begin("321")
        consults.end(local, phone, "ANSWER")
        consults.end(local, phone, "ANSWER")
        consults.end(local, phone, "NOANSWER")
        await r.settle()
        assert r.types("backoffice.") == ["backoffice.ringing", "backoffice.answered"]
        assert r.controller.transfer_events.consults == 0


async def test_a_second_consult_on_a_call_is_ring_two() -> None:
    async with rig() as r:
        await talking(r, AGENT, "tic1", CALL)
        consults = Consults(r)
        consults.end(*consults.begin("321"), "NOANSWER")
        consults.answered("311")
        await r.settle()
        assert [(e["type"], e["extension"], e["department"], e["ring"]) for e in rings(r)] == [
            ("backoffice.ringing", "321", "vergunningen", "1"),
            ("backoffice.not_answered", "321", "vergunningen", "1"),
            ("backoffice.ringing", "311", "belastingen", "2"),
            ("backoffice.answered", "311", "belastingen", "2"),
        ]


async def test_a_dial_to_a_tic_position_is_no_consult() -> None:
    async with rig() as r:
        await talking(r, AGENT, "tic1", CALL)
        Consults(r).answered("202")  # an agent transferring to a fellow agent
        await r.settle()
        assert rings(r) == [] and r.controller.transfer_events.consults == 0


async def test_a_dial_in_a_call_no_agent_is_on_is_no_consult() -> None:
    # A colleague's own call, or a fallen-back direct call no agent answered yet.
    async with rig() as r:
        await talking(r, AGENT, "tic1", CALL)
        consults = Consults(r)
        consults.end(*consults.begin("321", call_id="1718000000.99"), "NOANSWER")
        await r.settle()
        assert rings(r) == []


async def test_an_originates_dial_without_a_caller_is_no_consult() -> None:
    # The controller's own ring of a direct call: Asterisk's DialBegin has no caller.
    async with rig() as r:
        await talking(r, AGENT, "tic1", CALL)
        _, phone = consult_channels("301", CALL, 0x40)
        r.emit(dial_begin(phone, None, "301"), dial_end(phone, None, "ANSWER"))
        await r.settle()
        assert rings(r) == []


async def test_a_dial_end_of_no_consult_and_other_events_publish_nothing() -> None:
    async with rig() as r:
        await talking(r, AGENT, "tic1", CALL)
        local, phone = Consults(r).begin("321")
        never_began_local, never_began_phone = consult_channels("311", CALL, 0x41)
        r.emit(dial_end(never_began_phone, never_began_local, "ANSWER"))
        r.emit(hangup(phone), hangup(local), hangup(CALLER))
        r.ami.emit(object())  # type: ignore[arg-type]  # an item no room knows
        await r.settle()
        assert r.types("backoffice.") == ["backoffice.ringing"]


async def test_a_transfer_target_names_its_department_before_any_consult() -> None:
    async with rig() as r:
        await talking(r, AGENT, "tic1", CALL)
        Consults(r).answered("321")
        await r.settle()
        transfers = r.controller.transfer_events
        assert transfers.department_of_transfer(CALL, "Local/301@kcc-internal-00000004;1") == (
            "burgerzaken"
        )
        assert transfers.department_of_transfer(CALL, "PJSIP/311-00000009") == "belastingen"


async def test_the_last_answered_consult_names_the_department_until_the_call_is_over() -> None:
    async with rig() as r:
        await talking(r, AGENT, "tic1", CALL)
        transfers, consults = r.controller.transfer_events, Consults(r)
        assert transfers.department_of_transfer(CALL, "") == ""
        consults.end(*consults.begin("311"), "NOANSWER")
        await r.settle()
        assert transfers.department_of_transfer(CALL, "") == ""  # not answered
        consults.answered("321")
        await r.settle()
        assert transfers.department_of_transfer(CALL, "") == "vergunningen"
        r.emit(hangup(Chan("PJSIP/201-00000002", "kcc-c1-1", CALL)))  # the agent's leg
        await r.settle()
        assert transfers.department_of_transfer(CALL, "") == "vergunningen"  # the call goes on
        r.emit(hangup(CALLER))  # the call's first channel: the call is over
        await r.settle()
        assert transfers.department_of_transfer(CALL, "") == ""


# ------------------------------------------------------------ completion


def transferred(r: Rig) -> list[tuple[str, str, str | None, str | None]]:
    return [
        (e.call_id, e.agent_id, e.department, e.extension)
        for e in r.sink.of_type(stream.CallTransferred)
    ]


def second(extension: str = "321") -> Chan:
    """The agent's side of the consult: the Local channel ``Atxfer`` dialled from."""
    return Chan(f"Local/{extension}@kcc-internal-00000031;1", "l.31a", CALL)


async def test_an_attended_transfer_by_the_agent_names_the_targets_department() -> None:
    async with rig() as r:
        leg = await talking(r, AGENT, "tic1", CALL)
        Consults(r).answered("321")
        target = Chan("Local/302@kcc-internal-00000004;1", "l.4", CALL)
        r.emit(attended_transfer(leg, second(), target))
        await r.settle()
        # The core names the department's first extension (301), not the target's.
        assert transferred(r) == [(CALL, AGENT, "burgerzaken", "301")]
        assert state_of(r, AGENT) is AgentState.AFTER_CALL_WORK


async def test_an_attended_transfer_without_a_target_goes_to_the_last_answered_consult() -> None:
    # Seen on Asterisk 22: when the consult's Local channel was optimised away first,
    # AttendedTransfer names no TransferTarget.
    async with rig() as r:
        leg = await talking(r, AGENT, "tic1", CALL)
        consults = Consults(r)
        consults.answered("311")
        consults.answered("321")
        r.emit(attended_transfer(leg, second(), None))
        await r.settle()
        assert transferred(r) == [(CALL, AGENT, "vergunningen", "321")]


async def test_a_transfer_to_a_tic_colleague_after_a_consult_given_up_names_no_department() -> None:
    # The agent consulted 321 (answered), gave it up with *1, then handed the caller to
    # a fellow agent at 202: Asterisk names that target, and it is no department's.
    async with rig() as r:
        leg = await talking(r, AGENT, "tic1", CALL)
        Consults(r).answered("321")
        target = Chan("PJSIP/202-0000000c", "p.12", CALL)
        r.emit(attended_transfer(leg, second("202"), target))
        await r.settle()
        assert transferred(r) == [(CALL, AGENT, None, None)]


async def test_an_attended_transfer_with_no_target_and_no_answered_consult_names_none() -> None:
    async with rig() as r:
        leg = await talking(r, AGENT, "tic1", CALL)
        r.emit(attended_transfer(leg, second(), None))
        await r.settle()
        assert transferred(r) == [(CALL, AGENT, None, None)]


async def test_the_agents_leg_may_be_the_second_transferer() -> None:
    async with rig() as r:
        leg = await talking(r, AGENT, "tic1", CALL)
        target = Chan("PJSIP/311-00000009", "p.9", CALL)
        r.emit(attended_transfer(second("311"), leg, target))
        await r.settle()
        assert transferred(r) == [(CALL, AGENT, "belastingen", "311")]


async def test_a_failed_transfer_or_one_by_no_talking_agent_completes_nothing() -> None:
    async with rig() as r:
        leg = await talking(r, AGENT, "tic1", CALL)
        target = Chan("PJSIP/311-00000009", "p.9", CALL)
        r.emit(attended_transfer(leg, second("311"), target, result="Fail"))
        stranger = Chan("PJSIP/302-00000011", "1718000000.70", "1718000000.70")
        r.emit(attended_transfer(stranger, second("311"), target))  # a colleague's own
        await r.settle()
        assert transferred(r) == []
        assert state_of(r, AGENT) is AgentState.TALKING
        r.emit(hangup(leg))  # the agent's leg ends: no talking leg is left to transfer
        r.emit(attended_transfer(leg, second("311"), target))
        await r.settle()
        assert transferred(r) == []
        assert by_type(r.sink, "call.ended")[0]["by"] == "agent"
